import assert from "node:assert/strict";
import { flexibleChars, packed, u32 } from "../../endian/mod.ts";
import { pollerStatus } from "../../ipc/_poller.ts";
import { MSG_PEEK, UdpSocket } from "../../net/mod.ts";
import { peers, test } from "../_util.ts";
import { hex, spawnDeno, spawnNode, spawnPeer, udpPeer } from "./_util.ts";

const encoder = new TextEncoder();

/** The number of threads of this process. */
function threadCount(): number {
  return [...Deno.readDirSync("/proc/self/task")].length;
}
const decoder = new TextDecoder();

/** The classic record, as the examples declare it. */
const MsgSt = packed([
  ["math", u32],
  ["chinese", u32],
  ["name", flexibleChars({ maxBytes: 503 })],
], { name: "struct msg_st" });

// ---- our sockets, both sides -------------------------------------------------

test("UdpSocket.sendToSync() and receiveFromSync() exchange a datagram and the sender's address", () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = UdpSocket.bind("127.0.0.1:0");
  assert.equal(sender.sendToSync(encoder.encode("ping"), receiver.localAddress), 4);
  const datagram = receiver.receiveFromSync({ timeout: 5000 });
  assert.equal(decoder.decode(datagram.data), "ping");
  assert.ok(datagram.from.equals(sender.localAddress));
  assert.equal(datagram.size, 4);
  assert.equal(datagram.truncated, false);
  receiver.sendToSync(encoder.encode("pong"), datagram.from);
  assert.equal(decoder.decode(sender.receiveSync({ timeout: 5000 })), "pong");
});

test("UdpSocket.receiveFrom() waits without blocking the event loop", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  const receiving = receiver.receiveFrom();
  let ticks = 0;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5)).then(() => ticks++);
  }
  assert.equal(ticks, 3);
  await sender.sendTo(encoder.encode("late"), receiver.localAddress);
  const { data, from } = await receiving;
  assert.equal(decoder.decode(data), "late");
  assert.equal(from.port, sender.localAddress.port);
});

test("a datagram sent to 0.0.0.0 and received copies into its own buffer", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  await sender.sendTo(new Uint8Array([1, 2]), receiver.localAddress);
  await sender.sendTo(new Uint8Array([3, 4, 5]), receiver.localAddress);
  const first = await receiver.receiveFrom({ timeout: 5000 });
  const second = await receiver.receiveFrom({ timeout: 5000 });
  assert.deepEqual(first.data, new Uint8Array([1, 2]));
  assert.deepEqual(second.data, new Uint8Array([3, 4, 5]));
  assert.equal(first.from, second.from, "addresses of the same peer are the same object");
});

test("records go out with options.layout in network byte order and come back decoded", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  await sender.sendTo({ math: 90, chinese: 85, name: "Alan" }, receiver.localAddress, {
    layout: MsgSt,
  });
  const raw = await receiver.receiveFrom({ timeout: 5000, flags: MSG_PEEK });
  assert.equal(hex(raw.data), "0000005a00000055416c616e00");
  const { data } = await receiver.receiveFrom({ layout: MsgSt, maxSize: 512, timeout: 5000 });
  assert.deepEqual(data, { math: 90, chinese: 85, name: "Alan" });
});

test("receiving into a caller's buffer gives a view of it, with no copy", () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  sender.sendToSync(encoder.encode("abc"), receiver.localAddress);
  const buffer = new Uint8Array(8);
  const { data } = receiver.receiveFromSync({ buffer, timeout: 5000 });
  assert.equal(data.buffer, buffer.buffer);
  assert.equal(decoder.decode(data), "abc");
});

test("a datagram longer than the buffer is an EMSGSIZE error that says how long it was", () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  sender.sendToSync(new Uint8Array(1000), receiver.localAddress);
  assert.throws(
    () => receiver.receiveFromSync({ maxSize: 512, timeout: 5000 }),
    (e: Error & { code?: string; details?: Record<string, unknown> }) =>
      e.code === "EMSGSIZE" && /1000 bytes, more than the 512-byte buffer/.test(e.message) &&
      e.details?.size === 1000,
  );
});

test("with allowTruncated, a long datagram gives its head, truncated: true and its real size", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  const payload = new Uint8Array(3000).map((_, i) => i & 0xff);
  await sender.sendTo(payload, receiver.localAddress);
  const d = await receiver.receiveFrom({ maxSize: 100, allowTruncated: true, timeout: 5000 });
  assert.equal(d.truncated, true);
  assert.equal(d.size, 3000);
  assert.deepEqual(d.data, payload.subarray(0, 100));
  await sender.sendTo(payload, receiver.localAddress);
  const exact = await receiver.receiveFrom({ maxSize: 3000, timeout: 5000 });
  assert.equal(exact.truncated, false);
  assert.equal(exact.data.length, 3000);
});

test("a record too short for its layout is a RangeError naming the layout and the sender", () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = UdpSocket.bind("127.0.0.1:0");
  sender.sendToSync(new Uint8Array([1, 2, 3]), receiver.localAddress);
  assert.throws(
    () => receiver.receiveFromSync({ layout: MsgSt, timeout: 5000 }),
    (e: Error) =>
      e instanceof RangeError && e.message.includes("struct msg_st") &&
      e.message.includes(String(sender.localAddress)),
  );
});

test("an aborted receiveFrom() takes nothing: the datagram stays for the next receive", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  const controller = new AbortController();
  const pending = receiver.receiveFrom({ signal: controller.signal });
  controller.abort(new Error("no longer needed"));
  await assert.rejects(pending, /no longer needed/);
  await sender.sendTo(encoder.encode("kept"), receiver.localAddress);
  assert.equal(decoder.decode((await receiver.receiveFrom({ timeout: 5000 })).data), "kept");
  assert.equal(pollerStatus().waiters, 0);
});

test("receiveFrom() and receiveFromSync() time out with a TimeoutError", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  await assert.rejects(receiver.receiveFrom({ timeout: 20 }), { name: "TimeoutError" });
  const start = performance.now();
  assert.throws(
    () => receiver.receiveFromSync({ timeout: 20 }),
    (e: Error) => e.name === "TimeoutError" && e.message.includes(String(receiver.localAddress)),
  );
  assert.ok(performance.now() - start >= 19);
  assert.throws(() => receiver.receiveSync({ timeout: 0 }), { name: "TimeoutError" });
});

test("closing a socket rejects its pending receive with EBADF and ends its iteration", async () => {
  const receiver = UdpSocket.bind("127.0.0.1:0");
  const pending = receiver.receiveFrom();
  const iterating = (async () => {
    let n = 0;
    for await (const _ of receiver) n++;
    return n;
  })();
  await new Promise((resolve) => setTimeout(resolve, 10));
  receiver.close();
  await assert.rejects(
    pending,
    (e: Error & { code?: string }) => e.code === "EBADF" && /closed/.test(e.message),
  );
  assert.equal(await iterating, 0);
  receiver.close();
  assert.equal(receiver.closed, true);
  assert.throws(() => receiver.receiveFromSync(), { code: "EBADF" });
  await assert.rejects(receiver.sendTo(new Uint8Array(1), "127.0.0.1:9"), { code: "EBADF" });
});

test("async iteration yields datagrams as they come", async () => {
  using receiver = UdpSocket.bind("127.0.0.1:0");
  using sender = new UdpSocket();
  for (const word of ["a", "b", "c"]) {
    await sender.sendTo(encoder.encode(word), receiver.localAddress);
  }
  const seen: string[] = [];
  for await (const { data } of receiver) {
    seen.push(decoder.decode(data));
    if (seen.length === 3) break;
  }
  assert.deepEqual(seen, ["a", "b", "c"]);
});

test("a thousand pending receives on a thousand sockets hold one poller thread, not a thousand", async () => {
  const threadsBefore = threadCount();
  const sockets = Array.from({ length: 1000 }, () => UdpSocket.bind("127.0.0.1:0"));
  try {
    const pending = sockets.map((s) => s.receiveFrom());
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(pollerStatus().waiters, 1000);
    const threadsNow = threadCount();
    assert.ok(threadsNow - threadsBefore <= 2, `${threadsNow - threadsBefore} more threads`);
    using sender = new UdpSocket();
    await sender.sendTo(encoder.encode("x"), sockets[500]!.localAddress);
    assert.equal(decoder.decode((await pending[500]!).data), "x");
    for (const s of sockets) s.close();
    const results = await Promise.allSettled(pending);
    assert.equal(results.filter((r) => r.status === "rejected").length, 999);
  } finally {
    for (const s of sockets) s.close();
  }
});

test("a connected UDP socket sends with send() and learns of a refused datagram (ECONNREFUSED)", async () => {
  const gone = UdpSocket.bind("127.0.0.1:0");
  const address = gone.localAddress;
  gone.close();
  using socket = new UdpSocket();
  socket.connect(address);
  assert.ok(socket.remoteAddress?.equals(address));
  await socket.send(encoder.encode("anyone?"));
  await assert.rejects(
    socket.receive({ timeout: 5000 }),
    (e: Error & { code?: string }) =>
      e.code === "ECONNREFUSED" && e.message.includes(String(address)),
  );
  socket.disconnect();
  assert.equal(socket.remoteAddress, undefined);
});

test("a connected UDP socket receives only from its peer", async () => {
  using a = UdpSocket.bind("127.0.0.1:0");
  using b = UdpSocket.bind("127.0.0.1:0");
  using stranger = new UdpSocket();
  a.connect(b.localAddress);
  await stranger.sendTo(encoder.encode("stranger"), a.localAddress);
  b.sendToSync(encoder.encode("peer"), a.localAddress);
  assert.equal(decoder.decode(await a.receive({ timeout: 5000 })), "peer");
  a.sendSync(encoder.encode("reply"));
  assert.equal(decoder.decode(b.receiveSync({ timeout: 5000 })), "reply");
});

test("IPv6: datagrams over ::1, and IPV6_V6ONLY decides whether IPv4 peers reach [::]", async () => {
  using v6 = UdpSocket.bind("[::1]:0");
  assert.equal(v6.family, "ipv6");
  using sender = new UdpSocket({ family: "ipv6" });
  await sender.sendTo(encoder.encode("six"), v6.localAddress);
  const d = await v6.receiveFrom({ timeout: 5000 });
  assert.equal(d.from.address, "::1");
  assert.equal(d.from.family, "ipv6");

  using dual = UdpSocket.bind({ port: 0 }, { family: "ipv6", ipv6Only: false });
  using v4 = new UdpSocket();
  await v4.sendTo(encoder.encode("four"), { address: "127.0.0.1", port: dual.localAddress.port });
  assert.equal((await dual.receiveFrom({ timeout: 5000 })).from.address, "::ffff:127.0.0.1");

  using only = UdpSocket.bind({ port: 0 }, { family: "ipv6", ipv6Only: true });
  await v4.sendTo(encoder.encode("four"), { address: "127.0.0.1", port: only.localAddress.port });
  await assert.rejects(only.receiveFrom({ timeout: 50 }), { name: "TimeoutError" });
});

test("two sockets share a port with reuseAddress, and not without it", () => {
  using first = UdpSocket.bind("127.0.0.1:0", { reuseAddress: true });
  using second = UdpSocket.bind(first.localAddress, { reuseAddress: true });
  assert.equal(second.localAddress.port, first.localAddress.port);
  assert.throws(
    () => UdpSocket.bind(first.localAddress),
    (e: Error & { code?: string }) =>
      e.code === "EADDRINUSE" && e.message.includes(String(first.localAddress)),
  );
});

// ---- broadcast -------------------------------------------------------------------

test("broadcast is refused with EACCES without SO_BROADCAST, and reaches the receiver with it", async () => {
  using receiver = UdpSocket.bind({ address: "0.0.0.0", port: 0 });
  const to = { address: "127.255.255.255", port: receiver.localAddress.port };
  using plain = new UdpSocket();
  await assert.rejects(
    plain.sendTo(encoder.encode("all"), to),
    (e: Error & { code?: string }) => e.code === "EACCES" && /SO_BROADCAST/.test(e.message),
  );
  assert.throws(() => plain.sendToSync(encoder.encode("all"), to), { code: "EACCES" });
  using broadcaster = new UdpSocket({ broadcast: true });
  await broadcaster.sendTo(encoder.encode("all"), to);
  const d = await receiver.receiveFrom({ timeout: 5000 });
  assert.equal(decoder.decode(d.data), "all");
  plain.setBroadcast(true);
  await plain.sendTo(encoder.encode("now"), to);
  assert.equal(decoder.decode((await receiver.receiveFrom({ timeout: 5000 })).data), "now");
});

// ---- bad arguments ---------------------------------------------------------------

test("bad destinations, payloads and options are errors before any call", async () => {
  using socket = new UdpSocket();
  const data = new Uint8Array(1);
  for (const to of ["127.0.0.1:65536", "127.0.0.1:-1", "localhost:80", "127.0.0.1"]) {
    assert.throws(() => socket.sendToSync(data, to), RangeError, to);
  }
  for (const port of [NaN, -0, 1.5, 65536, -1]) {
    assert.throws(() => socket.sendToSync(data, { address: "127.0.0.1", port }), RangeError);
  }
  assert.throws(() => socket.sendToSync("text" as unknown as Uint8Array, "127.0.0.1:9"), TypeError);
  assert.throws(() => socket.sendToSync(new Uint8Array(65508), "127.0.0.1:9"), /at most 65507/);
  await assert.rejects(socket.sendTo(data, "nowhere"), RangeError);
  assert.throws(() => socket.receiveFromSync({ maxSize: 0 }), RangeError);
  assert.throws(() => socket.receiveFromSync({ maxSize: 65537 }), RangeError);
  assert.throws(() => socket.receiveFromSync({ maxSize: 1.5 }), RangeError);
  assert.throws(() => socket.receiveFromSync({ buffer: new Uint8Array(4), maxSize: 4 }), TypeError);
  assert.throws(() => socket.receiveFromSync({ timeout: -1 }), RangeError);
  assert.throws(() => socket.receiveFromSync({ timeout: NaN }), RangeError);
  await assert.rejects(socket.receiveFrom({ signal: "no" as unknown as AbortSignal }), TypeError);
  assert.throws(() => socket.sendToSync(data, "127.0.0.1:9", { flags: 1.5 }), RangeError);
  assert.throws(() => new UdpSocket({ family: "ipv7" as "ipv4" }), RangeError);
  assert.throws(() => new UdpSocket({ multicastTtl: 256 }), RangeError);
  assert.throws(() => new UdpSocket({ ipv6Only: true }), /IPv6 sockets only/);
  assert.throws(() => UdpSocket.bind("[::1]:0", { family: "ipv4" }), RangeError);
  assert.throws(() => socket.joinGroup("10.1.2.3"), /multicast address/);
  assert.throws(() => socket.joinGroup("ff02::1"), RangeError);
});

// ---- peers -----------------------------------------------------------------------

test("C sends struct msg_st and we read it; we send it and C reads it, byte for byte", async () => {
  const exe = await udpPeer();
  // C -> us
  using receiver = UdpSocket.bind("127.0.0.1:0");
  await using sender = spawnPeer(exe, [
    "send",
    "127.0.0.1",
    String(receiver.localAddress.port),
    "Ken Thompson",
    "4294967295",
    "258",
  ]);
  assert.equal((await sender.exit()).code, 0);
  const raw = await receiver.receiveFrom({ flags: MSG_PEEK, timeout: 5000 });
  assert.equal(hex(raw.data), "ffffffff00000102" + hex(encoder.encode("Ken Thompson")) + "00");
  const { data } = await receiver.receiveFrom({ layout: MsgSt, maxSize: 512, timeout: 5000 });
  assert.deepEqual(data, { math: 4294967295, chinese: 258, name: "Ken Thompson" });
  // us -> C
  await using c = spawnPeer(exe, ["recv", "127.0.0.1"]);
  const port = Number((await c.line()).split(" ")[1]);
  using socket = UdpSocket.bind("127.0.0.1:0");
  await socket.sendTo({ math: 0x01020304, chinese: 7, name: "Dennis" }, {
    address: "127.0.0.1",
    port,
  }, {
    layout: MsgSt,
  });
  assert.equal(await c.line(), `from 127.0.0.1:${socket.localAddress.port}`);
  assert.equal(await c.line(), "hex 0102030400000007" + hex(encoder.encode("Dennis")) + "00");
  assert.equal(await c.line(), `math ${0x01020304} chinese 7 name Dennis`);
  assert.equal((await c.exit()).code, 0);
}, { peers: [peers.gcc] });

test("Node's dgram and our sockets exchange datagrams both ways", async () => {
  using socket = UdpSocket.bind("127.0.0.1:0");
  await using node = spawnNode(
    `
    const dgram = require("node:dgram");
    const s = dgram.createSocket("udp4");
    s.bind(0, "127.0.0.1", () => {
      console.log("port " + s.address().port);
      s.send(Buffer.from("from node"), Number(process.argv[1]), "127.0.0.1");
    });
    s.on("message", (msg, rinfo) => {
      console.log("got " + msg.toString("hex") + " from " + rinfo.address + ":" + rinfo.port);
      s.close();
    });
  `,
    [String(socket.localAddress.port)],
  );
  const port = Number((await node.line()).split(" ")[1]);
  const d = await socket.receiveFrom({ timeout: 10_000 });
  assert.equal(decoder.decode(d.data), "from node");
  assert.equal(d.from.port, port);
  await socket.sendTo(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), d.from);
  assert.equal(await node.line(), `got deadbeef from 127.0.0.1:${socket.localAddress.port}`);
  assert.equal((await node.exit()).code, 0);
}, { peers: [peers.node] });

test("Deno's own UDP sockets and ours exchange datagrams both ways", async () => {
  using socket = UdpSocket.bind("127.0.0.1:0");
  await using child = spawnDeno(
    `
    const peer = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    console.log("port " + (peer.addr as Deno.NetAddr).port);
    await peer.send(new TextEncoder().encode("from deno"), {
      transport: "udp", hostname: "127.0.0.1", port: Number(Deno.args[0]),
    });
    const [data, from] = await peer.receive();
    console.log("got " + new TextDecoder().decode(data) + " from " + (from as Deno.NetAddr).port);
    peer.close();
  `,
    [String(socket.localAddress.port)],
  );
  const port = Number((await child.line(20_000)).split(" ")[1]);
  const d = await socket.receiveFrom({ timeout: 10_000 });
  assert.equal(decoder.decode(d.data), "from deno");
  assert.equal(d.from.port, port);
  socket.sendToSync(encoder.encode("from unixipc"), d.from);
  assert.equal(await child.line(), `got from unixipc from ${socket.localAddress.port}`);
  assert.equal((await child.exit()).code, 0);
});

test("socat sends us a datagram, and nc receives ours", async () => {
  using socket = UdpSocket.bind("127.0.0.1:0");
  await using socat = spawnPeer("socat", [
    "-u",
    "STDIN",
    `UDP-SENDTO:127.0.0.1:${socket.localAddress.port}`,
  ], {
    stdin: "via socat",
  });
  assert.equal((await socat.exit()).code, 0);
  assert.equal(decoder.decode((await socket.receiveFrom({ timeout: 5000 })).data), "via socat");

  // nc needs a port number up front: take a free one from the kernel.
  const probe = UdpSocket.bind("127.0.0.1:0");
  const port = probe.localAddress.port;
  probe.close();
  await using nc = spawnPeer("nc", ["-u", "-l", "-W", "1", "127.0.0.1", String(port)]);
  // Until nc has bound the port, our datagrams are refused or lost: send until one arrives.
  using sender = new UdpSocket();
  let got = "";
  const reading = nc.line(10_000).then((line) => (got = line));
  for (let i = 0; i < 100 && got === ""; i++) {
    await sender.sendTo(encoder.encode("via nc\n"), { address: "127.0.0.1", port });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await reading;
  assert.equal(got, "via nc");
}, { peers: [peers.socat, peers.nc] });
