import assert from "node:assert/strict";
import {
  getSocketOption,
  getSocketOptionRaw,
  IP_TOS,
  IPPROTO_IP,
  setSocketOption,
  setSocketOptionRaw,
  SO_LINGER,
  SO_RCVTIMEO,
  SOCK_DGRAM,
  SOCK_STREAM,
  socketOptions,
  SOL_SOCKET,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "../../net/mod.ts";
import { test } from "../_util.ts";

const le = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

test("the options table gives each option its level, number and C type", () => {
  assert.deepEqual(socketOptions.SO_RCVTIMEO, {
    level: SOL_SOCKET,
    name: SO_RCVTIMEO,
    cType: "struct timeval",
    readable: true,
    writable: true,
  });
  assert.equal(socketOptions.SO_LINGER.cType, "struct linger");
  assert.equal(socketOptions.IP_ADD_MEMBERSHIP.cType, "struct ip_mreqn");
  assert.equal(socketOptions.IP_ADD_SOURCE_MEMBERSHIP.cType, "struct ip_mreq_source");
  assert.equal(socketOptions.IPV6_JOIN_GROUP.cType, "struct ipv6_mreq");
  assert.equal(socketOptions.IP_MULTICAST_TTL.cType, "int");
  assert.equal(socketOptions.SO_ERROR.writable, false);
  assert.equal(socketOptions.IP_DROP_MEMBERSHIP.readable, false);
  assert.ok(Object.isFrozen(socketOptions));
  for (
    const name of [
      "SO_REUSEADDR",
      "SO_REUSEPORT",
      "SO_BROADCAST",
      "SO_RCVBUF",
      "SO_SNDBUF",
      "SO_RCVTIMEO",
      "SO_SNDTIMEO",
      "SO_KEEPALIVE",
      "SO_LINGER",
      "SO_ERROR",
      "SO_TYPE",
      "IP_TTL",
      "IP_MULTICAST_TTL",
      "IP_MULTICAST_LOOP",
      "IP_MULTICAST_IF",
      "IP_ADD_MEMBERSHIP",
      "IP_DROP_MEMBERSHIP",
      "IP_ADD_SOURCE_MEMBERSHIP",
      "IP_DROP_SOURCE_MEMBERSHIP",
      "IPV6_V6ONLY",
      "IPV6_JOIN_GROUP",
      "IPV6_LEAVE_GROUP",
      "IPV6_MULTICAST_HOPS",
      "IPV6_MULTICAST_LOOP",
      "IPV6_MULTICAST_IF",
      "TCP_NODELAY",
      "TCP_KEEPIDLE",
      "TCP_KEEPINTVL",
      "TCP_KEEPCNT",
    ]
  ) assert.ok(name in socketOptions, name);
});

test("int and boolean options round-trip through getsockopt on UDP sockets", () => {
  using socket = new UdpSocket();
  socket.setOption("SO_REUSEADDR", true);
  assert.equal(socket.getOption("SO_REUSEADDR"), true);
  socket.setOption("SO_REUSEPORT", true);
  assert.equal(socket.getOption("SO_REUSEPORT"), true);
  socket.setOption("SO_BROADCAST", true);
  assert.equal(socket.getOption("SO_BROADCAST"), true);
  socket.setOption("SO_BROADCAST", false);
  assert.equal(socket.getOption("SO_BROADCAST"), false);
  socket.setOption("SO_RCVBUF", 65536);
  assert.equal(socket.getOption("SO_RCVBUF"), 131072, "Linux doubles what is set");
  socket.setOption("IP_TTL", 17);
  assert.equal(socket.getOption("IP_TTL"), 17);
  socket.setOption("IP_MULTICAST_TTL", 0);
  assert.equal(socket.getOption("IP_MULTICAST_TTL"), 0);
  socket.setOption("IP_MULTICAST_LOOP", false);
  assert.equal(socket.getOption("IP_MULTICAST_LOOP"), false);
  socket.setOption("IP_MULTICAST_IF", "127.0.0.1");
  assert.equal(socket.getOption("IP_MULTICAST_IF"), "127.0.0.1");
  socket.setOption("IP_MULTICAST_IF", "lo");
  socket.setOption("IP_MULTICAST_IF", 1);
  assert.equal(socket.getOption("SO_TYPE"), SOCK_DGRAM);
  assert.equal(socket.getOption("SO_ERROR"), 0);
});

test("struct options are encoded as C lays them out (timeval, linger)", () => {
  using socket = new UdpSocket();
  // The kernel keeps it in clock ticks (4 ms at HZ=250): a multiple of 4 ms reads back exactly.
  socket.setOption("SO_RCVTIMEO", 2508);
  const timeval = le(socket.getRawOption(SOL_SOCKET, SO_RCVTIMEO, 16));
  assert.equal(timeval.getBigInt64(0, true), 2n);
  assert.equal(timeval.getBigInt64(8, true), 508000n);
  assert.equal(socket.getOption("SO_RCVTIMEO"), 2508);
  socket.setOption("SO_RCVTIMEO", 0.5);
  assert.ok(socket.getOption("SO_RCVTIMEO") > 0, "rounded up, never to 0 (which means none)");
  socket.setOption("SO_SNDTIMEO", 0);
  assert.equal(socket.getOption("SO_SNDTIMEO"), 0);
  socket.setOption("SO_LINGER", { enabled: true, seconds: 7 });
  assert.deepEqual(
    socket.getRawOption(SOL_SOCKET, SO_LINGER, 8),
    new Uint8Array([1, 0, 0, 0, 7, 0, 0, 0]),
  );
  assert.deepEqual(socket.getOption("SO_LINGER"), { enabled: true, seconds: 7 });
});

test("SO_RCVTIMEO bounds a blocking receive: receiveSync() fails with EAGAIN", () => {
  using socket = UdpSocket.bind("127.0.0.1:0");
  socket.setOption("SO_RCVTIMEO", 30);
  const start = performance.now();
  assert.throws(
    () => socket.receiveFromSync(),
    (e: Error & { code?: string }) => e.code === "EAGAIN" && /SO_RCVTIMEO/.test(e.message),
  );
  assert.ok(performance.now() - start >= 25);
});

test("TCP options round-trip on a connection", () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  using client = TcpConnection.connectSync(listener.localAddress);
  using server = listener.acceptSync();
  client.setOption("TCP_NODELAY", true);
  assert.equal(client.getOption("TCP_NODELAY"), true);
  client.setOption("SO_KEEPALIVE", true);
  assert.equal(client.getOption("SO_KEEPALIVE"), true);
  client.setOption("TCP_KEEPIDLE", 30);
  client.setOption("TCP_KEEPINTVL", 5);
  client.setOption("TCP_KEEPCNT", 3);
  assert.deepEqual(
    [
      client.getOption("TCP_KEEPIDLE"),
      client.getOption("TCP_KEEPINTVL"),
      client.getOption("TCP_KEEPCNT"),
    ],
    [30, 5, 3],
  );
  assert.equal(server.getOption("SO_TYPE"), SOCK_STREAM);
  assert.equal(listener.getOption("SO_REUSEADDR"), true);
});

test("IPv6 options round-trip on an IPv6 socket", () => {
  using socket = new UdpSocket({ family: "ipv6" });
  socket.setOption("IPV6_V6ONLY", true);
  assert.equal(socket.getOption("IPV6_V6ONLY"), true);
  socket.setOption("IPV6_MULTICAST_HOPS", 5);
  assert.equal(socket.getOption("IPV6_MULTICAST_HOPS"), 5);
  socket.setOption("IPV6_MULTICAST_HOPS", -1);
  assert.equal(socket.getOption("IPV6_MULTICAST_HOPS"), 1, "-1 means the default, 1");
  socket.setOption("IPV6_MULTICAST_LOOP", false);
  assert.equal(socket.getOption("IPV6_MULTICAST_LOOP"), false);
  socket.setOption("IPV6_MULTICAST_IF", "lo");
  assert.equal(
    socket.getOption("IPV6_MULTICAST_IF"),
    Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex")),
  );
  socket.setOption("IPV6_UNICAST_HOPS", 9);
  assert.equal(socket.getOption("IPV6_UNICAST_HOPS"), 9);
});

test("bad option values are errors before any call: NaN, -0, 1.5, out of range, wrong type", () => {
  using socket = new UdpSocket();
  const bad: [string, unknown, typeof RangeError | typeof TypeError][] = [
    ["IP_TTL", NaN, RangeError],
    ["IP_TTL", -0, RangeError],
    ["IP_TTL", 1.5, RangeError],
    ["IP_TTL", 0, RangeError],
    ["IP_TTL", 256, RangeError],
    ["IP_MULTICAST_TTL", 65536, RangeError],
    ["IP_MULTICAST_TTL", -1, RangeError],
    ["IP_MULTICAST_TTL", "1", TypeError],
    ["SO_RCVBUF", -1, RangeError],
    ["SO_RCVBUF", 2 ** 31, RangeError],
    ["SO_RCVBUF", 10n, TypeError],
    ["SO_BROADCAST", 1, TypeError],
    ["SO_BROADCAST", "yes", TypeError],
    ["SO_RCVTIMEO", -1, RangeError],
    ["SO_RCVTIMEO", NaN, RangeError],
    ["SO_RCVTIMEO", -0, RangeError],
    ["SO_RCVTIMEO", Infinity, RangeError],
    ["SO_RCVTIMEO", "1s", TypeError],
    ["SO_LINGER", { enabled: 1, seconds: 1 }, TypeError],
    ["SO_LINGER", { enabled: true, seconds: 1.5 }, RangeError],
    ["SO_LINGER", { enabled: true }, TypeError],
    ["SO_LINGER", true, TypeError],
    ["IP_ADD_MEMBERSHIP", { group: "10.0.0.1" }, RangeError],
    ["IP_ADD_MEMBERSHIP", { group: "ff02::1" }, RangeError],
    ["IP_ADD_MEMBERSHIP", { group: 0xe0020202 }, TypeError],
    ["IP_ADD_MEMBERSHIP", { group: "224.2.2.2", interface: 1.5 }, RangeError],
    ["IP_ADD_MEMBERSHIP", { group: "224.2.2.2", interface: "::1" }, RangeError],
    ["IP_ADD_SOURCE_MEMBERSHIP", { group: "232.1.1.1", source: "nope" }, RangeError],
    ["IP_ADD_SOURCE_MEMBERSHIP", { group: "232.1.1.1" }, TypeError],
    ["IP_MULTICAST_IF", -1, RangeError],
    ["IP_MULTICAST_IF", null, TypeError],
    ["IPV6_MULTICAST_HOPS", -2, RangeError],
    ["TCP_KEEPCNT", 128, RangeError],
    ["TCP_KEEPIDLE", 0, RangeError],
  ];
  for (const [name, value, kind] of bad) {
    assert.throws(
      () => socket.setOption(name as "IP_TTL", value as number),
      kind,
      `${name} = ${String(value)}`,
    );
  }
  assert.equal(socket.getOption("IP_TTL"), 64, "nothing was set");
});

test("options that cannot be read or set, or are not in the table, are TypeErrors", () => {
  using socket = new UdpSocket();
  assert.throws(() => socket.setOption("SO_ERROR" as "SO_RCVBUF", 1), /SO_ERROR cannot be set/);
  assert.throws(() => socket.setOption("SO_TYPE" as "SO_RCVBUF", 1), /cannot be set/);
  assert.throws(() => socket.getOption("IP_ADD_MEMBERSHIP" as "SO_TYPE"), /cannot be read/);
  assert.throws(() => socket.getOption("SO_NOSUCH" as "SO_TYPE"), /must be one of .*raw form/);
  assert.throws(() => socket.getOption("toString" as "SO_TYPE"), TypeError);
});

test("an option of another protocol fails with ENOPROTOOPT, naming the socket", () => {
  using socket = UdpSocket.bind("127.0.0.1:0");
  assert.throws(
    () => socket.setOption("IPV6_V6ONLY", true),
    (e: Error & { code?: string }) =>
      e.code === "ENOPROTOOPT" && e.message.includes(String(socket.localAddress)) &&
      e.message.includes("IPV6_V6ONLY"),
  );
  assert.throws(() => socket.getOption("TCP_NODELAY"), { code: "EOPNOTSUPP" });
});

test("raw get and set reach any option (IP_TOS as an int)", () => {
  using socket = new UdpSocket();
  socket.setRawOption(IPPROTO_IP, IP_TOS, new Uint8Array(new Int32Array([0x10]).buffer));
  assert.equal(le(socket.getRawOption(IPPROTO_IP, IP_TOS)).getInt32(0, true), 0x10);
  setSocketOptionRaw(socket.fd, IPPROTO_IP, IP_TOS, new Uint8Array(new Int32Array([0x08]).buffer));
  assert.equal(le(getSocketOptionRaw(socket.fd, IPPROTO_IP, IP_TOS)).getInt32(0, true), 0x08);
  assert.equal(getSocketOptionRaw(socket.fd, SOL_SOCKET, SO_LINGER, 2).length, 2);
  setSocketOption(socket.fd, "IP_TTL", 3);
  assert.equal(getSocketOption(socket.fd, "IP_TTL"), 3);
  assert.throws(
    () => socket.setRawOption(IPPROTO_IP, IP_TOS, [1] as unknown as Uint8Array),
    TypeError,
  );
  assert.throws(() => socket.getRawOption(IPPROTO_IP, IP_TOS, -1), RangeError);
  assert.throws(() => getSocketOption(-1, "IP_TTL"), RangeError);
});

test("options of a closed socket fail with EBADF, never touching a reused fd", () => {
  const socket = new UdpSocket();
  socket.close();
  assert.throws(() => socket.getOption("SO_TYPE"), { code: "EBADF" });
  assert.throws(() => socket.setOption("SO_BROADCAST", true), { code: "EBADF" });
  assert.throws(() => socket.fd, { code: "EBADF" });
});
