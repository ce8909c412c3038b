/**
 * Shared memory between a parent and its child: the child writes `Hello!`
 * into a segment; the parent waits for the child to finish, reads the
 * segment, prints what it finds, and removes the segment.
 *
 *   deno run --allow-ffi examples/xsi/shm.ts
 *   node npm/examples/xsi/shm.js  # after deno task build:npm
 *
 * Needs `--allow-ffi` (libc; the child starts through `posix_spawn`, with
 * `spawnModule`).
 *
 * @module
 */

import process from "node:process";
import { spawnModule } from "../../ipc/mod.ts";
import { IPC_PRIVATE, SharedMemory } from "../../xsi/mod.ts";
import { integerOption } from "./proto.ts";

const SIZE = 4096;

if (process.argv[2] === "child") {
  // The child: attach the segment by id, write the greeting and its NUL, detach.
  using shm = SharedMemory.fromId(integerOption("--shm-id", -1, 0, 2 ** 31 - 1));
  using memory = shm.attach();
  memory.write(new TextEncoder().encode("Hello!\0"));
} else {
  using shm = SharedMemory.open(IPC_PRIVATE, { size: SIZE });
  try {
    // The fork() idiom: this module again, as a child with its role and the segment's id.
    await using child = spawnModule(import.meta.url, {
      role: "child",
      args: ["--shm-id", String(shm.id)],
      permissions: { ffi: true },
      fds: { 0: "null" },
    });
    const { success } = await child.wait();
    if (!success) throw new Error("shm: the child failed");
    using memory = shm.attach({ readOnly: true });
    const bytes = memory.read();
    console.log(new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0))));
  } finally {
    shm.remove();
    console.error(`shm: shared memory segment ${shm.id} removed`);
  }
}
