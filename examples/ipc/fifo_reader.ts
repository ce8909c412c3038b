/**
 * The passive side of a FIFO: creates it if it does not exist, waits for a
 * writer, prints every line it reads, and exits at the end of the stream
 * (when the last writer closes it).
 *
 *   deno run --allow-ffi examples/ipc/fifo_reader.ts /tmp/demo.fifo
 *   node npm/examples/ipc/fifo_reader.js /tmp/demo.fifo  # after deno task build:npm
 *
 * Then, from another terminal: `deno run --allow-ffi examples/ipc/fifo_writer.ts
 * /tmp/demo.fifo hello`, or any program: `echo hello > /tmp/demo.fifo`.
 *
 * Waiting for the writer holds no thread and never blocks the event loop.
 * Needs `--allow-ffi` (full access: it calls libc).
 *
 * @module
 */

import process from "node:process";
import { ErrnoError, mkfifo, openFifo } from "../../ipc/mod.ts";

const path = process.argv[2];
if (!path) {
  console.error("usage: fifo_reader.ts <path>");
  process.exit(2);
}

try {
  mkfifo(path); // 0600: only this user may open it.
} catch (error) {
  if (!(error instanceof ErrnoError && error.code === "EEXIST")) throw error;
}
console.error(`fifo_reader: waiting for a writer on ${path}`);
using fifo = await openFifo(path, "read");
console.error("fifo_reader: a writer is connected");

const decoder = new TextDecoder();
let pending = "";
for await (const chunk of fifo.readable) {
  pending += decoder.decode(chunk, { stream: true });
  const lines = pending.split("\n");
  pending = lines.pop()!;
  for (const line of lines) console.log(line);
}
pending += decoder.decode();
if (pending) console.log(pending);
console.error("fifo_reader: end of stream");
