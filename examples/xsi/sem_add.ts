/**
 * Twenty processes add 1 to a number kept in a file, each under a
 * semaphore lock: read, add, write back, with nothing between. The parent
 * prints the final value, 20: without the lock, increments would be lost
 * to the race between a read and a write.
 *
 *   deno run --allow-ffi --allow-read --allow-write examples/xsi/sem_add.ts
 *   node npm/examples/xsi/sem_add.js  # after deno task build:npm
 *
 * The parent creates the lock (a private semaphore set, at 1) and the
 * file (in a new directory under /tmp), starts the children with the set's
 * id, waits for all of them, prints the number, and removes both. The lock
 * is taken with SEM_UNDO: a child that died holding it would give it back.
 *
 * Under Deno it needs `--allow-ffi` (libc; the children start through
 * `posix_spawn`, with `spawnModule`), `--allow-read` and `--allow-write`
 * (the file). Each child gets `--allow-ffi` and access to the file alone.
 *
 * @module
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { spawnModule } from "../../ipc/mod.ts";
import { IPC_PRIVATE, SemaphoreLock, SemaphoreSet } from "../../xsi/mod.ts";
import { integerOption, option } from "./proto.ts";

const CHILDREN = 20;

if (process.argv[2] === "child") {
  // A child: take the lock, add 1 to the number in the file, give the lock back.
  const set = SemaphoreSet.fromId(integerOption("--sem-id", -1, 0, 2 ** 31 - 1));
  const file = option("--file")!;
  using lock = SemaphoreLock.on(set, 0);
  {
    using _held = lock.acquireSync();
    const value = Number(readFileSync(file, "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 1)); // widen the window a race would need
    writeFileSync(file, String(value + 1));
  }
} else {
  using lock = SemaphoreLock.open(IPC_PRIVATE);
  const directory = mkdtempSync("/tmp/sem_add-");
  const file = `${directory}/count`;
  try {
    writeFileSync(file, "0");
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
    console.log(readFileSync(file, "utf8"));
  } finally {
    lock.remove();
    rmSync(directory, { recursive: true });
    console.error(`sem_add: semaphore set ${lock.set.id} removed`);
  }
}
