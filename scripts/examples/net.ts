/**
 * The examples of `net/`, run as a user runs them, passive side first: the
 * UDP, broadcast and multicast pairs exchange a `struct msg_st`, and the
 * TCP time server answers our client and `nc`. Every output is checked.
 *
 * Receivers and the server listen on port 0 (they say on stderr which port
 * they got), so that runs never collide with anything else on the host.
 * Nothing is sent outside this host: broadcast goes to 127.255.255.255 and
 * multicast out of the loopback interface.
 *
 * @module
 */

import type { Scenario, Started } from "./_harness.ts";

const flags = ["--allow-ffi"];

/** Waits for a passive example's "listening on ADDRESS:PORT" line and returns the port. */
async function portOf(passive: Started): Promise<number> {
  await passive.waitFor(/listening on [0-9.]+:[0-9]+/, 20_000);
  return Number(passive.stderr.match(/listening on [0-9.]+:([0-9]+)/)![1]);
}

/** The receiver's one JSON line, checked field by field. */
function expectRecord(
  t: Scenario,
  stdout: string,
  expected: { name: string; math: number; chinese: number },
): void {
  const lines = stdout.trim().split("\n");
  if (lines.length !== 1) t.expectIncludes(stdout, /^\{[^\n]*\}\n$/);
  t.expectIncludes(
    lines[0]!,
    new RegExp(
      `^\\{"from":"127\\.0\\.0\\.1:[0-9]+","name":${
        JSON.stringify(expected.name)
      },"math":${expected.math},"chinese":${expected.chinese}\\}$`,
    ),
  );
}

async function pair(
  t: Scenario,
  receiver: string,
  sender: string,
  senderArgs: (port: number) => string[],
  expected: { name: string; math: number; chinese: number },
): Promise<void> {
  const passive = t.start(
    t.program(flags, `examples/net/${receiver}`, "--port", "0", "--count", "1"),
  );
  const port = await portOf(passive);
  const active = await t.run(t.program(flags, `examples/net/${sender}`, ...senderArgs(port)));
  t.expectExit(active, 0);
  const done = await passive.finished(20_000);
  t.expectExit(done, 0);
  expectRecord(t, done.stdout, expected);
}

async function hasCommand(command: string): Promise<boolean> {
  const { success } = await new Deno.Command("sh", {
    args: ["-c", `command -v ${command}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return success;
}

export default async function net(t: Scenario): Promise<void> {
  const record = (name: string, math: number, chinese: number) => ({ name, math, chinese });
  const scoreArgs = (r: { name: string; math: number; chinese: number }) => [
    "--name",
    r.name,
    "--math",
    String(r.math),
    "--chinese",
    String(r.chinese),
  ];

  await t.example("udp_rcver.ts then udp_snder.ts 127.0.0.1: one struct msg_st", async () => {
    const r = record("Alan", 90, 85);
    await pair(t, "udp_rcver.ts", "udp_snder.ts", (port) => [
      "127.0.0.1",
      "--port",
      String(port),
      ...scoreArgs(r),
    ], r);
  });

  await t.example("broadcast_rcver.ts then broadcast_snder.ts to 127.255.255.255", async () => {
    const r = record("Grace", 100, 77);
    await pair(
      t,
      "broadcast_rcver.ts",
      "broadcast_snder.ts",
      (port) => ["--port", String(port), ...scoreArgs(r)],
      r,
    );
  });

  await t.example(
    "multicast_rcver.ts then multicast_snder.ts to 224.2.2.2 on loopback",
    async () => {
      const r = record("Edsger", 4294967295, 0);
      await pair(
        t,
        "multicast_rcver.ts",
        "multicast_snder.ts",
        (port) => ["--port", String(port), ...scoreArgs(r)],
        r,
      );
    },
  );

  await t.example("udp_snder.ts rejects a host name and a port out of range", async () => {
    const name = await t.run(t.program(flags, "examples/net/udp_snder.ts", "localhost"));
    t.expectExit(name, 2);
    t.expectIncludes(name.stderr, 'host must be a numeric IPv4 or IPv6 address: got "localhost"');
    const port = await t.run(
      t.program(flags, "examples/net/udp_snder.ts", "127.0.0.1", "--port", "65536"),
    );
    t.expectExit(port, 2);
    t.expectIncludes(port.stderr, '--port must be an integer in [1, 65535]: got "65536"');
  });

  await t.example(
    "tcp_server.ts answers tcp_client.ts and nc with the time, then stops on SIGTERM",
    async () => {
      const server = t.start(t.program(flags, "examples/net/tcp_server.ts", "--port", "0"));
      const port = String(await portOf(server));
      const before = Math.floor(Date.now() / 1000);
      const client = await t.run(
        t.program(flags, "examples/net/tcp_client.ts", "127.0.0.1", "--port", port),
      );
      const after = Math.floor(Date.now() / 1000);
      t.expectExit(client, 0);
      t.expectIncludes(client.stdout, /^[0-9]+\n$/);
      const seconds = Number(client.stdout.trim());
      if (seconds < before - 1 || seconds > after + 1) {
        t.expectIncludes(client.stdout, `${before}`);
      }
      if (await hasCommand("nc")) {
        const nc = await t.run({ command: "nc", args: ["-w", "5", "127.0.0.1", port] });
        t.expectExit(nc, 0);
        t.expectIncludes(nc.stdout, /^[0-9]+\r\n$/);
      }
      const stopped = await server.stop("SIGTERM");
      t.expectExit(stopped, 0);
    },
  );

  await t.example(
    "pool_server.ts serves the seed's client loop and prints its scoreboard as it changes",
    async () => {
      const server = t.start(
        t.program(
          flags,
          "examples/net/pool_server.ts",
          "--port",
          "0",
          "--min-spare",
          "2",
          "--max-spare",
          "4",
          "--max-clients",
          "6",
        ),
      );
      const port = String(await portOf(server));
      await server.waitFor(/^\.\.----$/m, 20_000);
      // The seed's loop: a client started again and again (here 5 times, 100 ms apart).
      for (let i = 0; i < 5; i++) {
        const client = await t.run(
          t.program(flags, "examples/net/tcp_client.ts", "127.0.0.1", "--port", port),
        );
        t.expectExit(client, 0);
        t.expectIncludes(client.stdout, /^[0-9]+\n$/);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const stopped = await server.stop("SIGTERM");
      t.expectExit(stopped, 0);
      // The scoreboard started empty, then filled with idle workers.
      const lines = stopped.stdout.trim().split("\n");
      t.expectIncludes(lines[0]!, /^-{6}$/);
      t.expectIncludes(stopped.stdout, /^\.\.----$/m);
      t.expectIncludes(stopped.stderr, "pool_server: stopped");
    },
  );
}
