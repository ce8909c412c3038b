import assert from "node:assert/strict";
import { MessageQueue, SemaphoreSet, SharedMemory } from "../../xsi/mod.ts";
import { peers, randomKey, test } from "../_util.ts";
import { cPeer, runAsNobody, switchUser } from "./_peers.ts";

test("another user (nobody) gets EACCES on our objects, created 0600 by default", async () => {
  const peer = await cPeer();
  using queue = MessageQueue.open(randomKey(), { create: true, exclusive: true });
  using set = SemaphoreSet.open(randomKey(), { create: true, exclusive: true });
  using shm = SharedMemory.open(randomKey(), { create: true, exclusive: true, size: 64 });
  try {
    for (
      const [call, id] of [
        ["msgsnd", queue.id],
        ["msgrcv", queue.id],
        ["semop", set.id],
        ["shmat", shm.id],
      ] as const
    ) {
      const { code, stdout } = await runAsNobody(peer, [call, String(id)]);
      assert.equal(code, 1, `${call} as nobody succeeded`);
      assert.equal(stdout.trim(), "EACCES", call);
    }
    // With mode 0o606 the others may read and write: the same calls go through.
    queue.set({ mode: 0o606 });
    const { stdout } = await runAsNobody(peer, ["msgsnd", String(queue.id)]);
    assert.equal(stdout.trim(), "OK");
    assert.equal(queue.stat().messages, 1);
  } finally {
    queue.remove();
    set.remove();
    shm.remove();
  }
}, { peers: [peers.gcc, switchUser] });
