/**
 * `ls -l | wc -l`, built from `pipe` and `spawn`: ls writes into the pipe,
 * wc reads from it and prints the count on our stdout.
 *
 *   deno run --allow-ffi examples/ipc/pipeline.ts [directory]
 *   node npm/examples/ipc/pipeline.js [directory]  # after deno task build:npm
 *
 * What a shell does for a pipeline: make a pipe, start each program with
 * one end as its stdout or stdin, close both ends in the parent (or wc would
 * wait for ever for the end of the stream), wait for both.
 *
 * Needs `--allow-ffi` (full access: it calls libc).
 *
 * @module
 */

import process from "node:process";
import { pipe, spawn } from "../../ipc/mod.ts";

const directory = process.argv[2] ?? ".";

using p = pipe();
const ls = spawn("ls", { args: ["-l", directory], fds: { 1: p.write } });
const wc = spawn("wc", { args: ["-l"], fds: { 0: p.read } });
p.close(); // Both children have their ends: ours would keep the pipe open.

const [lsStatus, wcStatus] = await Promise.all([ls.wait(), wc.wait()]);
if (!lsStatus.success || !wcStatus.success) {
  console.error(`ls exited with ${lsStatus.code}, wc with ${wcStatus.code}`);
  process.exit(1);
}
