import assert from "node:assert/strict";
import { IPC_PRIVATE, SemaphoreLock, SemaphoreSet } from "../../xsi/mod.ts";
import { deno, randomKey, run, test } from "../_util.ts";

const xsi = new URL("../../xsi/mod.ts", import.meta.url).href;

test("SemaphoreLock is free when created, taken by acquire, given back when the hold is disposed", async () => {
  using lock = SemaphoreLock.open(IPC_PRIVATE);
  try {
    assert.equal(lock.set.getValue(0), 1);
    {
      using held = lock.acquireSync();
      assert.equal(lock.set.getValue(0), 0);
      assert.equal(lock.tryAcquire(), undefined);
      assert.equal(held.released, false);
    }
    assert.equal(lock.set.getValue(0), 1);
    const held = await lock.acquire();
    await assert.rejects(lock.acquire({ timeout: 20 }), { name: "TimeoutError" });
    held.release();
    held.release();
    assert.ok(held.released);
    assert.equal(lock.set.getValue(0), 1);
  } finally {
    lock.remove();
  }
});

test("SemaphoreLock is given back by the kernel when a holder dies (SEM_UNDO)", async () => {
  const key = randomKey();
  using lock = SemaphoreLock.open(key, { create: true, exclusive: true });
  try {
    const { code } = await run(deno, [
      "eval",
      `import { SemaphoreLock } from "${xsi}";
SemaphoreLock.open(${key}).acquireSync(); // never released
Deno.exit(0);`,
    ]);
    assert.equal(code, 0);
    using held = lock.acquireSync({ timeout: 1000 });
    assert.ok(!held.released);
  } finally {
    lock.remove();
  }
});

test("SemaphoreLock.on() locks one semaphore of a set without owning the set", () => {
  using set = SemaphoreSet.open(IPC_PRIVATE, { count: 2, initial: [1, 1] });
  try {
    const lock = SemaphoreLock.on(set, 1);
    const held = lock.acquireSync();
    assert.deepEqual(set.getValues(), [1, 0]);
    held.release();
    lock.close();
    assert.ok(lock.closed);
    assert.ok(!set.closed);
    assert.throws(() => lock.acquireSync(), { code: "EBADF" });
    assert.throws(() => SemaphoreLock.on(set, 2), RangeError);
  } finally {
    set.remove();
  }
});

test("SemaphoreLock hold released after the set was removed does nothing", () => {
  using lock = SemaphoreLock.open(IPC_PRIVATE);
  const held = lock.acquireSync();
  lock.remove();
  held.release();
  assert.ok(held.released);
});
