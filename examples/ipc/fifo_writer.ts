/**
 * The active side of a FIFO: opens it for writing (waiting for a reader if
 * none is there yet), writes the text and a newline, and closes it.
 *
 *   deno run --allow-ffi examples/ipc/fifo_writer.ts /tmp/demo.fifo hello world
 *   node npm/examples/ipc/fifo_writer.js /tmp/demo.fifo hello world  # after deno task build:npm
 *
 * Start `fifo_reader.ts` (or `cat /tmp/demo.fifo`) first. A line of at most
 * PIPE_BUF (4096) bytes is written atomically: lines of several writers
 * never mix.
 *
 * Needs `--allow-ffi` (full access: it calls libc).
 *
 * @module
 */

import process from "node:process";
import { ErrnoError, type FdHandle, openFifo } from "../../ipc/mod.ts";

const [path, ...words] = process.argv.slice(2);
if (!path || words.length === 0) {
  console.error("usage: fifo_writer.ts <path> <text...>");
  process.exit(2);
}

let fifo: FdHandle;
try {
  fifo = await openFifo(path, "write", { wait: false });
} catch (error) {
  if (!(error instanceof ErrnoError && error.code === "ENXIO")) {
    console.error(`fifo_writer: ${(error as Error).message}`);
    process.exit(1);
  }
  console.error(`fifo_writer: waiting for a reader on ${path}`);
  fifo = await openFifo(path, "write");
}
using _ = fifo;
await fifo.write(new TextEncoder().encode(`${words.join(" ")}\n`));
console.error(`fifo_writer: wrote ${words.join(" ").length + 1} bytes to ${path}`);
