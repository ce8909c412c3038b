import assert from "node:assert/strict";
import { chars, i32, struct } from "../../endian/mod.ts";
import { ErrnoError } from "../../ipc/mod.ts";
import { IPC_PRIVATE, SharedMemory, SharedMemoryAttachment } from "../../xsi/mod.ts";
import { runtime } from "../_runtime.ts";
import { deno, peers, randomKey, run, test } from "../_util.ts";
import { cPeer, pythonSysvIpc, runPython } from "./_peers.ts";

const xsi = new URL("../../xsi/mod.ts", import.meta.url).href;

function privateSegment(size: number): SharedMemory {
  const shm = SharedMemory.open(IPC_PRIVATE, { size });
  const close = shm.close.bind(shm);
  shm.close = () => {
    if (!shm.closed) {
      try {
        shm.remove();
      } catch {
        // Removed by the test.
      }
    }
    close();
  };
  return shm;
}

test("SharedMemory.open() creates a zeroed segment of the size asked, mode 0600, opened by key", () => {
  const key = randomKey();
  using created = SharedMemory.open(key, { create: true, exclusive: true, size: 5000 });
  try {
    using opened = SharedMemory.open(key, { size: 100 });
    assert.equal(opened.id, created.id);
    assert.equal(opened.size, 5000);
    const status = created.stat();
    assert.equal(status.mode, 0o600);
    assert.equal(status.creatorPid, Deno.pid);
    assert.equal(status.attachCount, 0);
    using memory = opened.attach();
    assert.equal(memory.size, 5000);
    assert.ok(memory.read().every((b) => b === 0));
    assert.throws(() => SharedMemory.open(key, { size: 5001 }), { code: "EINVAL" });
    assert.throws(() => SharedMemory.open(key, { exclusive: true, size: 1 }), { code: "EEXIST" });
  } finally {
    created.remove();
  }
  assert.throws(() => SharedMemory.open(key), { code: "ENOENT" });
  assert.throws(() => SharedMemory.open(key, { create: true }), TypeError);
  for (const size of [0, -1, 1.5, NaN, 2 ** 53]) {
    assert.throws(() => SharedMemory.open(IPC_PRIVATE, { size }), RangeError, `size ${size}`);
  }
});

test("SharedMemoryAttachment checks every range against the segment's size", () => {
  using shm = privateSegment(16);
  using memory = shm.attach();
  assert.equal(memory.bytes().length, 16);
  assert.equal(memory.bytes(10).length, 6);
  assert.throws(() => memory.bytes(17), RangeError);
  assert.throws(() => memory.bytes(10, 7), RangeError);
  assert.throws(() => memory.bytes(-1), RangeError);
  assert.throws(() => memory.bytes(1.5), RangeError);
  assert.throws(() => memory.read(0, 17), RangeError);
  assert.throws(() => memory.write(new Uint8Array(2), 15), RangeError);
  assert.throws(() => memory.write("x" as unknown as Uint8Array), TypeError);
  assert.throws(() => memory.array(Int32Array, 2), RangeError, "misaligned");
  assert.throws(() => memory.array(Int32Array, 0, 5), RangeError);
  assert.throws(() => memory.array(Array as unknown as Int32ArrayConstructor), TypeError);
  assert.equal(memory.array(Int32Array, 4).length, 3);
  assert.equal(memory.array(BigInt64Array).length, 2);
  const Big = struct([["a", chars(16)], ["b", i32]]);
  assert.throws(() => memory.readRecord(Big), RangeError);
  assert.throws(() => memory.record(Big), RangeError);
  assert.throws(() => memory.readRecord({} as typeof Big), TypeError);
});

test("SharedMemoryAttachment.detach() makes every view unusable instead of dangling", () => {
  using shm = privateSegment(4096);
  const memory = shm.attach();
  const bytes = memory.bytes();
  const ints = memory.array(Int32Array, 0, 4);
  const Point = struct([["x", i32], ["y", i32]]);
  const point = memory.record(Point, 8);
  point.x = 5;
  assert.equal(shm.stat().attachCount, 1);
  memory.detach();
  memory.detach();
  assert.ok(memory.detached);
  assert.equal(shm.stat().attachCount, 0);
  if (runtime === "deno") {
    assert.equal(bytes.length, 0);
    assert.equal(bytes[0], undefined);
    assert.equal(ints.length, 0);
    assert.throws(() => point.x, TypeError);
  } else {
    // Node cannot detach koffi's buffers: the old views show private zero pages, not the segment.
    assert.equal(bytes.length, 4096);
    assert.equal(point.x, 0);
    bytes[8] = 9;
    assert.equal(ints[2], 9, "the stale views share their zero pages");
  }
  assert.throws(() => memory.read(), (e: unknown) => e instanceof ErrnoError && e.code === "EBADF");
  assert.throws(() => memory.bytes(), { code: "EBADF" });
  const again = shm.attach();
  assert.equal(again.readRecord(Point, 8).x, 5, "the data stayed in the segment");
  shm.close();
  assert.ok(again.detached, "close() detaches the handle's attachments");
});

test("SharedMemoryAttachment read-only hands out copies only, and writes are refused", () => {
  using shm = privateSegment(8);
  using writer = shm.attach();
  using reader = shm.attach({ readOnly: true });
  writer.write(new Uint8Array([1, 2, 3]));
  assert.deepEqual(reader.read(0, 3), new Uint8Array([1, 2, 3]));
  assert.ok(reader.readOnly);
  assert.throws(() => reader.bytes(), TypeError);
  assert.throws(() => reader.array(Uint8Array), TypeError);
  assert.throws(() => reader.write(new Uint8Array(1)), /attached read-only/);
  const One = struct([["v", i32]]);
  assert.throws(() => reader.record(One), TypeError);
  assert.throws(() => reader.writeRecord(One, { v: 1 }), TypeError);
  assert.equal(
    reader.readRecord(One).v,
    new DataView(new Uint8Array([1, 2, 3, 0]).buffer).getInt32(0, true),
  );
});

test(
  "SharedMemory Atomics work across processes: a C program and we add to the same counter",
  async () => {
    const peer = await cPeer();
    using shm = privateSegment(4096);
    using memory = shm.attach();
    const counter = memory.array(Int32Array, 0, 1);
    const child = run(peer, ["shmadd", String(shm.id), "100000"]);
    for (let i = 0; i < 100000; i++) Atomics.add(counter, 0, 1);
    assert.equal((await child).code, 0);
    assert.equal(Atomics.load(counter, 0), 200000);
  },
  { peers: [peers.gcc] },
);

test("SharedMemory.remove() lets attachments live on, and Linux lets a process attach by id after", async () => {
  using shm = privateSegment(64);
  using memory = shm.attach();
  memory.write(new TextEncoder().encode("still here"));
  shm.remove();
  const status = shm.stat();
  assert.ok(status.removed);
  assert.equal(status.key, IPC_PRIVATE);
  using late = new SharedMemoryAttachment(shm.id);
  assert.equal(new TextDecoder().decode(late.read(0, 10)), "still here");
  const { code, stdout } = await run(deno, [
    "eval",
    `import { SharedMemory } from "${xsi}";
using memory = SharedMemory.fromId(${shm.id}).attach({ readOnly: true });
console.log(new TextDecoder().decode(memory.read(0, 10)));`,
  ]);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), "still here");
});

test("SharedMemory shares bytes with Python's sysv_ipc both ways", async () => {
  const key = randomKey();
  using shm = SharedMemory.open(key, { create: true, exclusive: true, size: 32 });
  try {
    using memory = shm.attach();
    memory.write(new TextEncoder().encode("from deno"));
    const got = await runPython(
      `
m = sysv_ipc.SharedMemory(int(sys.argv[1]))
print(m.read(9).decode())
m.write(b"from python", 16)
m.detach()
`,
      [String(key)],
    );
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim(), "from deno");
    assert.equal(new TextDecoder().decode(memory.read(16, 11)), "from python");
  } finally {
    shm.remove();
  }
}, { peers: [pythonSysvIpc] });

test("SharedMemory.set() changes the mode, and calls on a closed handle fail with EBADF", () => {
  const shm = privateSegment(8);
  shm.set({ mode: 0o644 });
  assert.equal(shm.stat().mode, 0o644);
  assert.ok(SharedMemory.limits().maxSize > 0n);
  shm.close();
  assert.throws(() => shm.attach(), { code: "EBADF" });
  assert.throws(() => shm.stat(), { code: "EBADF" });
});
