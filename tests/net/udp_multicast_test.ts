import assert from "node:assert/strict";
import { UdpSocket } from "../../net/mod.ts";
import { deno, peers, test } from "../_util.ts";
import { ip, netns, netnsPeer, randomGroup, spawnPeer, udpPeer } from "./_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const mod = new URL("../../net/mod.ts", import.meta.url).href;

/** A sender of multicast out of the loopback interface, optionally bound to a source address. */
function loopbackSender(source = "127.0.0.1"): UdpSocket {
  return UdpSocket.bind({ address: source, port: 0 }, {
    multicastInterface: "127.0.0.1",
    multicastLoop: true,
  });
}

/** The index of the loopback interface. */
function loopbackIndex(): number {
  return Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex"));
}

/** Whether `receiver` gets a datagram within `ms`. */
async function receives(receiver: UdpSocket, ms = 150): Promise<string | undefined> {
  try {
    return decoder.decode((await receiver.receiveFrom({ timeout: ms })).data);
  } catch (error) {
    if ((error as Error).name === "TimeoutError") return undefined;
    throw error;
  }
}

test("a receiver gets a group's datagrams only between joinGroup() and leaveGroup()", async () => {
  const group = randomGroup();
  using receiver = UdpSocket.bind("0.0.0.0:0");
  using sender = loopbackSender();
  const to = { address: group, port: receiver.localAddress.port };
  await sender.sendTo(encoder.encode("before"), to);
  assert.equal(await receives(receiver), undefined, "not a member yet");
  receiver.joinGroup(group, { interface: "127.0.0.1" });
  await sender.sendTo(encoder.encode("member"), to);
  assert.equal(await receives(receiver, 5000), "member");
  receiver.leaveGroup(group, { interface: "127.0.0.1" });
  await sender.sendTo(encoder.encode("after"), to);
  assert.equal(await receives(receiver), undefined, "no longer a member");
});

test("the interface of a membership can be given by address, name or index", async () => {
  const lo = loopbackIndex();
  for (const iface of ["127.0.0.1", "lo", lo]) {
    const group = randomGroup();
    using receiver = UdpSocket.bind("0.0.0.0:0");
    using sender = new UdpSocket({ multicastInterface: iface, multicastLoop: true });
    receiver.joinGroup(group, { interface: iface });
    await sender.sendTo(encoder.encode(String(iface)), {
      address: group,
      port: receiver.localAddress.port,
    });
    assert.equal(await receives(receiver, 5000), String(iface));
    receiver.leaveGroup(group, { interface: iface });
  }
});

test("source-specific membership receives from its source only, until it is dropped", async () => {
  for (const iface of ["127.0.0.1", "lo"]) {
    const group = randomGroup();
    using receiver = UdpSocket.bind("0.0.0.0:0");
    using wanted = loopbackSender("127.0.0.1");
    using other = loopbackSender("127.0.0.2");
    const to = { address: group, port: receiver.localAddress.port };
    receiver.joinGroup(group, { source: "127.0.0.1", interface: iface });
    await other.sendTo(encoder.encode("other"), to);
    await wanted.sendTo(encoder.encode("wanted"), to);
    const d = await receiver.receiveFrom({ timeout: 5000 });
    assert.equal(decoder.decode(d.data), "wanted", `via ${iface}`);
    assert.equal(d.from.address, "127.0.0.1");
    assert.equal(await receives(receiver), undefined, "the other source is filtered out");
    receiver.leaveGroup(group, { source: "127.0.0.1", interface: iface });
    await wanted.sendTo(encoder.encode("after"), to);
    assert.equal(await receives(receiver), undefined, "dropped");
  }
});

test("membership errors name the group: joined twice (EADDRINUSE), never joined (EADDRNOTAVAIL), no such interface", () => {
  const group = randomGroup();
  using socket = UdpSocket.bind("0.0.0.0:0");
  socket.joinGroup(group, { interface: "127.0.0.1" });
  assert.throws(() => socket.joinGroup(group, { interface: "127.0.0.1" }), { code: "EADDRINUSE" });
  socket.leaveGroup(group, { interface: "127.0.0.1" });
  assert.throws(
    () => socket.leaveGroup(group, { interface: "127.0.0.1" }),
    (e: Error & { code?: string }) =>
      e.code === "EADDRNOTAVAIL" && e.message.includes("IP_DROP_MEMBERSHIP"),
  );
  assert.throws(() => socket.joinGroup(group, { interface: "nosuchif0" }), { code: "ENODEV" });
  assert.throws(() => socket.joinGroup(group, { interface: "10.99.99.99" }), { code: "ENODEV" });
  assert.throws(() => socket.joinGroup(group, { source: "nope" }), RangeError);
  assert.throws(() => socket.setMulticastInterface("10.99.99.99"), { code: "EADDRNOTAVAIL" });
});

test("C multicasts struct msg_st to our member, and receives ours as a member", async () => {
  const exe = await udpPeer();
  const group = randomGroup();
  using receiver = UdpSocket.bind("0.0.0.0:0");
  receiver.joinGroup(group, { interface: "127.0.0.1" });
  await using c = spawnPeer(exe, [
    "send",
    group,
    String(receiver.localAddress.port),
    "Bjarne",
    "1",
    "2",
    "127.0.0.1",
  ]);
  assert.equal((await c.exit()).code, 0);
  const d = await receiver.receiveFrom({ timeout: 5000 });
  assert.equal(Array.from(d.data.subarray(0, 8)).join(","), "0,0,0,1,0,0,0,2");
  assert.equal(decoder.decode(d.data.subarray(8, -1)), "Bjarne");

  await using member = spawnPeer(exe, ["recv", "0.0.0.0", group, "127.0.0.1"]);
  const port = Number((await member.line()).split(" ")[1]);
  using sender = loopbackSender();
  await sender.sendTo(new Uint8Array([0, 0, 0, 3, 0, 0, 0, 4, 0x41, 0]), { address: group, port });
  assert.equal(await member.line(), `from 127.0.0.1:${sender.localAddress.port}`);
  assert.equal(await member.line(), "hex 00000003000000044100");
  assert.equal(await member.line(), "math 3 chinese 4 name A");
}, { peers: [peers.gcc] });

// ---- real interfaces: two namespaces joined by a veth pair ------------------------

/** A child Deno in a namespace: joins GROUP on IFACE (by name) and prints what it receives. */
const memberScript = `
import { UdpSocket } from "${mod}";
const [family, group, iface, source, timeout] = Deno.args;
using socket = UdpSocket.bind({ port: 5000 }, { family: family as "ipv4" | "ipv6", reuseAddress: true });
socket.joinGroup(group, { interface: iface, source: source || undefined });
console.log("joined");
try {
  const { data, from } = await socket.receiveFrom({ timeout: Number(timeout || 10000) });
  console.log(new TextDecoder().decode(data) + " from " + from.address);
} catch (error) {
  if ((error as Error).name !== "TimeoutError") throw error;
  console.log("nothing");
}
`;

/** A child Deno in a namespace: sends to GROUP out of IFACE (by name) every 100 ms for 5 s. */
const senderScript = `
import { UdpSocket } from "${mod}";
const [family, group, iface, loop] = Deno.args;
using socket = new UdpSocket({
  family: family as "ipv4" | "ipv6",
  multicastInterface: iface,
  multicastTtl: 1,
  multicastLoop: loop === "loop",
});
for (let i = 0; i < 50; i++) {
  await socket.sendTo(new TextEncoder().encode("hello"), { address: group, port: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 100));
}
`;

test(
  "multicast crosses a veth pair between two namespaces, interfaces chosen by name (IPv4 and IPv6, any-source and source-specific, loop on and off)",
  async () => {
    await using a = await netns("mca");
    await using b = await netns("mcb");
    const veth = `uxv${Deno.pid % 100000}`;
    await ip(
      "link",
      "add",
      `${veth}a`,
      "netns",
      a.name,
      "type",
      "veth",
      "peer",
      "name",
      `${veth}b`,
      "netns",
      b.name,
    );
    await ip("-n", a.name, "addr", "add", "10.77.0.1/24", "dev", `${veth}a`);
    await ip("-n", b.name, "addr", "add", "10.77.0.2/24", "dev", `${veth}b`);
    await ip("-n", a.name, "addr", "add", "fd77::1/64", "dev", `${veth}a`, "nodad");
    await ip("-n", b.name, "addr", "add", "fd77::2/64", "dev", `${veth}b`, "nodad");
    await ip("-n", a.name, "link", "set", `${veth}a`, "up");
    await ip("-n", b.name, "link", "set", `${veth}b`, "up");
    const cases: [string, string, string, string][] = [
      ["ipv4", "239.77.0.1", "", "10.77.0.1"],
      ["ipv4", "232.77.0.1", "10.77.0.1", "10.77.0.1"],
      ["ipv6", "ff15::77", "", "fd77::1"],
      ["ipv6", "ff35::77", "fd77::1", "fd77::1"],
    ];
    for (const [family, group, source, from] of cases) {
      await using member = b.spawn(deno, [
        "eval",
        "--ext=ts",
        memberScript,
        "--",
        family,
        group,
        `${veth}b`,
        source,
      ]);
      assert.equal(await member.line(20_000), "joined");
      await using _sender = a.spawn(deno, [
        "eval",
        "--ext=ts",
        senderScript,
        "--",
        family,
        group,
        `${veth}a`,
      ]);
      assert.equal(
        await member.line(20_000),
        `hello from ${from}`,
        `${family} ${group} ${source}`,
      );
      assert.equal((await member.exit()).code, 0);
    }
    // Multicast loop: a member on the sender's own host gets the group's datagrams only with it on.
    for (const [loop, expected] of [["loop", "hello from 10.77.0.1"], ["noloop", "nothing"]]) {
      const args = ["ipv4", "239.77.0.2", `${veth}a`];
      await using local = a.spawn(deno, [
        "eval",
        "--ext=ts",
        memberScript,
        "--",
        ...args,
        "",
        "1000",
      ]);
      assert.equal(await local.line(20_000), "joined");
      await using _sender = a.spawn(deno, ["eval", "--ext=ts", senderScript, "--", ...args, loop!]);
      assert.equal(await local.line(20_000), expected, loop);
    }
  },
  { peers: [netnsPeer], denoOnly: "both ends run in Deno children" },
);
