import assert from "node:assert/strict";
import { libc } from "../../ipc/_libc.ts";
import { TcpConnection, TcpListener } from "../../net/mod.ts";
import { test } from "../_util.ts";

const encoder = new TextEncoder();

test("TcpListener.listen() on port 0 gets a port, and localAddress says which", () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  assert.equal(listener.localAddress.address, "127.0.0.1");
  assert.ok(listener.localAddress.port > 0);
  assert.equal(listener.getOption("SO_REUSEADDR"), true, "servers reuse the address by default");
  using any = TcpListener.listen({ port: 0 });
  assert.equal(any.localAddress.address, "0.0.0.0");
  using six = TcpListener.listen({ port: 0 }, { family: "ipv6" });
  assert.equal(six.localAddress.address, "::");
});

test("a second listener on a busy port fails with EADDRINUSE, naming the address", () => {
  using first = TcpListener.listen("127.0.0.1:0");
  assert.throws(
    () => TcpListener.listen(first.localAddress),
    (e: Error & { code?: string }) =>
      e.code === "EADDRINUSE" && e.message.includes(String(first.localAddress)),
  );
});

test("with reusePort, two listeners share a port and the kernel spreads clients across them", () => {
  using a = TcpListener.listen("127.0.0.1:0", { reusePort: true });
  using b = TcpListener.listen(a.localAddress, { reusePort: true });
  assert.equal(b.localAddress.port, a.localAddress.port);
  const clients = Array.from({ length: 32 }, () => TcpConnection.connectSync(a.localAddress));
  let accepted = 0;
  const counts = [0, 0];
  for (const [i, listener] of [a, b].entries()) {
    for (;;) {
      try {
        listener.acceptSync({ timeout: 0 }).close();
        counts[i]!++;
        accepted++;
      } catch {
        break;
      }
    }
  }
  for (const c of clients) c.close();
  assert.equal(accepted, 32);
  assert.ok(counts[0]! > 0 && counts[1]! > 0, `spread ${counts}`);
});

test("accept() waits without blocking the event loop, and many clients are all accepted", async () => {
  using listener = TcpListener.listen("127.0.0.1:0", { backlog: 128 });
  const accepting = listener.accept();
  let ticks = 0;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5)).then(() => ticks++);
  }
  assert.equal(ticks, 3);
  const clients = await Promise.all(
    Array.from(
      { length: 100 },
      () => TcpConnection.connect(listener.localAddress, { timeout: 5000 }),
    ),
  );
  const servers = [await accepting];
  while (servers.length < 100) servers.push(await listener.accept({ timeout: 5000 }));
  const ports = new Set(servers.map((s) => s.remoteAddress.port));
  assert.deepEqual(ports, new Set(clients.map((c) => c.localAddress.port)));
  for (const c of [...clients, ...servers]) c.close();
});

test("accept() can be aborted or time out, and takes no connection then", async () => {
  using listener = TcpListener.listen("127.0.0.1:0");
  const controller = new AbortController();
  const pending = listener.accept({ signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, { name: "AbortError" });
  await assert.rejects(listener.accept({ timeout: 20 }), { name: "TimeoutError" });
  assert.throws(
    () => listener.acceptSync({ timeout: 20 }),
    (e: Error) => e.name === "TimeoutError" && e.message.includes(String(listener.localAddress)),
  );
  using client = TcpConnection.connectSync(listener.localAddress);
  using server = await listener.accept({ timeout: 5000 });
  assert.ok(server.remoteAddress.equals(client.localAddress));
});

test("closing a listener rejects a pending accept with EBADF and ends its iteration", async () => {
  const listener = TcpListener.listen("127.0.0.1:0");
  const pending = listener.accept();
  const iterating = (async () => {
    let n = 0;
    for await (const c of listener) {
      c.close();
      n++;
    }
    return n;
  })();
  const client = TcpConnection.connectSync(listener.localAddress);
  await new Promise((resolve) => setTimeout(resolve, 20));
  listener.close();
  const settled = await Promise.allSettled([pending]);
  client.close();
  const iterated = await iterating;
  assert.equal(settled.length, 1);
  if (settled[0]!.status === "fulfilled") settled[0]!.value.close();
  else assert.equal((settled[0]!.reason as { code?: string }).code, "EBADF");
  assert.ok(iterated <= 1);
  listener.close();
  assert.equal(listener.closed, true);
  assert.throws(() => listener.acceptSync(), { code: "EBADF" });
  assert.throws(() => listener.localAddress, { code: "EBADF" });
});

test("connections accepted before the listener closes stay open", async () => {
  const listener = TcpListener.listen("127.0.0.1:0");
  using client = TcpConnection.connectSync(listener.localAddress);
  using server = listener.acceptSync({ timeout: 5000 });
  listener.close();
  await client.write(encoder.encode("still here"));
  const buffer = new Uint8Array(16);
  assert.equal(await server.read(buffer, { timeout: 5000 }), 10);
});

test("noDelay set on the listener is inherited by accepted connections", () => {
  using listener = TcpListener.listen("127.0.0.1:0", { noDelay: true });
  using client = TcpConnection.connectSync(listener.localAddress);
  using server = listener.acceptSync({ timeout: 5000 });
  assert.equal(server.getOption("TCP_NODELAY"), true);
  assert.equal(client.getOption("TCP_NODELAY"), false);
});

test("an IPv6 listener on [::] accepts IPv4 clients unless ipv6Only", async () => {
  using dual = TcpListener.listen({ port: 0 }, { family: "ipv6", ipv6Only: false });
  using _client = await TcpConnection.connect({
    address: "127.0.0.1",
    port: dual.localAddress.port,
  });
  using server = await dual.accept({ timeout: 5000 });
  assert.equal(server.remoteAddress.address, "::ffff:127.0.0.1");
  using only = TcpListener.listen({ port: 0 }, { family: "ipv6", ipv6Only: true });
  await assert.rejects(
    TcpConnection.connect({ address: "127.0.0.1", port: only.localAddress.port }),
    { code: "ECONNREFUSED" },
  );
  using v6client = await TcpConnection.connect({ address: "::1", port: only.localAddress.port });
  using v6server = await only.accept({ timeout: 5000 });
  assert.equal(v6server.remoteAddress.address, "::1");
  assert.equal(v6client.family, "ipv6");
});

test("new TcpListener(fd) adopts a listening socket made elsewhere, and makes it non-blocking", async () => {
  const { socket, bind, listen, fcntl } = libc();
  const fd = socket(2, 1 | 0o2000000, 0);
  const sockaddr = new Uint8Array([2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(bind(fd, sockaddr, 16), 0);
  assert.equal(listen(fd, 8), 0);
  using listener = new TcpListener(fd);
  assert.ok(fcntl(fd, 3, 0) & 0o4000, "O_NONBLOCK");
  using client = TcpConnection.connectSync(listener.localAddress);
  using server = await listener.accept({ timeout: 5000 });
  assert.ok(server.remoteAddress.equals(client.localAddress));
});

test("bad listen arguments are errors before any call", () => {
  assert.throws(() => TcpListener.listen("127.0.0.1:65536"), RangeError);
  assert.throws(() => TcpListener.listen("localhost:0"), RangeError);
  for (const backlog of [-1, 1.5, NaN, -0, 2 ** 31]) {
    assert.throws(
      () => TcpListener.listen("127.0.0.1:0", { backlog }),
      RangeError,
      String(backlog),
    );
  }
  assert.throws(
    () => TcpListener.listen("127.0.0.1:0", { reuseAddress: "yes" as unknown as boolean }),
    TypeError,
  );
  assert.throws(() => TcpListener.listen("127.0.0.1:0", { ipv6Only: true }), /IPv6 listeners only/);
  assert.throws(() => TcpListener.listen("[::1]:0", { family: "ipv4" }), RangeError);
  assert.throws(() => new TcpListener(-1), RangeError);
  assert.throws(() => new TcpListener(987654), { code: "EBADF" });
});
