import assert from "node:assert/strict";
import {
  formatIpcs,
  IPC_PRIVATE,
  ipcrm,
  ipcs,
  MessageQueue,
  SemaphoreSet,
  SharedMemory,
} from "../../xsi/mod.ts";
import { deno, peers, randomKey, run, test } from "../_util.ts";

/** Objects of every kind, with what ipcs shows of them varied: mode, counts, a removed segment. */
function makeObjects() {
  const queue = MessageQueue.open(randomKey(), { create: true, mode: 0o640 });
  queue.sendSync(1, new Uint8Array(10));
  queue.sendSync(2, new Uint8Array(3));
  const set = SemaphoreSet.open(IPC_PRIVATE, { count: 3, mode: 0o604 });
  const shm = SharedMemory.open(randomKey(), { create: true, size: 12345 });
  const memory = shm.attach();
  const gone = SharedMemory.open(IPC_PRIVATE, { size: 100 });
  const goneMemory = gone.attach();
  gone.remove();
  return {
    queue,
    set,
    shm,
    [Symbol.dispose]() {
      memory.detach();
      goneMemory.detach();
      for (const o of [queue, set, shm]) {
        try {
          o.remove();
        } catch {
          // Removed by the test.
        }
        o.close();
      }
      gone.close();
    },
  };
}

test("ipcs() lists our objects with what stat() reports", () => {
  using objects = makeObjects();
  const report = ipcs();
  const q = report.messageQueues.find((o) => o.id === objects.queue.id);
  assert.ok(q);
  const { maxBytes: _, ...status } = objects.queue.stat();
  assert.deepEqual({ ...q, owner: undefined }, { ...status, owner: undefined });
  assert.equal(q.messages, 2);
  assert.equal(q.bytes, 13);
  assert.equal(q.mode, 0o640);
  const s = report.semaphoreSets.find((o) => o.id === objects.set.id);
  assert.deepEqual({ ...s, owner: undefined }, { ...objects.set.stat(), owner: undefined });
  const m = report.sharedMemory.find((o) => o.id === objects.shm.id);
  assert.deepEqual({ ...m, owner: undefined }, { ...objects.shm.stat(), owner: undefined });
  assert.ok(report.sharedMemory.some((o) => o.removed && o.size === 100));
});

test(
  "formatIpcs() prints exactly what util-linux's ipcs prints, for -a, -q, -m and -s",
  async () => {
    using _objects = makeObjects();
    for (
      const [flag, kinds] of [["-a", undefined], ["-q", ["msg"]], ["-m", ["shm"]], ["-s", [
        "sem",
      ]]] as const
    ) {
      const theirs = await run("ipcs", [flag]);
      const ours = formatIpcs(ipcs(), kinds);
      assert.equal(ours, theirs.stdout, `ipcs ${flag}`);
    }
  },
  { peers: [peers.ipcs] },
);

test(
  "deno task ipcs prints ipcs's columns and --json; deno task ipcrm removes by id and key",
  async () => {
    using objects = makeObjects();
    const text = await run(deno, ["run", "--allow-ffi", "scripts/ipcs.ts"]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, (await run("ipcs", ["-a"])).stdout);
    const json = JSON.parse(
      (await run(deno, ["run", "--allow-ffi", "scripts/ipcs.ts", "-q", "--json"])).stdout,
    );
    assert.deepEqual(Object.keys(json), ["messageQueues"]);
    const listed = json.messageQueues.find((q: { id: number }) => q.id === objects.queue.id);
    assert.match(listed.key, /^0x[0-9a-f]{8}$/);
    assert.equal(listed.messages, 2);
    const key = `0x${(objects.shm.key! >>> 0).toString(16)}`;
    const removed = await run(deno, [
      "run",
      "--allow-ffi",
      "scripts/ipcrm.ts",
      "-q",
      String(objects.queue.id),
      "-M",
      key,
      "-s",
      String(objects.set.id),
    ]);
    assert.equal(removed.code, 0, removed.stderr);
    const after = ipcs();
    assert.ok(!after.messageQueues.some((o) => o.id === objects.queue.id));
    assert.ok(!after.semaphoreSets.some((o) => o.id === objects.set.id));
    assert.ok(after.sharedMemory.find((o) => o.id === objects.shm.id)?.removed);
    const failed = await run(deno, [
      "run",
      "--allow-ffi",
      "scripts/ipcrm.ts",
      "-q",
      String(objects.queue.id),
      "-S",
      "0x7fff1234",
      "-Q",
      "0",
    ]);
    assert.equal(failed.code, 1);
    assert.equal(
      failed.stderr,
      `ipcrm: invalid id (${objects.queue.id})\nipcrm: invalid key (0x7fff1234)\nipcrm: illegal key (0)\n`,
    );
  },
  { peers: [peers.ipcs], denoOnly: "runs the Deno scripts scripts/ipcs.ts and scripts/ipcrm.ts" },
);

test("ipcrm() removes by id or key, and says why it cannot", () => {
  const key = randomKey();
  const queue = MessageQueue.open(key, { create: true });
  queue.close();
  ipcrm("msg", { key });
  assert.throws(() => ipcrm("msg", { key }), { code: "ENOENT" });
  assert.throws(() => ipcrm("msg", { id: queue.id }), { code: "EINVAL" });
  const shm = SharedMemory.open(IPC_PRIVATE, { size: 1 });
  ipcrm("shm", { id: shm.id });
  assert.throws(() => shm.stat(), { code: "EINVAL" });
  shm.close();
  assert.throws(() => ipcrm("pipe" as "msg", { id: 1 }), RangeError);
  assert.throws(() => ipcrm("msg", { key: 0 }), RangeError);
  assert.throws(() => ipcrm("msg", { id: -1 }), RangeError);
  assert.throws(() => ipcrm("msg", {} as { id: number }), TypeError);
});
