import assert from "node:assert/strict";
import { ErrnoError } from "../../ipc/mod.ts";
import { IPC_PRIVATE, SemaphoreSet } from "../../xsi/mod.ts";
import { MAX_POOL_THREADS, threadsInUse } from "../../xsi/_wait.ts";
import { compileC, deno, peers, randomKey, run, test } from "../_util.ts";
import { pythonSysvIpc, runPython } from "./_peers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const xsi = new URL("../../xsi/mod.ts", import.meta.url).href;

function privateSet(count = 1, initial: number | number[] = 0): SemaphoreSet {
  const set = SemaphoreSet.open(IPC_PRIVATE, { count, initial });
  const close = set.close.bind(set);
  set.close = () => {
    if (!set.closed) {
      try {
        set.remove();
      } catch {
        // Removed by the test.
      }
    }
    close();
  };
  return set;
}

test("SemaphoreSet.open() creates and initialises; an opener sees the creator's values", () => {
  const key = randomKey();
  using created = SemaphoreSet.open(key, { create: true, count: 3, initial: [1, 2, 3] });
  try {
    assert.equal(created.count, 3);
    assert.deepEqual(created.getValues(), [1, 2, 3]);
    const status = created.stat();
    assert.equal(status.mode, 0o600);
    assert.notEqual(status.lastOp, null, "sem_otime is set by the creator");
    using opened = SemaphoreSet.open(key, { create: true, count: 3, initial: 9 });
    assert.equal(opened.id, created.id);
    assert.deepEqual(opened.getValues(), [1, 2, 3]);
    using plain = SemaphoreSet.open(key);
    assert.equal(plain.count, 3);
    assert.throws(() => SemaphoreSet.open(key, { exclusive: true }), { code: "EEXIST" });
    assert.throws(() => SemaphoreSet.open(key, { count: 4 }), { code: "EINVAL" });
  } finally {
    created.remove();
  }
  assert.throws(() => SemaphoreSet.open(key), { code: "ENOENT" });
});

test(
  "SemaphoreSet.open() waits for the creator's sem_otime, and times out when it never comes",
  async () => {
    const key = randomKey();
    // A creator that makes the set, waits, then initialises it, as the handshake says.
    const creator = await compileC(
      "xsi-sem-creator",
      `
#include <stdio.h>
#include <stdlib.h>
#include <sys/sem.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int id = semget(atoi(argv[1]), 2, IPC_CREAT | IPC_EXCL | 0600);
  if (id == -1) { perror("semget"); return 1; }
  printf("%d\\n", id); fflush(stdout);
  usleep(atoi(argv[2]) * 1000);
  unsigned short values[2] = { 4, 5 };
  semctl(id, 0, SETALL, values);
  if (atoi(argv[3])) { struct sembuf op = { 0, 0, IPC_NOWAIT }; op.sem_op = 1; semop(id, &op, 1); op.sem_op = -1; semop(id, &op, 1); }
  return 0;
}
`,
    );
    const child = run(creator, [String(key), "200", "1"]);
    await sleep(50);
    const started = performance.now();
    using opened = SemaphoreSet.open(key, { timeout: 5000 });
    try {
      assert.ok(performance.now() - started >= 100, "waited for the creator");
      assert.deepEqual(opened.getValues(), [4, 5]);
      assert.equal((await child).code, 0);
    } finally {
      opened.remove();
    }
    const lazy = run(creator, [String(key), "0", "0"]);
    assert.equal((await lazy).code, 0);
    assert.throws(() => SemaphoreSet.open(key, { timeout: 50 }), (e: unknown) => {
      assert.ok(e instanceof DOMException);
      assert.equal(e.name, "TimeoutError");
      assert.match(e.message, /did not initialise it within 50 ms \(sem_otime is still 0\)/);
      return true;
    });
    using raw = SemaphoreSet.open(key, { handshake: false });
    assert.deepEqual(raw.getValues(), [4, 5]);
    raw.remove();
  },
  { peers: [peers.gcc] },
);

test("SemaphoreSet.open() rejects bad counts, values and options before any syscall", () => {
  for (const count of [0, -1, 1.5, NaN, 2 ** 31]) {
    assert.throws(() => SemaphoreSet.open(IPC_PRIVATE, { count }), RangeError, `count ${count}`);
  }
  assert.throws(() => SemaphoreSet.open(IPC_PRIVATE, { initial: -1 }), RangeError);
  assert.throws(() => SemaphoreSet.open(IPC_PRIVATE, { initial: 32768 }), RangeError);
  assert.throws(() => SemaphoreSet.open(IPC_PRIVATE, { count: 2, initial: [1] }), RangeError);
  assert.throws(
    () => SemaphoreSet.open(IPC_PRIVATE, { initial: "1" as unknown as number }),
    TypeError,
  );
  assert.throws(() => SemaphoreSet.open(IPC_PRIVATE, { timeout: -1 }), RangeError);
  assert.throws(
    () => SemaphoreSet.open(IPC_PRIVATE, { handshake: 0 as unknown as boolean }),
    TypeError,
  );
  assert.throws(() => SemaphoreSet.open(IPC_PRIVATE, { count: 100000 }), { code: "EINVAL" });
});

test("SemaphoreSet.opSync() applies several operations atomically, or none", () => {
  using set = privateSet(3, [1, 0, 5]);
  set.opSync([{ index: 0, delta: -1 }, { index: 1, delta: 2 }, { index: 2, delta: -5 }]);
  assert.deepEqual(set.getValues(), [0, 2, 0]);
  assert.throws(
    () => set.opSync([{ index: 1, delta: -1 }, { index: 0, delta: -1, wait: false }]),
    (e: unknown) => {
      assert.ok(e instanceof ErrnoError);
      assert.equal(e.code, "EAGAIN");
      assert.match(e.message, /an operation with wait: false could not be done now/);
      return true;
    },
  );
  assert.deepEqual(set.getValues(), [0, 2, 0], "nothing changed");
  set.opSync({ index: 2, delta: 0 }); // wait for zero: it is zero
  assert.throws(() => set.opSync({ index: 1, delta: 32767 }), { code: "ERANGE" });
});

test("SemaphoreSet.opSync() times out with a TimeoutError; SEM_UNDO is undone at exit", async () => {
  using set = privateSet(1, 0);
  const started = performance.now();
  assert.throws(() => set.opSync({ index: 0, delta: -1 }, { timeout: 40 }), {
    name: "TimeoutError",
  });
  assert.ok(performance.now() - started >= 39);
  const { code } = await run(deno, [
    "eval",
    `import { SemaphoreSet } from "${xsi}";
SemaphoreSet.fromId(${set.id}).opSync({ index: 0, delta: 3, undo: true });`,
  ]);
  assert.equal(code, 0);
  assert.equal(set.getValue(0), 0, "the child's +3 was undone when it exited");
});

test("SemaphoreSet rejects bad operations before any syscall", async () => {
  using set = privateSet(2);
  const bad: unknown[] = [
    [],
    { index: 2, delta: 1 },
    { index: -1, delta: 1 },
    { index: 0, delta: 32768 },
    { index: 0, delta: -32769 },
    { index: 0, delta: 1.5 },
    { index: 0, delta: NaN },
    { index: 0, delta: -0 },
    Array.from({ length: 501 }, () => ({ index: 0, delta: 1 })),
  ];
  for (const ops of bad) {
    assert.throws(() => set.opSync(ops as { index: number; delta: number }), RangeError);
    await assert.rejects(set.op(ops as { index: number; delta: number }), RangeError);
  }
  assert.throws(() => set.opSync({ index: 0, delta: 1, undo: 1 as unknown as boolean }), TypeError);
  assert.throws(() => set.opSync(null as unknown as { index: number; delta: number }), TypeError);
  assert.throws(() => set.opSync({ index: 0, delta: 1 }, { timeout: -1 }), RangeError);
  assert.throws(() => set.setValue(0, -1), RangeError);
  assert.throws(() => set.setValue(2, 1), RangeError);
  assert.throws(() => set.setValues([1]), RangeError);
  assert.deepEqual(set.getValues(), [0, 0]);
});

test("SemaphoreSet.op() waits without blocking the event loop, and resolves when done", async () => {
  using set = privateSet(2, 0);
  const pending = set.op([{ index: 0, delta: -1 }, { index: 1, delta: -1 }], { spin: 0 });
  let ticks = 0;
  const interval = setInterval(() => ticks++, 1);
  await sleep(20);
  assert.equal(set.waitingForIncrease(0), 1);
  set.opSync({ index: 0, delta: 1 });
  await sleep(10);
  set.opSync({ index: 1, delta: 1 });
  await pending;
  clearInterval(interval);
  assert.ok(ticks > 5);
  assert.deepEqual(set.getValues(), [0, 0]);
  assert.equal(set.lastPid(0), Deno.pid);
  assert.equal(threadsInUse(), 0);
});

test("SemaphoreSet.op() waits for zero, times out, aborts, and reports a nowait failure", async () => {
  using set = privateSet(1, 1);
  const zero = set.op({ index: 0, delta: 0 }, { spin: 0 });
  await sleep(10);
  assert.equal(set.waitingForZero(0), 1);
  set.opSync({ index: 0, delta: -1 });
  await zero;
  await assert.rejects(set.op({ index: 0, delta: -1 }, { timeout: 30 }), { name: "TimeoutError" });
  const controller = new AbortController();
  const aborted = set.op({ index: 0, delta: -1 }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(aborted, { name: "AbortError" });
  await assert.rejects(set.op({ index: 0, delta: -1, wait: false }), { code: "EAGAIN" });
  await assert.rejects(set.op({ index: 0, delta: -1 }, { signal: AbortSignal.abort() }), {
    name: "AbortError",
  });
  assert.equal(set.getValue(0), 0, "no aborted operation took effect");
  assert.equal(threadsInUse(), 0);
});

test("SemaphoreSet.op() resolves when its operations took effect, even if aborted at that moment", async () => {
  using set = privateSet(1, 0);
  let resolved = 0;
  let aborted = 0;
  for (let i = 0; i < 40; i++) {
    const controller = new AbortController();
    const pending = set.op({ index: 0, delta: -1 }, { signal: controller.signal, spin: 0 });
    await sleep(1);
    set.opSync({ index: 0, delta: 1 });
    controller.abort();
    try {
      await pending;
      resolved++;
    } catch {
      aborted++;
      set.opSync({ index: 0, delta: -1 }); // the +1 is still there: take it back
    }
    assert.equal(set.getValue(0), 0, `round ${i}`);
  }
  assert.equal(resolved + aborted, 40);
});

test(
  "SemaphoreSet.op() rejects with EIDRM when another process removes the set, and EBADF on close",
  async () => {
    using set = privateSet(1, 0);
    const pending = set.op({ index: 0, delta: -1 }, { spin: 0 });
    await sleep(10);
    const removed = run("ipcrm", ["-s", String(set.id)]);
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof ErrnoError);
      assert.equal(e.code, "EIDRM");
      assert.equal(
        e.message,
        `Cannot operate on semaphore set ${set.id}: the semaphore set was removed (EIDRM)`,
      );
      return true;
    });
    assert.equal((await removed).code, 0);
    const other = privateSet(1, 0);
    const waiting = other.op({ index: 0, delta: -1 });
    other.close();
    await assert.rejects(waiting, { code: "EBADF" });
    assert.throws(() => other.opSync({ index: 0, delta: 1 }), { code: "EBADF" });
    assert.throws(
      () => other.remove(),
      (e: unknown) =>
        e instanceof ErrnoError && e.code === "EBADF" &&
        e.message.startsWith(`Cannot remove semaphore set ${other.id}: `),
    );
    assert.equal(threadsInUse(), 0);
  },
  { peers: [peers.ipcs] },
);

test("SemaphoreSet waits past the thread budget poll instead of taking more pool threads", async () => {
  using set = privateSet(8, 0);
  const pending = Array.from({ length: 8 }, (_, i) => set.op({ index: i, delta: -1 }, { spin: 0 }));
  await sleep(30);
  assert.equal(threadsInUse(), MAX_POOL_THREADS);
  set.setValues([1, 1, 1, 1, 1, 1, 1, 1]);
  await Promise.all(pending);
  assert.deepEqual(set.getValues(), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(threadsInUse(), 0);
});

test(
  "SemaphoreSet values, counts, stat() and set() match what Python's sysv_ipc sees",
  async () => {
    const key = randomKey();
    using set = SemaphoreSet.open(key, { create: true, count: 1, initial: 3 });
    try {
      set.set({ mode: 0o640 });
      const status = set.stat();
      assert.equal(status.mode, 0o640);
      assert.equal(status.count, 1);
      const got = await runPython(
        `
s = sysv_ipc.Semaphore(int(sys.argv[1]))
print(s.value, oct(s.mode))
s.release()
`,
        [String(key)],
      );
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim(), "3 0o640");
      assert.equal(set.getValue(0), 4);
      set.setValue(0, 0);
      assert.equal(set.getValue(0), 0);
    } finally {
      set.remove();
    }
  },
  { peers: [pythonSysvIpc] },
);

test("SemaphoreSet.opSync() checks again an operation object changed between calls", () => {
  using set = privateSet(2, 0);
  const op = { index: 0, delta: 1 };
  const other = { index: 1, delta: 1 };
  set.opSync(op);
  set.opSync(other);
  op.index = 1;
  set.opSync(op);
  op.delta = 2;
  set.opSync(op);
  set.opSync(other);
  assert.deepEqual(set.getValues(), [1, 5]);
  op.delta = 40000;
  assert.throws(() => set.opSync(op), RangeError);
  assert.deepEqual(set.getValues(), [1, 5]);
});
