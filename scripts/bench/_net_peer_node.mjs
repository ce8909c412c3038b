// The Node side of the net benchmark: the roles of c/net_peer.c with
// node:dgram and node:net. Run by scripts/bench/net.ts:
//
//   node scripts/bench/_net_peer_node.mjs <role> [args]

import dgram from "node:dgram";
import net from "node:net";

const MSG = 64;
const CHUNK = 65536;
const [role, ...args] = process.argv.slice(2);
const message = Buffer.alloc(MSG, 0x78);
const chunk = Buffer.alloc(CHUNK, 0x78);
const host = "127.0.0.1";
const say = (line) => process.stdout.write(`${line}\n`);
const timeLine = () => `${Math.floor(Date.now() / 1000)}\r\n`;

/** Calls `onMessage` once per 64-byte message arriving on a stream socket. */
function messages(socket, onMessage) {
  let pending = 0;
  socket.on("data", (data) => {
    pending += data.length;
    while (pending >= MSG) {
      pending -= MSG;
      onMessage();
    }
  });
}

const roles = {
  "udp-echo"() {
    const s = dgram.createSocket("udp4");
    s.on("message", (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
    s.bind(0, host, () => say(`port ${s.address().port}`));
  },
  "udp-client"() {
    const s = dgram.createSocket("udp4");
    const port = Number(args[0]);
    const n = Number(args[1]);
    let i = -Math.floor(n / 10);
    let start = 0;
    s.on("message", () => {
      i++;
      if (i === 0) start = performance.now();
      if (i === n) {
        say(((performance.now() - start) * 1000 / n).toFixed(3));
        s.close();
        return;
      }
      s.send(message, port, host);
    });
    s.send(message, port, host);
  },
  "tcp-echo"() {
    const server = net.createServer({ noDelay: true }, (socket) => {
      messages(socket, () => socket.write(message));
      socket.on("end", () => server.close());
    });
    server.listen(0, host, () => say(`port ${server.address().port}`));
  },
  "tcp-client"() {
    const socket = net.connect({ port: Number(args[0]), host, noDelay: true });
    const n = Number(args[1]);
    let i = -Math.floor(n / 10);
    let start = 0;
    messages(socket, () => {
      i++;
      if (i === 0) start = performance.now();
      if (i === n) {
        say(((performance.now() - start) * 1000 / n).toFixed(3));
        socket.end();
        return;
      }
      socket.write(message);
    });
    socket.on("connect", () => socket.write(message));
  },
  "tcp-sink"() {
    const server = net.createServer((socket) => {
      socket.on("data", () => {});
      socket.on("end", () => {
        socket.end("!");
        server.close();
      });
    });
    server.listen(0, host, () => say(`port ${server.address().port}`));
  },
  "tcp-source"() {
    const socket = net.connect({ port: Number(args[0]), host });
    let left = Number(args[1]) * (1024 * 1024 / CHUNK);
    const start = performance.now();
    const pump = () => {
      while (left > 0) {
        left--;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
      socket.end();
    };
    socket.on("connect", pump);
    socket.on("data", () => {
      say((Number(args[1]) / ((performance.now() - start) / 1000)).toFixed(1));
      socket.destroy();
    });
  },
  "accept-server"() {
    const server = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.end(timeLine());
    });
    server.listen({ port: 0, host, backlog: 4096 }, () => say(`port ${server.address().port}`));
  },
};

const run = roles[role];
if (!run) {
  console.error(`usage: _net_peer_node.mjs <role> [args]: no role ${role}`);
  process.exit(2);
}
run();
