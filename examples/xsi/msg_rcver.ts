/**
 * The passive side of the message queue example: creates the queue of the
 * key `ftok(KEYPATH, KEYPROJ)` (mode 0600), prints each record it receives
 * as one JSON line, and removes the queue when it stops: after `--count`
 * records, or on SIGINT or SIGTERM.
 *
 *   deno run --allow-ffi examples/xsi/msg_rcver.ts [--key-path P] [--proj C] [--count N]
 *   node npm/examples/xsi/msg_rcver.js [--key-path P] [--proj C] [--count N]  # after deno task build:npm
 *
 * Then send records with `examples/xsi/msg_snder.ts`, or with any C program
 * that sends `struct msg_st` to the same key.
 *
 * Needs `--allow-ffi` (System V calls go through libc).
 *
 * @module
 */

import process from "node:process";
import { formatKey, ftok, MessageQueue } from "../../xsi/mod.ts";
import { integerOption, KEYPATH, KEYPROJ, MsgSt, option } from "./proto.ts";

const keyPath = option("--key-path", KEYPATH);
const proj = option("--proj", KEYPROJ);
// 0: no limit.
const count = integerOption("--count", 0, 0, 2 ** 31 - 1);

const key = ftok(keyPath, proj);
using queue = MessageQueue.open(key, { create: true, mode: 0o600 });

// SIGINT and SIGTERM end the wait; the queue is removed on the way out.
const stop = new AbortController();
const onSignal = () => stop.abort();
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

console.error(
  `msg_rcver: waiting on message queue ${queue.id} (key ${
    formatKey(key)
  } from ${keyPath}, '${proj}')`,
);
let received = 0;
try {
  for await (const { data } of queue.messages({ layout: MsgSt, signal: stop.signal })) {
    console.log(JSON.stringify({ name: data.name, math: data.math, chinese: data.chinese }));
    if (++received === count) break;
  }
} catch (error) {
  if (!stop.signal.aborted) throw error;
} finally {
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  queue.remove();
}
console.error(`msg_rcver: received ${received} record(s); queue ${queue.id} removed`);
