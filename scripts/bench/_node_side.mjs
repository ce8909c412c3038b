// The Node side of scripts/bench/node.ts: the loops of _msg_loops.ts on the
// npm build of unixipc, and on a raw koffi binding of libc. DIR is where
// node.ts put what this side imports: a copy of the npm build (DIR/npm/,
// from `deno task build:npm`, so that a rebuild during the run changes
// nothing) and _msg_loops.ts compiled for Node (DIR/_msg_loops.mjs). The
// queue is the caller's: it creates it and removes it.
//
//   node scripts/bench/_node_side.mjs DIR pair libc|raw PAIRS SIZE QUEUE_ID
//   node scripts/bench/_node_side.mjs DIR pingpong sync|async server|client N WARM SIZE QUEUE_ID
//
// Prints the ns per pair (pair) or per round trip (the ping-pong's client).

import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, work, mode, ...rest] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(dir, path)).href);
const { default: koffi } = await load("npm/node_modules/koffi/index.js"); // the library's entry
const { lastError, libc } = await load("npm/ipc/_libc.js");
const { MessageQueue } = await load("npm/xsi/mod.js");
const { libcPairs, pingPongAsync, pingPongSync, rawPairs } = await load("_msg_loops.mjs");
const say = (line) => process.stdout.write(`${line}\n`);

if (work === "pair") {
  const [pairs, size, queue] = rest.map(Number);
  const out = new Uint8Array(8 + size).fill(0x78);
  new DataView(out.buffer).setBigInt64(0, 1n, true);
  const loop = { queue, out, into: new Uint8Array(8 + size), pairs };
  let run;
  if (mode === "libc") {
    const symbols = libc();
    run = () => libcPairs(symbols, lastError, loop);
  } else if (mode === "raw") {
    // koffi as its documentation has it: C prototypes, numbers for 64-bit values.
    const lib = koffi.load("libc.so.6");
    const raw = {
      msgsnd: lib.func("int msgsnd(int msqid, void *msgp, size_t msgsz, int msgflg)"),
      msgrcv: lib.func(
        "long msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg)",
      ),
    };
    run = () => rawPairs(raw, 0, loop);
  } else {
    throw new Error(`pair: no mode ${mode} (libc or raw)`);
  }
  run(); // warm-up: the JIT, page faults
  const t0 = performance.now();
  run();
  say(((performance.now() - t0) * 1e6) / pairs);
} else if (work === "pingpong") {
  const [side, ...numbers] = rest;
  const [n, warm, size, id] = numbers.map(Number);
  const queue = MessageQueue.fromId(id);
  try {
    const options = {
      queue,
      server: side === "server",
      n,
      warm,
      data: new Uint8Array(size).fill(0x78),
      into: new Uint8Array(size),
    };
    if (mode !== "sync" && mode !== "async") {
      throw new Error(`pingpong: no mode ${mode} (sync or async)`);
    }
    const ns = mode === "sync" ? pingPongSync(options) : await pingPongAsync(options);
    if (ns !== undefined) say(ns);
  } finally {
    queue.close();
  }
} else {
  console.error(`usage: _node_side.mjs pair|pingpong ...: no work ${work}`);
  process.exit(2);
}
