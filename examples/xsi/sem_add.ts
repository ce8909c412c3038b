/**
 * Twenty processes add 1 to a number kept in a file, each under a
 * semaphore lock: read, add, write back, with nothing between. The parent
 * prints the final value, 20: without the lock, increments would be lost
 * to the race between a read and a write.
 *
 *   deno run --allow-ffi --allow-read --allow-write examples/xsi/sem_add.ts
 *
 * The parent creates the lock (a private semaphore set, at 1) and the
 * file, starts the children with the set's id, waits for all of them,
 * prints the number, and removes both. The lock is taken with SEM_UNDO:
 * a child that died holding it would give it back.
 *
 * Needs `--allow-ffi` (libc; the children start through `posix_spawn`, with
 * `spawnModule`), `--allow-read` and `--allow-write` (the file). Each child
 * gets `--allow-ffi` and access to the file alone.
 *
 * @module
 */

import { spawnModule } from "@unixipc/unixipc/ipc";
import { IPC_PRIVATE, SemaphoreLock, SemaphoreSet } from "@unixipc/unixipc/xsi";
import { integerOption, option } from "./proto.ts";

const CHILDREN = 20;

if (Deno.args[0] === "child") {
  // A child: take the lock, add 1 to the number in the file, give the lock back.
  const set = SemaphoreSet.fromId(integerOption("--sem-id", -1, 0, 2 ** 31 - 1));
  const file = option("--file")!;
  using lock = SemaphoreLock.on(set, 0);
  {
    using _held = lock.acquireSync();
    const value = Number(Deno.readTextFileSync(file));
    await new Promise((resolve) => setTimeout(resolve, 1)); // widen the window a race would need
    Deno.writeTextFileSync(file, String(value + 1));
  }
} else {
  using lock = SemaphoreLock.open(IPC_PRIVATE);
  const file = Deno.makeTempFileSync({ prefix: "sem_add-" });
  try {
    Deno.writeTextFileSync(file, "0");
    // The fork() idiom: this module again, as a child with its role and the permissions it needs.
    const children = Array.from({ length: CHILDREN }, () =>
      spawnModule(import.meta.url, {
        role: "child",
        args: ["--sem-id", String(lock.set.id), "--file", file],
        permissions: { ffi: true, read: [file], write: [file] },
        fds: { 0: "null" },
      }));
    const statuses = await Promise.all(children.map((child) => child.wait()));
    const failed = statuses.filter((s) => !s.success).length;
    if (failed > 0) console.error(`sem_add: ${failed} child(ren) failed`);
    console.log(Deno.readTextFileSync(file));
  } finally {
    lock.remove();
    Deno.removeSync(file);
    console.error(`sem_add: semaphore set ${lock.set.id} removed`);
  }
}
