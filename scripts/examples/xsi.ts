/**
 * The examples of `xsi/`: the message queue pair (passive side first), the
 * semaphore-guarded counter of twenty processes, and shared memory between
 * a parent and its child. Each example checks that the object it used is
 * gone when it ends.
 *
 * The queue examples use a key made from a temporary file, so that a run
 * never meets another program's queue of `ftok("/etc/services", 'g')`.
 *
 * @module
 */

import { ipcs } from "../../xsi/mod.ts";
import type { Scenario } from "./_harness.ts";

/** Fails if the object is still listed by ipcs. */
function expectGone(kind: "msg" | "sem" | "shm", id: number): void {
  const report = ipcs();
  const list = kind === "msg"
    ? report.messageQueues
    : kind === "sem"
    ? report.semaphoreSets
    : report.sharedMemory;
  if (list.some((o) => o.id === id)) throw new Error(`the example left ${kind} ${id} behind`);
}

/** The id an example printed in `<pattern> (\d+)`. */
function idIn(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  if (!match) throw new Error(`no id matching ${pattern} in:\n${text}`);
  return Number(match[1]);
}

export default async function xsi(t: Scenario): Promise<void> {
  const ffi = ["--allow-ffi"];

  await t.example(
    "msg_rcver, then msg_snder twice: JSON lines, and the queue removed",
    async () => {
      const keyPath = `${t.tempDir()}/key`;
      await Deno.writeTextFile(keyPath, "");
      const key = ["--key-path", keyPath, "--proj", "g"];
      const receiver = t.start(t.program(ffi, "examples/xsi/msg_rcver.ts", ...key, "--count", "2"));
      await receiver.waitFor(/waiting on message queue \d+/);
      const id = idIn(receiver.stderr, /waiting on message queue (\d+)/);
      const first = await t.run(
        t.program(
          ffi,
          "examples/xsi/msg_snder.ts",
          ...key,
          "--name",
          "Alan",
          "--math",
          "90",
          "--chinese",
          "85",
        ),
      );
      t.expectExit(first, 0);
      const second = await t.run(
        t.program(ffi, "examples/xsi/msg_snder.ts", ...key, "--name", "Grace"),
      );
      t.expectExit(second, 0);
      t.expectIncludes(second.stdout, /sent \{"name":"Grace","math":\d+,"chinese":\d+\}/);
      const done = await receiver.finished();
      t.expectExit(done, 0);
      const lines = done.stdout.trim().split("\n");
      if (lines[0] !== '{"name":"Alan","math":90,"chinese":85}') {
        throw new Error(`the first line is ${JSON.stringify(lines[0])}`);
      }
      t.expectIncludes(lines[1] ?? "", /^\{"name":"Grace","math":\d+,"chinese":\d+\}$/);
      t.expectIncludes(done.stderr, "received 2 record(s)", "removed");
      expectGone("msg", id);
    },
  );

  await t.example("msg_rcver stops on SIGINT and on SIGTERM, and removes its queue", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const keyPath = `${t.tempDir()}/key`;
      await Deno.writeTextFile(keyPath, "");
      const receiver = t.start(t.program(ffi, "examples/xsi/msg_rcver.ts", "--key-path", keyPath));
      await receiver.waitFor(/waiting on message queue/);
      const id = idIn(receiver.stderr, /waiting on message queue (\d+)/);
      const done = await receiver.stop(signal);
      t.expectExit(done, 0);
      t.expectIncludes(done.stderr, "received 0 record(s)");
      expectGone("msg", id);
    }
  });

  await t.example("msg_snder with no receiver exits 1 and says to start msg_rcver", async () => {
    const keyPath = `${t.tempDir()}/key`;
    await Deno.writeTextFile(keyPath, "");
    const result = await t.run(t.program(ffi, "examples/xsi/msg_snder.ts", "--key-path", keyPath));
    t.expectExit(result, 1);
    t.expectIncludes(
      result.stderr,
      /no message queue has key 0x[0-9a-f]{8} .*start msg_rcver first/,
    );
  });

  await t.example(
    "sem_add: twenty processes add 1 under the semaphore, and the total is 20",
    async () => {
      const result = await t.run(
        t.program(
          ["--allow-ffi", "--allow-read", "--allow-write"],
          "examples/xsi/sem_add.ts",
        ),
        120_000,
      );
      t.expectExit(result, 0);
      if (result.stdout.trim() !== "20") {
        throw new Error(
          `sem_add printed ${JSON.stringify(result.stdout)}`,
        );
      }
      expectGone("sem", idIn(result.stderr, /semaphore set (\d+) removed/));
    },
  );

  await t.example(
    "shm: the child writes Hello!, the parent reads it and removes the segment",
    async () => {
      const result = await t.run(
        t.program(["--allow-ffi"], "examples/xsi/shm.ts"),
      );
      t.expectExit(result, 0);
      if (result.stdout !== "Hello!\n") {
        throw new Error(
          `shm printed ${JSON.stringify(result.stdout)}`,
        );
      }
      expectGone("shm", idIn(result.stderr, /segment (\d+) removed/));
    },
  );
}
