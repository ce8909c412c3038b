/**
 * A process must exit promptly once nothing of the program waits any more,
 * even though a pool thread was blocked in msgrcv or semtimedop for it.
 */

import assert from "node:assert/strict";
import { IPC_PRIVATE, MessageQueue, SemaphoreSet } from "../../xsi/mod.ts";
import { libraryUrl } from "../_runtime.ts";
import { runScript as runChild, test } from "../_util.ts";

const xsi = libraryUrl("xsi/mod");
const net = libraryUrl("net/mod");

/** Runs a script (plain JavaScript) in a child of the runtime running the tests. */
async function runScript(script: string): Promise<{ code: number; ms: number; out: string }> {
  const started = performance.now();
  const { code, stdout, stderr } = await runChild(script, { timeout: 20_000 });
  return { code, ms: performance.now() - started, out: stdout + stderr };
}

test("a script with receives pending on a closed handle exits promptly", async () => {
  using queue = MessageQueue.open(IPC_PRIVATE);
  try {
    const { code, ms, out } = await runScript(`
import { MessageQueue } from "${xsi}";
const queue = MessageQueue.fromId(${queue.id});
const pending = [queue.receive({ spin: 0 }), queue.receive({ type: 5, spin: 0 })];
for (const p of pending) p.catch((e) => console.log(e.code));
setTimeout(() => queue.close(), 50);
`);
    assert.equal(code, 0, out);
    assert.equal(out.trim(), "EBADF\nEBADF");
    assert.ok(ms < 5000, `took ${ms} ms`);
  } finally {
    queue.remove();
  }
});

test(
  "a script whose receive was aborted, or whose semaphore wait timed out, exits promptly",
  async () => {
    using queue = MessageQueue.open(IPC_PRIVATE);
    using set = SemaphoreSet.open(IPC_PRIVATE);
    try {
      const { code, ms, out } = await runScript(`
import { MessageQueue, SemaphoreSet } from "${xsi}";
const queue = MessageQueue.fromId(${queue.id});
const set = SemaphoreSet.fromId(${set.id});
queue.receive({ signal: AbortSignal.timeout(50), spin: 0 }).catch((e) => console.log(e.name));
set.op({ index: 0, delta: -1 }, { timeout: 50, spin: 0 }).catch((e) => console.log(e.name));
const controller = new AbortController();
set.op({ index: 0, delta: -1 }, { signal: controller.signal, spin: 0 }).catch((e) => console.log(e.name));
setTimeout(() => controller.abort(), 50);
`);
      assert.equal(code, 0, out);
      assert.deepEqual(out.trim().split("\n").sort(), [
        "AbortError",
        "TimeoutError",
        "TimeoutError",
      ]);
      assert.ok(ms < 5000, `took ${ms} ms`);
    } finally {
      queue.remove();
      set.remove();
    }
  },
);

test(
  "a script with a receive pending on an open handle keeps running until a message comes",
  async () => {
    using queue = MessageQueue.open(IPC_PRIVATE);
    try {
      const child = runScript(`
import { MessageQueue } from "${xsi}";
const { data } = await MessageQueue.fromId(${queue.id}).receive({ spin: 0 });
console.log(data[0]);
`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      queue.sendSync(1, new Uint8Array([42]));
      const { code, out } = await child;
      assert.equal(code, 0, out);
      assert.equal(out.trim(), "42");
    } finally {
      queue.remove();
    }
  },
);

test("a script that exits while a receive, a semaphore wait and an accept are pending exits at once", async () => {
  using queue = MessageQueue.open(IPC_PRIVATE);
  using set = SemaphoreSet.open(IPC_PRIVATE);
  try {
    // Node joins its pool threads at exit: a msgrcv, semtimedop or epoll_wait still blocked there
    // would keep the exit waiting for ever, unless the library ends them.
    const { code, ms, out } = await runScript(`
import process from "node:process";
import { MessageQueue, SemaphoreSet } from "${xsi}";
import { TcpListener } from "${net}";
const queue = MessageQueue.fromId(${queue.id});
queue.receive({ type: 5, spin: 0 }).catch(() => {});
SemaphoreSet.fromId(${set.id}).op({ index: 0, delta: -1 }, { spin: 0 }).catch(() => {});
const listener = TcpListener.listen({ hostname: "127.0.0.1", port: 0 });
listener.accept().catch(() => {});
setTimeout(() => {
  console.log("exiting");
  process.exit(7);
}, 100);
`);
    assert.equal(code, 7, out);
    assert.equal(out.trim(), "exiting");
    assert.ok(ms < 5000, `took ${ms} ms`);
  } finally {
    queue.remove();
    set.remove();
  }
});
