/**
 * The libc core against raw `Deno.dlopen`, as `Deno.bench` cases (the same
 * measures as scripts/bench/core.ts, which adds C and ratios):
 *
 *   deno bench -A scripts/bench/core_bench.ts
 *
 * @module
 */

import { lastError, libc } from "../../ipc/_libc.ts";

const MESSAGE = 64;
const size = BigInt(MESSAGE);
const raw = {
  ...Deno.dlopen("libc.so.6", {
    __errno_location: { parameters: [], result: "pointer" },
    msgsnd: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
    msgrcv: { parameters: ["i32", "buffer", "usize", "i64", "i32"], result: "isize" },
  }).symbols,
};
const { __errno_location, msgsnd, msgrcv, msgget, msgctl } = libc();

const queue = msgget(0, 0o1000 | 0o600);
if (queue === -1) throw lastError("msgget", { action: "create a private message queue" });
globalThis.addEventListener("unload", () => msgctl(queue, 0, null));

const out = new Uint8Array(8 + MESSAGE).fill(0x78);
new DataView(out.buffer).setBigInt64(0, 1n, true);
const into = new Uint8Array(8 + MESSAGE);

Deno.bench("no syscall: raw Deno.dlopen", { group: "no syscall", baseline: true }, () => {
  raw.__errno_location();
});
Deno.bench("no syscall: unixipc libc()", { group: "no syscall" }, () => {
  __errno_location();
});
Deno.bench("msg pair: raw Deno.dlopen", { group: "msg pair", baseline: true }, () => {
  if (raw.msgsnd(queue, out, size, 0) === -1) throw new Error("msgsnd");
  if (raw.msgrcv(queue, into, size, 0n, 0) === -1n) throw new Error("msgrcv");
});
Deno.bench("msg pair: unixipc libc()", { group: "msg pair" }, () => {
  if (msgsnd(queue, out, size, 0) === -1) {
    throw lastError("msgsnd", { action: `send to message queue ${queue}` });
  }
  if (msgrcv(queue, into, size, 0n, 0) === -1n) {
    throw lastError("msgrcv", { action: `receive from message queue ${queue}` });
  }
});
