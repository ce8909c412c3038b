/**
 * A pipe from a parent to the child it spawned: the parent writes `Hello!`,
 * the child reads it from its fd 3 and prints it.
 *
 *   deno run --allow-ffi examples/ipc/pipe.ts
 *   node npm/examples/ipc/pipe.js  # after deno task build:npm
 *
 * The program runs itself as the child, with the role "child" as its first
 * argument and the pipe's read end as its fd 3: the idiom that replaces
 * `fork()` (`spawnModule`). The child starts first and waits for data (the
 * passive side); the parent then writes and closes its end, which the child
 * sees as the end of the stream.
 *
 * Needs `--allow-ffi` (full access: it calls libc); the child gets exactly
 * that, stated in `permissions`.
 *
 * @module
 */

import process from "node:process";
import { FdHandle, pipe, spawnModule } from "../../ipc/mod.ts";

if (process.argv[2] === "child") {
  // fd 3 is the pipe's read end, as the parent mapped it: a blocking open of
  // the pipe, made non-blocking again by FdHandle for async reads.
  using input = new FdHandle(3, { description: "the pipe from the parent" });
  const buffer = new Uint8Array(256);
  let text = "";
  for (let n = await input.read(buffer); n !== null; n = await input.read(buffer)) {
    text += new TextDecoder().decode(buffer.subarray(0, n), { stream: true });
  }
  console.log(`child ${process.pid} read: ${text}`);
} else {
  using p = pipe();
  await using child = spawnModule(import.meta.url, {
    role: "child",
    fds: { 3: p.read },
    permissions: { ffi: true },
  });
  p.read.close(); // The child has its own; ours would only keep the pipe open.
  console.log(`parent ${process.pid} writes "Hello!" to child ${child.pid}`);
  await p.write.write(new TextEncoder().encode("Hello!"));
  p.write.close(); // The end of the stream, for the child.
  const status = await child.wait();
  console.log(`child ${child.pid} exited with code ${status.code}`);
  if (!status.success) process.exit(1);
}
