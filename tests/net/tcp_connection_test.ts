import assert from "node:assert/strict";
import { libc } from "../../ipc/_libc.ts";
import { pollerStatus } from "../../ipc/_poller.ts";
import { SocketAddress, TcpConnection, TcpListener } from "../../net/mod.ts";
import { compileC, peers, test } from "../_util.ts";
import { hex, spawnDeno, spawnNode, spawnPeer } from "./_util.ts";

const encoder = new TextEncoder();

/** The number of threads of this process. */
function threadCount(): number {
  return [...Deno.readDirSync("/proc/self/task")].length;
}
const decoder = new TextDecoder();

/** A connected pair over loopback: [client, server]. */
async function connectedPair(
  listener: TcpListener,
): Promise<[TcpConnection, TcpConnection]> {
  const accepting = listener.accept({ timeout: 5000 });
  const client = await TcpConnection.connect(listener.localAddress, { timeout: 5000 });
  return [client, await accepting];
}

async function readAll(connection: TcpConnection): Promise<string> {
  return await new Response(connection.readable).text();
}

test("TcpConnection.connect() and accept() connect, and bytes flow both ways", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  using _s = server;
  assert.ok(client.remoteAddress.equals(listener.localAddress));
  assert.ok(server.remoteAddress.equals(client.localAddress));
  assert.ok(server.localAddress.equals(listener.localAddress));
  assert.equal(client.family, "ipv4");
  assert.equal(await client.write(encoder.encode("hello")), 5);
  const buffer = new Uint8Array(64);
  const n = await server.read(buffer, { timeout: 5000 });
  assert.equal(decoder.decode(buffer.subarray(0, n!)), "hello");
  server.writeSync(encoder.encode("world"));
  assert.equal(
    decoder.decode(buffer.subarray(0, client.readSync(buffer, { timeout: 5000 })!)),
    "world",
  );
});

test("connectSync() and acceptSync() work with no event loop turn", () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  using client = TcpConnection.connectSync(listener.localAddress, { timeout: 5000, noDelay: true });
  using server = listener.acceptSync({ timeout: 5000 });
  assert.equal(client.getOption("TCP_NODELAY"), true);
  client.writeSync(new Uint8Array(100_000).fill(7), { timeout: 5000 });
  let total = 0;
  const buffer = new Uint8Array(65536);
  while (total < 100_000) total += server.readSync(buffer)!;
  assert.equal(total, 100_000);
});

test("read() waits without blocking the event loop", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  using _s = server;
  const reading = server.read(new Uint8Array(16));
  let ticks = 0;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5)).then(() => ticks++);
  }
  assert.equal(ticks, 3);
  client.writeSync(encoder.encode("x"));
  assert.equal(await reading, 1);
});

test("shutdown('write') ends the peer's stream (null) while this side still reads", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  using _s = server;
  client.writeSync(encoder.encode("last words"));
  client.shutdown("write");
  assert.equal(await readAll(server), "last words");
  server.writeSync(encoder.encode("reply"));
  server.shutdown();
  assert.equal(await readAll(client), "reply");
  assert.throws(() => client.shutdown("sideways" as "read"), RangeError);
});

test("writing after shutdown or to a peer that has gone fails with EPIPE, naming the peer", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  client.shutdown("write");
  await assert.rejects(
    client.write(encoder.encode("more")),
    (e: Error & { code?: string }) =>
      e.code === "EPIPE" && e.message.includes(String(listener.localAddress)),
  );
  server.close();
  const [c2, s2] = await connectedPair(listener);
  using _c2 = c2;
  s2.close();
  // The first write after the peer closed may still be taken; the peer answers with a reset.
  await assert.rejects(async () => {
    for (let i = 0; i < 100; i++) {
      await c2.write(new Uint8Array(1024));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }, (e: Error & { code?: string }) => e.code === "EPIPE" || e.code === "ECONNRESET");
});

test("a peer that resets (SO_LINGER 0) makes our read fail with ECONNRESET, naming it", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  server.setOption("SO_LINGER", { enabled: true, seconds: 0 });
  server.close();
  await assert.rejects(
    client.read(new Uint8Array(8), { timeout: 5000 }),
    (e: Error & { code?: string; syscall?: string }) =>
      e.code === "ECONNRESET" && e.message.includes(String(listener.localAddress)) &&
      e.message.includes("reset"),
  );
});

test("connecting where nothing listens fails with ECONNREFUSED, naming the address", async () => {
  const listener = TcpListener.listen("127.0.0.1:0");
  const address = listener.localAddress;
  listener.close();
  await assert.rejects(
    TcpConnection.connect(address),
    (e: Error & { code?: string }) =>
      e.code === "ECONNREFUSED" &&
      e.message ===
        `Cannot connect to ${address}: nothing listens there (connection refused) (ECONNREFUSED)`,
  );
  assert.throws(() => TcpConnection.connectSync(address), { code: "ECONNREFUSED" });
});

test("a connect that gets no answer times out (TimeoutError) or is aborted, and leaves no fd", async () => {
  // A listener with a full accept queue drops SYNs: connects to it hang.
  using listener = TcpListener.listen("127.0.0.1:0", { backlog: 0 });
  const queued: TcpConnection[] = [];
  try {
    let timedOut = false;
    for (let i = 0; i < 8 && !timedOut; i++) {
      try {
        queued.push(await TcpConnection.connect(listener.localAddress, { timeout: 300 }));
      } catch (error) {
        assert.equal((error as Error).name, "TimeoutError");
        timedOut = true;
      }
    }
    assert.ok(timedOut, "a connect to a full queue should time out");
    const controller = new AbortController();
    const pending = TcpConnection.connect(listener.localAddress, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("gave up")), 20);
    await assert.rejects(pending, /gave up/);
    assert.throws(
      () => TcpConnection.connectSync(listener.localAddress, { timeout: 50 }),
      (e: Error) => e.name === "TimeoutError" && e.message.includes(String(listener.localAddress)),
    );
  } finally {
    for (const c of queued) c.close();
  }
});

test("connect() binds to options.localAddress first", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const accepting = listener.accept({ timeout: 5000 });
  using client = await TcpConnection.connect(listener.localAddress, {
    localAddress: "127.0.0.2:0",
    keepAlive: true,
  });
  using server = await accepting;
  assert.equal(client.localAddress.address, "127.0.0.2");
  assert.equal(server.remoteAddress.address, "127.0.0.2");
  assert.equal(client.getOption("SO_KEEPALIVE"), true);
  await assert.rejects(
    TcpConnection.connect(listener.localAddress, { localAddress: "[::1]:0" }),
    /same family/,
  );
});

test("reads time out with a TimeoutError and take nothing; closing rejects pending reads with EBADF", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  await assert.rejects(server.read(new Uint8Array(8), { timeout: 20 }), { name: "TimeoutError" });
  assert.throws(() => server.readSync(new Uint8Array(8), { timeout: 10 }), {
    name: "TimeoutError",
  });
  client.writeSync(encoder.encode("kept"));
  const buffer = new Uint8Array(8);
  assert.equal(decoder.decode(buffer.subarray(0, (await server.read(buffer))!)), "kept");
  const pending = server.read(buffer);
  server.close();
  await assert.rejects(pending, { code: "EBADF" });
  server.close();
  assert.equal(server.closed, true);
  assert.throws(() => server.writeSync(buffer), { code: "EBADF" });
  assert.throws(() => server.getOption("SO_TYPE"), { code: "EBADF" });
  assert.ok(server.remoteAddress.equals(client.localAddress), "the peer stays known");
});

test("readable and writable streams carry the bytes, and the connection closes when both end", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  const echo = server.readable.pipeTo(server.writable);
  const writer = client.writable.getWriter();
  const payload = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
  const reading = new Response(client.readable).arrayBuffer();
  await writer.write(payload.subarray(0, 100_000));
  await writer.write(payload.subarray(100_000));
  await writer.close();
  assert.deepEqual(new Uint8Array(await reading), payload);
  await echo;
  assert.equal(server.closed, true);
  assert.equal(client.closed, true);
});

test("a BYOB reader reads into the caller's buffer", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  using _s = server;
  client.writeSync(encoder.encode("byob"));
  const reader = server.readable.getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(16));
  assert.equal(decoder.decode(value), "byob");
  reader.releaseLock();
});

test("a thousand idle connections with pending reads hold one poller thread, nothing more", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const threadsBefore = threadCount();
  const pairs: [TcpConnection, TcpConnection][] = [];
  try {
    for (let i = 0; i < 1000; i++) {
      const client = TcpConnection.connectSync(listener.localAddress);
      pairs.push([client, listener.acceptSync({ timeout: 5000 })]);
    }
    const reads = pairs.map(([, server]) => server.read(new Uint8Array(8)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(pollerStatus().waiters, 1000);
    const grown = threadCount() - threadsBefore;
    assert.ok(grown <= 2, `${grown} more threads`);
    pairs[999]![0].writeSync(encoder.encode("last"));
    assert.equal(await reads[999], 4);
    for (const [client] of pairs) client.close();
    const results = await Promise.all(reads);
    assert.equal(results.filter((r) => r === null).length, 999, "the peers' close ends each read");
  } finally {
    for (const [client, server] of pairs) {
      client.close();
      server.close();
    }
  }
});

test("new TcpConnection(fd) adopts a connected socket made elsewhere", () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const { socket, connect } = libc();
  const fd = socket(2, 1 | 0o2000000, 0);
  const sockaddr = listener.localAddress.toSockaddr();
  assert.equal(connect(fd, sockaddr, sockaddr.length), 0);
  using adopted = new TcpConnection(fd);
  using server = listener.acceptSync({ timeout: 5000 });
  assert.ok(adopted.remoteAddress.equals(listener.localAddress));
  adopted.writeSync(encoder.encode("adopted"));
  const buffer = new Uint8Array(16);
  assert.equal(decoder.decode(buffer.subarray(0, server.readSync(buffer)!)), "adopted");
  const lonely = socket(2, 1 | 0o2000000, 0);
  try {
    assert.throws(() => new TcpConnection(lonely), { code: "ENOTCONN" });
  } finally {
    libc().close(lonely);
  }
});

test("bad addresses and arguments are errors before any call", async () => {
  await assert.rejects(TcpConnection.connect("localhost:80"), RangeError);
  await assert.rejects(TcpConnection.connect("127.0.0.1:65536"), RangeError);
  await assert.rejects(TcpConnection.connect({ address: "127.0.0.1", port: -0 }), RangeError);
  await assert.rejects(TcpConnection.connect("127.0.0.1:80", { timeout: -1 }), RangeError);
  await assert.rejects(
    TcpConnection.connect("127.0.0.1:80", { noDelay: 1 as unknown as boolean }),
    TypeError,
  );
  assert.throws(() => TcpConnection.connectSync("127.0.0.1:1.5"), RangeError);
  assert.throws(() => new TcpConnection(-1), RangeError);
  using listener = TcpListener.listen("127.0.0.1:0");
  const [client, server] = await connectedPair(listener);
  using _c = client;
  using _s = server;
  await assert.rejects(client.read(new Uint8Array(0)), RangeError);
  await assert.rejects(client.write("text" as unknown as Uint8Array), TypeError);
  assert.throws(() => client.readSync(new Uint8Array(1), { timeout: NaN }), RangeError);
});

// ---- peers -----------------------------------------------------------------------

const cEchoSource = `
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
/* tcp_peer server: listens on 127.0.0.1:0, prints "port N", accepts one client,
 * sends the 8 bytes 01..08, then echoes what it reads in hex, one line per read, until EOF.
 * tcp_peer client PORT: connects, sends uint32 0x01020304 and uint16 0x0506 in network order
 * followed by "C!", then prints in hex what it reads until EOF. */
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  unsigned char buf[4096];
  ssize_t n;
  int c = s;
  if (strcmp(argv[1], "server") == 0) {
    if (bind(s, (void *)&a, sizeof a) || listen(s, 1)) { perror("listen"); return 1; }
    socklen_t len = sizeof a;
    getsockname(s, (void *)&a, &len);
    printf("port %d\\n", ntohs(a.sin_port));
    fflush(stdout);
    c = accept(s, 0, 0);
    unsigned char hello[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    write(c, hello, 8);
  } else {
    a.sin_port = htons(atoi(argv[2]));
    if (connect(s, (void *)&a, sizeof a)) { perror("connect"); return 1; }
    unsigned char msg[8];
    uint32_t u32 = htonl(0x01020304);
    uint16_t u16 = htons(0x0506);
    memcpy(msg, &u32, 4); memcpy(msg + 4, &u16, 2); memcpy(msg + 6, "C!", 2);
    write(c, msg, 8);
  }
  while ((n = read(c, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) printf("%02x", buf[i]);
    printf("\\n");
    fflush(stdout);
  }
  return n < 0;
}
`;

test("a C client and a C server talk to ours, bytes checked in network order", async () => {
  const exe = await compileC("tcp_peer", cEchoSource);
  await using server = spawnPeer(exe, ["server"]);
  const port = Number((await server.line()).split(" ")[1]);
  const client = await TcpConnection.connect({ address: "127.0.0.1", port }, { timeout: 5000 });
  const buffer = new Uint8Array(8);
  let got = 0;
  while (got < 8) got += (await client.read(buffer.subarray(got), { timeout: 5000 }))!;
  assert.equal(hex(buffer), "0102030405060708");
  await client.write(new Uint8Array([0xca, 0xfe]));
  assert.equal(await server.line(), "cafe");
  client.close();
  assert.equal((await server.exit()).code, 0);

  using listener = TcpListener.listen("127.0.0.1:0");
  await using cClient = spawnPeer(exe, ["client", String(listener.localAddress.port)]);
  using conn = await listener.accept({ timeout: 10_000 });
  const head = new Uint8Array(8);
  got = 0;
  while (got < 8) got += (await conn.read(head.subarray(got), { timeout: 5000 }))!;
  const view = new DataView(head.buffer);
  assert.equal(view.getUint32(0), 0x01020304, "big-endian on the wire");
  assert.equal(view.getUint16(4), 0x0506);
  assert.equal(decoder.decode(head.subarray(6)), "C!");
  await conn.write(encoder.encode("ok"));
  conn.shutdown();
  assert.equal(await cClient.line(), hex(encoder.encode("ok")));
  assert.equal((await cClient.exit()).code, 0);
}, { peers: [peers.gcc] });

test("Node's net module connects to our listener, and we connect to Node's server", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  await using node = spawnNode(
    `
    const net = require("node:net");
    const server = net.createServer((socket) => {
      socket.end("node says hi");
      server.close();
    });
    server.listen(0, "127.0.0.1", () => {
      console.log("port " + server.address().port);
      const client = net.connect(Number(process.argv[1]), "127.0.0.1");
      let got = "";
      client.on("data", (d) => got += d);
      client.on("end", () => console.log("client got " + got));
      client.write("to unixipc");
      client.end();
    });
  `,
    [String(listener.localAddress.port)],
  );
  const port = Number((await node.line()).split(" ")[1]);
  using accepted = await listener.accept({ timeout: 10_000 });
  assert.equal(await readAll(accepted), "to unixipc");
  await accepted.write(encoder.encode("from unixipc"));
  accepted.shutdown();
  using ours = await TcpConnection.connect({ address: "127.0.0.1", port }, { timeout: 5000 });
  assert.equal(await readAll(ours), "node says hi");
  ours.close();
  assert.equal(await node.line(), "client got from unixipc");
  assert.equal((await node.exit()).code, 0);
}, { peers: [peers.node] });

test("Deno's own TCP (Deno.connect, Deno.listen) and ours talk both ways", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  await using child = spawnDeno(
    `
    const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    console.log("port " + (server.addr as Deno.NetAddr).port);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(Deno.args[0]) });
    await conn.write(new TextEncoder().encode("from deno"));
    await conn.closeWrite();
    const reply = await new Response(conn.readable).text();
    console.log("reply " + reply);
    const accepted = await server.accept();
    await accepted.write(new TextEncoder().encode("deno server"));
    accepted.close();
    server.close();
  `,
    [String(listener.localAddress.port)],
  );
  const port = Number((await child.line(20_000)).split(" ")[1]);
  using accepted = await listener.accept({ timeout: 10_000 });
  assert.equal(await readAll(accepted), "from deno");
  await accepted.write(encoder.encode("from unixipc"));
  accepted.shutdown();
  assert.equal(await child.line(), "reply from unixipc");
  using ours = await TcpConnection.connect({ address: "127.0.0.1", port }, { timeout: 5000 });
  assert.equal(await readAll(ours), "deno server");
  assert.equal((await child.exit()).code, 0);
});

test("nc connects to our listener, and we connect to nc -l", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  await using nc = spawnPeer("nc", ["-N", "127.0.0.1", String(listener.localAddress.port)], {
    stdin: "from nc\n",
  });
  using accepted = await listener.accept({ timeout: 10_000 });
  assert.equal(await readAll(accepted), "from nc\n");
  await accepted.write(encoder.encode("to nc\n"));
  accepted.shutdown();
  assert.equal(await nc.line(), "to nc");
  assert.equal((await nc.exit()).code, 0);

  const probe = TcpListener.listen("127.0.0.1:0");
  const port = probe.localAddress.port;
  probe.close();
  await using _server = spawnPeer("nc", ["-l", "-N", "127.0.0.1", String(port)], {
    stdin: "nc server\n",
  });
  let conn: TcpConnection | undefined;
  for (let i = 0; i < 200 && !conn; i++) {
    try {
      conn = await TcpConnection.connect(new SocketAddress({ address: "127.0.0.1", port }));
    } catch (error) {
      if ((error as Error & { code?: string }).code !== "ECONNREFUSED") throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  assert.ok(conn, "nc -l never listened");
  using _conn = conn;
  assert.equal(await readAll(conn), "nc server\n");
}, { peers: [peers.nc] });

test("SO_RCVTIMEO bounds a blocking readSync(): EAGAIN, naming the option", () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  using client = TcpConnection.connectSync(listener.localAddress);
  using _server = listener.acceptSync({ timeout: 5000 });
  client.setOption("SO_RCVTIMEO", 20);
  assert.throws(
    () => client.readSync(new Uint8Array(8)),
    (e: Error & { code?: string }) => e.code === "EAGAIN" && /SO_RCVTIMEO/.test(e.message),
  );
});

test("an adopted O_NONBLOCK connection is left so, and sync and async reads both work on it", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const { socket, connect, fcntl } = libc();
  const fd = socket(2, 1 | 0o2000000 | 0o4000, 0);
  const sockaddr = listener.localAddress.toSockaddr();
  connect(fd, sockaddr, sockaddr.length);
  using server = await listener.accept({ timeout: 5000 });
  using adopted = new TcpConnection(fd);
  assert.ok(fcntl(fd, 3, 0) & 0o4000, "left non-blocking");
  const buffer = new Uint8Array(8);
  assert.throws(() => adopted.readSync(buffer, { timeout: 10 }), { name: "TimeoutError" });
  server.writeSync(encoder.encode("sync"));
  assert.equal(adopted.readSync(buffer), 4);
  const reading = adopted.read(buffer, { timeout: 5000 });
  server.writeSync(encoder.encode("async"));
  assert.equal(await reading, 5);
});
