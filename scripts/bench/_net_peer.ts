/**
 * The Deno side of the net benchmark: the roles of `c/net_peer.c`, written
 * with unixipc's sync API, its async API, or Deno's built-in sockets.
 *
 *   deno run -A --unstable-net scripts/bench/_net_peer.ts <sync|async|deno> <role> [args]
 *
 * Roles: udp-echo, udp-client PORT N, tcp-echo, tcp-client PORT N,
 * tcp-sink, tcp-source PORT MB, accept-server (as in `c/net_peer.c`).
 * Servers print "port N" once ready; clients print their one figure.
 *
 * @module
 */

import { SocketAddress, TcpConnection, TcpListener, UdpSocket } from "../../net/mod.ts";

const MSG = 64;
const CHUNK = 65536;
const [impl, role, ...args] = Deno.args;
const message = new Uint8Array(MSG).fill(0x78);
const buffer = new Uint8Array(CHUNK).fill(0x78);
const encoder = new TextEncoder();

function say(line: string): void {
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));
}

function timeLine(): Uint8Array {
  return encoder.encode(`${Math.floor(Date.now() / 1000)}\r\n`);
}

const to = () => new SocketAddress({ address: "127.0.0.1", port: Number(args[0]) });
const count = () => Number(args[1]);

// ---- unixipc, sync ------------------------------------------------------------------

function readExactlySync(c: TcpConnection, into: Uint8Array): boolean {
  let got = 0;
  while (got < into.length) {
    const n = c.readSync(got === 0 ? into : into.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return true;
}

const sync: Record<string, () => void> = {
  "udp-echo"() {
    const s = UdpSocket.bind("127.0.0.1:0");
    say(`port ${s.localAddress.port}`);
    const options = { buffer };
    for (;;) {
      const d = s.receiveFromSync(options);
      s.sendToSync(d.data, d.from);
    }
  },
  "udp-client"() {
    const s = new UdpSocket();
    const peer = to();
    const n = count();
    const options = { buffer };
    let start = 0;
    for (let i = -Math.floor(n / 10); i < n; i++) {
      if (i === 0) start = performance.now();
      s.sendToSync(message, peer);
      s.receiveSync(options);
    }
    say(((performance.now() - start) * 1000 / n).toFixed(3));
  },
  "tcp-echo"() {
    const l = TcpListener.listen("127.0.0.1:0", { noDelay: true });
    say(`port ${l.localAddress.port}`);
    const c = l.acceptSync();
    const m = new Uint8Array(MSG);
    while (readExactlySync(c, m)) c.writeSync(m);
  },
  "tcp-client"() {
    const c = TcpConnection.connectSync(to(), { noDelay: true });
    const n = count();
    const m = new Uint8Array(MSG);
    let start = 0;
    for (let i = -Math.floor(n / 10); i < n; i++) {
      if (i === 0) start = performance.now();
      c.writeSync(message);
      if (!readExactlySync(c, m)) throw new Error("the echo server closed");
    }
    say(((performance.now() - start) * 1000 / n).toFixed(3));
  },
  "tcp-sink"() {
    const l = TcpListener.listen("127.0.0.1:0");
    say(`port ${l.localAddress.port}`);
    const c = l.acceptSync();
    while (c.readSync(buffer) !== null) { /* discard */ }
    c.writeSync(encoder.encode("!"));
    c.close();
  },
  "tcp-source"() {
    const c = TcpConnection.connectSync(to());
    const chunks = Number(args[1]) * (1024 * 1024 / CHUNK);
    const start = performance.now();
    for (let i = 0; i < chunks; i++) c.writeSync(buffer);
    c.shutdown("write");
    c.readSync(new Uint8Array(1));
    say((Number(args[1]) / ((performance.now() - start) / 1000)).toFixed(1));
  },
  "accept-server"() {
    const l = TcpListener.listen("127.0.0.1:0");
    say(`port ${l.localAddress.port}`);
    for (;;) {
      const c = l.acceptSync();
      try {
        c.writeSync(timeLine());
      } catch {
        // The client went away.
      }
      c.close();
    }
  },
};

// ---- unixipc, async -----------------------------------------------------------------

async function readExactly(c: TcpConnection, into: Uint8Array): Promise<boolean> {
  let got = 0;
  while (got < into.length) {
    const n = await c.read(got === 0 ? into : into.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return true;
}

const async_: Record<string, () => Promise<void>> = {
  async "udp-echo"() {
    const s = UdpSocket.bind("127.0.0.1:0");
    say(`port ${s.localAddress.port}`);
    const options = { buffer };
    for (;;) {
      const d = await s.receiveFrom(options);
      await s.sendTo(d.data, d.from);
    }
  },
  async "udp-client"() {
    const s = new UdpSocket();
    const peer = to();
    const n = count();
    const options = { buffer };
    let start = 0;
    for (let i = -Math.floor(n / 10); i < n; i++) {
      if (i === 0) start = performance.now();
      await s.sendTo(message, peer);
      await s.receive(options);
    }
    say(((performance.now() - start) * 1000 / n).toFixed(3));
  },
  async "tcp-echo"() {
    const l = TcpListener.listen("127.0.0.1:0", { noDelay: true });
    say(`port ${l.localAddress.port}`);
    const c = await l.accept();
    const m = new Uint8Array(MSG);
    while (await readExactly(c, m)) await c.write(m);
  },
  async "tcp-client"() {
    const c = await TcpConnection.connect(to(), { noDelay: true });
    const n = count();
    const m = new Uint8Array(MSG);
    let start = 0;
    for (let i = -Math.floor(n / 10); i < n; i++) {
      if (i === 0) start = performance.now();
      await c.write(message);
      if (!(await readExactly(c, m))) throw new Error("the echo server closed");
    }
    say(((performance.now() - start) * 1000 / n).toFixed(3));
  },
  async "tcp-sink"() {
    const l = TcpListener.listen("127.0.0.1:0");
    say(`port ${l.localAddress.port}`);
    const c = await l.accept();
    while ((await c.read(buffer)) !== null) { /* discard */ }
    await c.write(encoder.encode("!"));
    c.close();
  },
  async "tcp-source"() {
    const c = await TcpConnection.connect(to());
    const chunks = Number(args[1]) * (1024 * 1024 / CHUNK);
    const start = performance.now();
    for (let i = 0; i < chunks; i++) await c.write(buffer);
    c.shutdown("write");
    await c.read(new Uint8Array(1));
    say((Number(args[1]) / ((performance.now() - start) / 1000)).toFixed(1));
  },
  async "accept-server"() {
    const l = TcpListener.listen("127.0.0.1:0");
    say(`port ${l.localAddress.port}`);
    for await (const c of l) {
      c.write(timeLine()).catch(() => {}).finally(() => c.close());
    }
  },
};

// ---- Deno's built-in sockets --------------------------------------------------------

async function denoReadExactly(c: Deno.Conn, into: Uint8Array): Promise<boolean> {
  let got = 0;
  while (got < into.length) {
    const n = await c.read(got === 0 ? into : into.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return true;
}

async function denoWriteAll(c: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await c.write(off === 0 ? data : data.subarray(off));
}

const hostname = "127.0.0.1";

const deno: Record<string, () => Promise<void>> = {
  async "udp-echo"() {
    const s = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    say(`port ${(s.addr as Deno.NetAddr).port}`);
    for (;;) {
      const [data, from] = await s.receive(buffer);
      await s.send(data, from);
    }
  },
  async "udp-client"() {
    const s = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    const peer: Deno.NetAddr = { transport: "udp", hostname, port: Number(args[0]) };
    const n = count();
    let start = 0;
    for (let i = -Math.floor(n / 10); i < n; i++) {
      if (i === 0) start = performance.now();
      await s.send(message, peer);
      await s.receive(buffer);
    }
    say(((performance.now() - start) * 1000 / n).toFixed(3));
    s.close();
  },
  async "tcp-echo"() {
    const l = Deno.listen({ hostname, port: 0 });
    say(`port ${(l.addr as Deno.NetAddr).port}`);
    const c = await l.accept();
    c.setNoDelay(true);
    const m = new Uint8Array(MSG);
    while (await denoReadExactly(c, m)) await denoWriteAll(c, m);
  },
  async "tcp-client"() {
    const c = await Deno.connect({ hostname, port: Number(args[0]) });
    c.setNoDelay(true);
    const n = count();
    const m = new Uint8Array(MSG);
    let start = 0;
    for (let i = -Math.floor(n / 10); i < n; i++) {
      if (i === 0) start = performance.now();
      await denoWriteAll(c, message);
      if (!(await denoReadExactly(c, m))) throw new Error("the echo server closed");
    }
    say(((performance.now() - start) * 1000 / n).toFixed(3));
    c.close();
  },
  async "tcp-sink"() {
    const l = Deno.listen({ hostname, port: 0 });
    say(`port ${(l.addr as Deno.NetAddr).port}`);
    const c = await l.accept();
    while ((await c.read(buffer)) !== null) { /* discard */ }
    await denoWriteAll(c, encoder.encode("!"));
    c.close();
  },
  async "tcp-source"() {
    const c = await Deno.connect({ hostname, port: Number(args[0]) });
    const chunks = Number(args[1]) * (1024 * 1024 / CHUNK);
    const start = performance.now();
    for (let i = 0; i < chunks; i++) await denoWriteAll(c, buffer);
    await c.closeWrite();
    await c.read(new Uint8Array(1));
    say((Number(args[1]) / ((performance.now() - start) / 1000)).toFixed(1));
    c.close();
  },
  async "accept-server"() {
    const l = Deno.listen({ hostname, port: 0 });
    say(`port ${(l.addr as Deno.NetAddr).port}`);
    for await (const c of l) {
      denoWriteAll(c, timeLine()).catch(() => {}).finally(() => c.close());
    }
  },
};

const table = { sync, async: async_, deno } as Record<string, Record<string, () => unknown>>;
const run = table[impl!]?.[role!];
if (!run) {
  console.error(`usage: _net_peer.ts <sync|async|deno> <role> [args]: no ${impl} ${role}`);
  Deno.exit(2);
}
await run();
Deno.exit(0);
