/**
 * The passive side of a FIFO: creates it if it does not exist, waits for a
 * writer, prints every line it reads, and exits at the end of the stream
 * (when the last writer closes it).
 *
 *   deno run --allow-ffi examples/ipc/fifo_reader.ts /tmp/demo.fifo
 *
 * Then, from another terminal: `deno run --allow-ffi examples/ipc/fifo_writer.ts
 * /tmp/demo.fifo hello`, or any program: `echo hello > /tmp/demo.fifo`.
 *
 * Waiting for the writer holds no thread and never blocks the event loop.
 * Needs `--allow-ffi` (full access: it calls libc).
 *
 * @module
 */

import { ErrnoError, mkfifo, openFifo } from "@unixipc/unixipc/ipc";

const path = Deno.args[0];
if (!path) {
  console.error("usage: fifo_reader.ts <path>");
  Deno.exit(2);
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
