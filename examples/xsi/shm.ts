/**
 * Shared memory between a parent and its child: the child writes `Hello!`
 * into a segment; the parent waits for the child to finish, reads the
 * segment, prints what it finds, and removes the segment.
 *
 *   deno run --allow-ffi --allow-run --allow-read examples/xsi/shm.ts
 *
 * Needs `--allow-ffi` (libc), `--allow-run` and `--allow-read` (to start
 * the child with this deno).
 *
 * @module
 */

import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
import { integerOption, option } from "./proto.ts";

const SIZE = 4096;

if (option("--role") === "child") {
  // The child: attach the segment by id, write the greeting and its NUL, detach.
  using shm = SharedMemory.fromId(integerOption("--shm-id", -1, 0, 2 ** 31 - 1));
  using memory = shm.attach();
  memory.write(new TextEncoder().encode("Hello!\0"));
} else {
  using shm = SharedMemory.open(IPC_PRIVATE, { size: SIZE });
  try {
    const { success } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-ffi",
        import.meta.filename!,
        "--role",
        "child",
        "--shm-id",
        String(shm.id),
      ],
      stdin: "null",
    }).output();
    if (!success) throw new Error("shm: the child failed");
    using memory = shm.attach({ readOnly: true });
    const bytes = memory.read();
    console.log(new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0))));
  } finally {
    shm.remove();
    console.error(`shm: shared memory segment ${shm.id} removed`);
  }
}
