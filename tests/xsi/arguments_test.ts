/**
 * Bad arguments: each check's error names the argument, the value and what
 * is allowed, and comes before any syscall (nothing is created).
 */

import { IPC_PRIVATE, MessageQueue, SemaphoreSet, SharedMemory } from "../../xsi/mod.ts";
import { rejectsWith, test, throwsWith } from "../_util.ts";

test("keys out of 32 bits are RangeErrors that name the value and the range", () => {
  for (
    const [key, shown] of [[NaN, "NaN"], [-0, "-0"], [1.5, "1.5"], [2 ** 32, "4294967296"]] as const
  ) {
    throwsWith(
      () => MessageQueue.open(key),
      RangeError,
      "key must be an integer in [-2147483648, 4294967295]",
      `got ${shown}`,
    );
  }
  throwsWith(() => SemaphoreSet.open("1" as unknown as number), TypeError, 'got "1"');
  throwsWith(() => SharedMemory.open(1n as unknown as number), TypeError, "got 1n");
});

test("message types, sizes and options out of range name the value and the range", async () => {
  using queue = MessageQueue.open(IPC_PRIVATE);
  try {
    throwsWith(
      () => queue.sendSync(0, new Uint8Array(1)),
      RangeError,
      "type must be an integer in [1, ",
      "got 0",
    );
    throwsWith(() => queue.sendSync(-1, new Uint8Array(1)), RangeError, "got -1");
    throwsWith(
      () => queue.sendSync(2 ** 53, new Uint8Array(1)),
      RangeError,
      "got 9007199254740992",
    );
    throwsWith(
      () => queue.receiveSync({ maxSize: -1 }),
      RangeError,
      "options.maxSize must be an integer in [0, ",
      "got -1",
    );
    throwsWith(() => queue.receiveSync({ type: 1.5 }), RangeError, "options.type", "got 1.5");
    throwsWith(
      () => queue.receiveSync({ wait: "yes" as unknown as boolean }),
      TypeError,
      "options.wait must be a boolean",
      'got "yes"',
    );
    await rejectsWith(
      () => queue.receive({ timeout: -1 }),
      RangeError,
      "options.timeout",
      "got -1",
    );
    await rejectsWith(
      () => queue.receive({ spin: 1e7 }),
      RangeError,
      "options.spin",
      "got 10000000",
    );
    throwsWith(
      () => queue.set({ mode: 0o1000 }),
      RangeError,
      "changes.mode must be an integer in [0, 0o777]",
      "got 512",
    );
    throwsWith(() => queue.set({ uid: -1 }), RangeError, "changes.uid", "got -1");
    throwsWith(
      () => MessageQueue.fromId(2 ** 31),
      RangeError,
      "id must be an integer in [0, 2147483647]",
      "got 2147483648",
    );
  } finally {
    queue.remove();
  }
});

test("semaphore operations and values out of range name the value and the range", () => {
  using set = SemaphoreSet.open(IPC_PRIVATE, { count: 2 });
  try {
    throwsWith(
      () => set.opSync({ index: 2, delta: 1 }),
      RangeError,
      "operation.index must be an integer in [0, 1]",
      "got 2",
    );
    throwsWith(
      () => set.opSync({ index: 0, delta: 32768 }),
      RangeError,
      "operation.delta must be an integer in [-32768, 32767]",
      "got 32768",
    );
    throwsWith(
      () => set.opSync([{ index: 0, delta: 1 }, { index: 0, delta: -0 }]),
      RangeError,
      "operations[1].delta",
      "got -0",
    );
    throwsWith(
      () => set.setValue(0, 32768),
      RangeError,
      "value must be an integer in [0, 32767]",
      "got 32768",
    );
    throwsWith(
      () => set.setValues([1, 2, 3]),
      RangeError,
      "values must number 2, one per semaphore: got 3",
    );
    throwsWith(
      () => SemaphoreSet.open(IPC_PRIVATE, { count: 0 }),
      RangeError,
      "options.count",
      "got 0",
    );
  } finally {
    set.remove();
  }
});

test("shared memory sizes, offsets and lengths out of range name the value and the range", () => {
  throwsWith(
    () => SharedMemory.open(IPC_PRIVATE, { size: 0 }),
    RangeError,
    "options.size must be an integer in [1, ",
    "got 0",
  );
  throwsWith(() => SharedMemory.open(IPC_PRIVATE, { size: -1 }), RangeError, "got -1");
  using shm = SharedMemory.open(IPC_PRIVATE, { size: 16 });
  try {
    using memory = shm.attach();
    throwsWith(
      () => memory.bytes(17),
      RangeError,
      "offset must be an integer in [0, 16]",
      "got 17",
    );
    throwsWith(
      () => memory.read(8, 9),
      RangeError,
      "The range [8, 17) passes the end of shared memory segment",
      "(16 bytes)",
    );
    throwsWith(
      () => memory.array(Int32Array, 2),
      RangeError,
      "offset must be a multiple of 4: got 2",
    );
  } finally {
    shm.remove();
  }
});
