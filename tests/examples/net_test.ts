/**
 * The net examples against other programs: a C sender and receiver of the
 * same `struct msg_st`, two of our processes over broadcast and multicast,
 * and `nc` against the time server.
 *
 * @module
 */

import assert from "node:assert/strict";
import { deno, peers, test } from "../_util.ts";
import { spawnPeer, udpPeer } from "../net/_util.ts";

const root = new URL("../../", import.meta.url).pathname;

function example(name: string, ...args: string[]) {
  return spawnPeer(deno, ["run", "--allow-ffi", `${root}examples/net/${name}`, ...args]);
}

/** Reads the "listening on A:P" line an example writes to stderr once ready. */
async function listeningPort(peer: ReturnType<typeof example>): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = peer.stderrText().match(/listening on [0-9.]+:([0-9]+)/);
    if (match) return Number(match[1]);
    if (Date.now() > deadline) throw new Error(`no "listening on" line: ${peer.stderrText()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test(
  "a C sender's struct msg_st reaches udp_rcver.ts, and udp_snder.ts's reaches a C receiver",
  async () => {
    const exe = await udpPeer();
    await using receiver = example("udp_rcver.ts", "--port", "0", "--count", "1");
    const port = await listeningPort(receiver);
    await using c = spawnPeer(exe, ["send", "127.0.0.1", String(port), "Ken", "98", "99"]);
    assert.equal((await c.exit()).code, 0);
    const line = JSON.parse(await receiver.line(20_000));
    assert.match(line.from, /^127\.0\.0\.1:[0-9]+$/);
    assert.deepEqual({ ...line, from: undefined }, {
      from: undefined,
      name: "Ken",
      math: 98,
      chinese: 99,
    });
    assert.equal((await receiver.exit()).code, 0);

    await using cReceiver = spawnPeer(exe, ["recv", "127.0.0.1"]);
    const cPort = (await cReceiver.line()).split(" ")[1]!;
    await using sender = example(
      "udp_snder.ts",
      "127.0.0.1",
      "--port",
      cPort,
      "--name",
      "Dennis",
      "--math",
      "258",
      "--chinese",
      "1",
    );
    assert.equal((await sender.exit(20_000)).code, 0);
    assert.match(await cReceiver.line(), /^from 127\.0\.0\.1:[0-9]+$/);
    // math 258 = 00 00 01 02, chinese 1 = 00 00 00 01, "Dennis" and its NUL: network byte order, packed.
    assert.equal(await cReceiver.line(), "hex 000001020000000144656e6e697300");
    assert.equal(await cReceiver.line(), "math 258 chinese 1 name Dennis");
  },
  {
    peers: [peers.gcc],
    denoOnly: "the examples run in Deno children (deno task examples:node runs them under Node)",
  },
);

test("broadcast and multicast work between two of our processes", async () => {
  for (
    const [rcver, snder, extra] of [
      ["broadcast_rcver.ts", "broadcast_snder.ts", []],
      ["multicast_rcver.ts", "multicast_snder.ts", ["--group", "239.255.19.89"]],
    ] as const
  ) {
    await using receiver = example(rcver, "--port", "0", "--count", "1", ...extra);
    const port = String(await listeningPort(receiver));
    await using sender = example(snder, "--port", port, "--name", "Ada", ...extra);
    assert.equal((await sender.exit(20_000)).code, 0, snder);
    const line = JSON.parse(await receiver.line(20_000));
    assert.equal(line.name, "Ada");
    assert.equal(line.math, 90);
    assert.equal(line.chinese, 85);
    assert.equal((await receiver.exit()).code, 0);
  }
}, {
  denoOnly: "the examples run in Deno children (deno task examples:node runs them under Node)",
});

test("the TCP time server answers nc with the time and \\r\\n", async () => {
  await using server = example("tcp_server.ts", "--port", "0");
  const port = String(await listeningPort(server));
  await using nc = spawnPeer("nc", ["-w", "5", "127.0.0.1", port]);
  const line = await nc.line();
  assert.match(line, /^[0-9]+\r$/);
  assert.ok(Math.abs(Number(line.trim()) - Date.now() / 1000) < 5);
  assert.equal((await nc.exit()).code, 0);
  server.child.kill("SIGTERM");
  assert.equal((await server.exit()).code, 0);
}, {
  peers: [peers.nc],
  denoOnly: "the examples run in Deno children (deno task examples:node runs them under Node)",
});
