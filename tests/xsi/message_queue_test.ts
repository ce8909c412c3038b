import assert from "node:assert/strict";
import { bytes as byteField, flexibleBytes, i32, packed, struct, u16 } from "../../endian/mod.ts";
import { ErrnoError } from "../../ipc/mod.ts";
import { IPC_PRIVATE, MessageQueue } from "../../xsi/mod.ts";
import { MAX_POOL_THREADS, threadsInUse } from "../../xsi/_wait.ts";
import { peers, randomKey, run, test } from "../_util.ts";
import { cPeer, MsgSt } from "./_peers.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function privateQueue(): MessageQueue & Disposable {
  const queue = MessageQueue.open(IPC_PRIVATE);
  const close = queue.close.bind(queue);
  queue.close = () => {
    if (!queue.closed) {
      try {
        queue.remove();
      } catch {
        // Removed by the test.
      }
    }
    close();
  };
  return queue;
}

// ---- opening --------------------------------------------------------------------

test("MessageQueue.open() creates with mode 0600 and opens the same queue by key", () => {
  const key = randomKey();
  using created = MessageQueue.open(key, { create: true, exclusive: true });
  using opened = MessageQueue.open(key);
  try {
    assert.equal(opened.id, created.id);
    assert.equal(created.key, key);
    const status = created.stat();
    assert.equal(status.mode, 0o600);
    assert.equal(status.key, key);
    assert.equal(status.uid, Deno.uid());
  } finally {
    created.remove();
  }
});

test("MessageQueue.open() fails with ENOENT for a missing key and EEXIST when exclusive", () => {
  const key = randomKey();
  assert.throws(() => MessageQueue.open(key), (e: unknown) => {
    assert.ok(e instanceof ErrnoError);
    assert.equal(e.code, "ENOENT");
    assert.equal(e.syscall, "msgget");
    assert.match(
      e.message,
      /^Cannot open message queue with key 0x[0-9a-f]{8}: no queue has this key/,
    );
    return true;
  });
  using queue = MessageQueue.open(key, { create: true });
  try {
    assert.throws(() => MessageQueue.open(key, { exclusive: true }), { code: "EEXIST" });
    using again = MessageQueue.open(key, { create: true });
    assert.equal(again.id, queue.id);
  } finally {
    queue.remove();
  }
});

test("MessageQueue.open() honours mode and rejects bad keys and options before any syscall", () => {
  using queue = privateQueue();
  using custom = MessageQueue.open(IPC_PRIVATE, { mode: 0o640 });
  try {
    assert.equal(custom.stat().mode, 0o640);
  } finally {
    custom.remove();
  }
  assert.equal(queue.key, IPC_PRIVATE);
  for (const key of [NaN, -0, 1.5, 2 ** 32, -(2 ** 31) - 1, Infinity]) {
    assert.throws(() => MessageQueue.open(key), RangeError, `key ${key}`);
  }
  assert.throws(() => MessageQueue.open("1" as unknown as number), TypeError);
  assert.throws(() => MessageQueue.open(IPC_PRIVATE, { mode: 0o1000 }), RangeError);
  assert.throws(() => MessageQueue.open(IPC_PRIVATE, { mode: -1 }), RangeError);
  assert.throws(
    () => MessageQueue.open(IPC_PRIVATE, { create: 1 as unknown as boolean }),
    TypeError,
  );
  assert.throws(() => MessageQueue.open(IPC_PRIVATE, null as unknown as undefined), TypeError);
  assert.throws(() => MessageQueue.fromId(-1), RangeError);
  assert.throws(() => MessageQueue.fromId(2 ** 31), RangeError);
});

test("MessageQueue keys given unsigned (as ipcs prints them) name the same queue as signed", () => {
  const key = -randomKey();
  using queue = MessageQueue.open(key, { create: true, exclusive: true });
  try {
    using same = MessageQueue.open(key >>> 0);
    assert.equal(same.id, queue.id);
  } finally {
    queue.remove();
  }
});

// ---- send and receive -----------------------------------------------------------

test("MessageQueue.receiveSync() selects by type: first, exact, lowest up to, except", () => {
  using queue = privateQueue();
  for (const type of [5, 3, 7, 3, 1]) queue.sendSync(type, enc(`t${type}`));
  assert.equal(queue.receiveSync({ type: 3 }).type, 3);
  assert.equal(queue.receiveSync({ type: 5, except: true }).type, 7);
  assert.equal(queue.receiveSync({ type: -4 }).type, 1);
  assert.equal(queue.receiveSync({ type: -4 }).type, 3);
  assert.equal(queue.receiveSync().type, 5);
  assert.throws(() => queue.receiveSync({ wait: false }), (e: unknown) => {
    assert.ok(e instanceof ErrnoError);
    assert.equal(e.code, "ENOMSG");
    assert.match(e.message, /no message is queued/);
    return true;
  });
  assert.throws(
    () => queue.receiveSync({ type: 9, wait: false }),
    /no message of type 9 is queued/,
  );
});

test("MessageQueue.receiveSync() fails with E2BIG and leaves the message, or truncates on request", () => {
  using queue = privateQueue();
  queue.sendSync(1, enc("0123456789"));
  assert.throws(() => queue.receiveSync({ maxSize: 4 }), (e: unknown) => {
    assert.ok(e instanceof ErrnoError);
    assert.equal(e.code, "E2BIG");
    assert.match(e.message, /longer than 4 bytes, and stays queued/);
    return true;
  });
  assert.equal(queue.stat().messages, 1);
  const cut = queue.receiveSync({ maxSize: 4, truncate: true });
  assert.equal(dec(cut.data), "0123");
  assert.equal(queue.stat().messages, 0);
});

test("MessageQueue sends and receives empty and msgmax-long messages", async () => {
  using queue = privateQueue();
  const max = MessageQueue.limits().maxMessageSize;
  const big = new Uint8Array(max).map((_, i) => i & 0xff);
  queue.sendSync(2, new Uint8Array(0));
  queue.sendSync(3, big);
  assert.deepEqual(queue.receiveSync(), { type: 2, data: new Uint8Array(0) });
  assert.deepEqual((await queue.receive()).data, big);
  assert.throws(() => queue.sendSync(1, new Uint8Array(max + 1)), RangeError);
});

test("MessageQueue.sendSync() rejects bad types and data before any syscall", () => {
  using queue = privateQueue();
  for (const type of [0, -1, 1.5, NaN, -0, 2 ** 53]) {
    assert.throws(() => queue.sendSync(type, enc("x")), RangeError, `type ${type}`);
  }
  assert.throws(() => queue.sendSync("1" as unknown as number, enc("x")), TypeError);
  assert.throws(() => queue.sendSync(1, "text" as unknown as Uint8Array), TypeError);
  assert.throws(() => queue.sendSync(1, enc("x"), { wait: "no" as unknown as boolean }), TypeError);
  assert.equal(queue.stat().messages, 0);
});

test("MessageQueue.receive() options are checked: except needs a positive type, maxSize a range", async () => {
  using queue = privateQueue();
  assert.throws(() => queue.receiveSync({ type: 0, except: true }), RangeError);
  assert.throws(() => queue.receiveSync({ maxSize: -1 }), RangeError);
  assert.throws(() => queue.receiveSync({ maxSize: 1e9 }), RangeError);
  assert.throws(() => queue.receiveSync({ type: 1.5 }), RangeError);
  await assert.rejects(queue.receive({ timeout: -1 }), RangeError);
  await assert.rejects(queue.receive({ timeout: NaN }), RangeError);
  await assert.rejects(queue.receive({ signal: {} as AbortSignal }), TypeError);
  await assert.rejects(queue.receive({ layout: {} as typeof MsgSt }), TypeError);
  assert.throws(() => queue.receiveSync({ layout: MsgSt, maxSize: 100 }), TypeError);
});

test("MessageQueue.sendSync() with wait: false gives a clear busy error (EAGAIN) on a full queue", () => {
  using queue = privateQueue();
  queue.set({ maxBytes: 16 });
  queue.sendSync(1, new Uint8Array(16));
  assert.throws(() => queue.sendSync(1, new Uint8Array(1), { wait: false }), (e: unknown) => {
    assert.ok(e instanceof ErrnoError);
    assert.equal(e.code, "EAGAIN");
    assert.equal(e.message, `Cannot send to message queue ${queue.id}: the queue is full (EAGAIN)`);
    return true;
  });
});

// ---- records ----------------------------------------------------------------------

test("MessageQueue sends a whole-struct record as sizeof(struct) - sizeof(long) bytes of text", () => {
  using queue = privateQueue();
  queue.sendSync(4, { name: "Alan", math: 90, chinese: 85 }, { layout: MsgSt });
  assert.equal(queue.stat().bytes, MsgSt.size - 8);
  const raw = queue.receiveSync({ wait: false });
  assert.equal(raw.type, 4);
  assert.deepEqual(
    raw.data,
    MsgSt.encode({ mtype: 4, name: "Alan", math: 90, chinese: 85 }).slice(8),
  );
  queue.sendSync(1, { mtype: 1, name: "Bob", math: 1, chinese: 2 }, { layout: MsgSt });
  assert.deepEqual(queue.receiveSync({ layout: MsgSt }).data, {
    mtype: 1,
    name: "Bob",
    math: 1,
    chinese: 2,
  });
  assert.throws(
    () => queue.sendSync(1, { mtype: 2, name: "x", math: 0, chinese: 0 }, { layout: MsgSt }),
    RangeError,
  );
  assert.throws(
    () => queue.sendSync(1, { name: "a".repeat(32), math: 0, chinese: 0 }, { layout: MsgSt }),
    RangeError,
  );
});

test("MessageQueue sends a text-only layout and a flexible one; a short message is a clear error", () => {
  using queue = privateQueue();
  const Body = packed([["kind", u16], ["code", i32]], { byteOrder: "big" });
  queue.sendSync(1, { kind: 7, code: -2 }, { layout: Body });
  assert.deepEqual(
    queue.receiveSync({ wait: false }).data,
    new Uint8Array([0, 7, 255, 255, 255, 254]),
  );
  const Frame = struct([["n", i32], ["rest", flexibleBytes()]]);
  queue.sendSync(2, { n: 3, rest: new Uint8Array([1, 2, 3]) }, { layout: Frame });
  const frame = queue.receiveSync({ layout: Frame, maxSize: 100 });
  assert.deepEqual(frame, { type: 2, data: { n: 3, rest: new Uint8Array([1, 2, 3]) } });
  queue.sendSync(3, new Uint8Array(2));
  assert.throws(
    () => queue.receiveSync({ layout: Body }),
    /it has 2 bytes of text, but the layout needs 6/,
  );
  const Wide = struct([["raw", byteField(8)]]);
  queue.sendSync(4, new Uint8Array(9));
  assert.throws(() => queue.receiveSync({ layout: Wide }), { code: "E2BIG" });
});

// ---- waiting --------------------------------------------------------------------------

test("MessageQueue.receive() waits without blocking the event loop and gets the message", async () => {
  using queue = privateQueue();
  const pending = queue.receive({ type: 2, spin: 0 });
  let ticks = 0;
  const interval = setInterval(() => ticks++, 1);
  await sleep(30);
  queue.sendSync(1, enc("other"));
  queue.sendSync(2, enc("mine"));
  const message = await pending;
  clearInterval(interval);
  assert.ok(ticks > 5, `the event loop ran ${ticks} times`);
  assert.deepEqual(message, { type: 2, data: enc("mine") });
  assert.equal(queue.stat().messages, 1);
});

test("MessageQueue.receive() hands over a zero-length message that its waiter took", async () => {
  using queue = privateQueue();
  const pending = queue.receive({ spin: 0 });
  await sleep(20);
  queue.sendSync(9, new Uint8Array(0));
  assert.deepEqual(await pending, { type: 9, data: new Uint8Array(0) });
  assert.equal(queue.stat().messages, 0);
});

test("MessageQueue.receive() rejects with a TimeoutError after its timeout, and with the signal's reason", async () => {
  using queue = privateQueue();
  const started = performance.now();
  await assert.rejects(queue.receive({ timeout: 50 }), (e: unknown) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, "TimeoutError");
    assert.match(
      e.message,
      /^Cannot receive from message queue \d+: no message came within 50 ms$/,
    );
    return true;
  });
  assert.ok(performance.now() - started >= 49);
  const controller = new AbortController();
  const pending = queue.receive({ signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 20);
  await assert.rejects(pending, /stop/);
  await assert.rejects(queue.receive({ signal: AbortSignal.abort() }), { name: "AbortError" });
  await assert.rejects(queue.receive({ wait: false }), { code: "ENOMSG" });
  assert.equal(threadsInUse(), 0);
  // Nothing was lost: a message sent now is still there.
  queue.sendSync(1, enc("kept"));
  assert.equal(dec(queue.receiveSync().data), "kept");
});

test(
  "MessageQueue.receive() rejects with EIDRM when another process removes the queue",
  async () => {
    using queue = privateQueue();
    const pending = queue.receive({ spin: 0 });
    await sleep(20);
    const removed = run("ipcrm", ["-q", String(queue.id)]);
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof ErrnoError);
      assert.equal(e.code, "EIDRM");
      assert.equal(
        e.message,
        `Cannot receive from message queue ${queue.id}: the queue was removed (EIDRM)`,
      );
      return true;
    });
    assert.equal((await removed).code, 0);
  },
  { peers: [peers.ipcs] },
);

test("MessageQueue.close() rejects pending receives with EBADF and ends for await", async () => {
  const queue = privateQueue();
  const seen: number[] = [];
  const loop = (async () => {
    for await (const message of queue) seen.push(message.type);
  })();
  const pending = queue.receive();
  await sleep(20);
  queue.sendSync(1, enc("a"));
  await sleep(20);
  queue.close();
  await assert.rejects(pending, { code: "EBADF" });
  await loop;
  assert.deepEqual(seen, [1]);
  assert.throws(() => queue.sendSync(1, enc("x")), { code: "EBADF" });
  await assert.rejects(queue.receive(), { code: "EBADF" });
  // The object is named once: "remove message queue 7", not "remove message queue message queue 7".
  for (
    const [call, action] of [[() => queue.remove(), "remove"], [
      () => queue.stat(),
      "read the status of",
    ]] as const
  ) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof ErrnoError && e.code === "EBADF");
      assert.match(e.message, new RegExp(`^Cannot ${action} message queue ${queue.id}: `));
      return true;
    });
  }
  assert.equal(threadsInUse(), 0);
});

test("MessageQueue receives of one selection share one pool thread and get messages oldest first", async () => {
  using queue = privateQueue();
  const pending = Array.from({ length: 10 }, () => queue.receive({ type: 1, spin: 0 }));
  await sleep(20);
  assert.equal(threadsInUse(), 1);
  for (let i = 0; i < 10; i++) queue.sendSync(1, new Uint8Array([i]));
  const got = await Promise.all(pending);
  assert.deepEqual(got.map((m) => m.data[0]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(threadsInUse(), 0);
});

test("MessageQueue waits past the thread budget poll instead of taking more pool threads", async () => {
  using queue = privateQueue();
  const pending = Array.from({ length: 8 }, (_, i) => queue.receive({ type: i + 1, spin: 0 }));
  await sleep(30);
  // 4, or fewer where the runtime's pool is small (libuv's 4 threads under Node).
  assert.ok(MAX_POOL_THREADS >= 1 && MAX_POOL_THREADS <= 4);
  assert.equal(threadsInUse(), MAX_POOL_THREADS);
  for (let i = 8; i >= 1; i--) queue.sendSync(i, new Uint8Array([i]));
  const got = await Promise.all(pending);
  assert.deepEqual(got.map((m) => m.type), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(queue.stat().messages, 0);
  assert.equal(threadsInUse(), 0);
});

test("MessageQueue loses no message and receives none twice when receives abort under traffic", async () => {
  using queue = privateQueue();
  const total = 300;
  const received: number[] = [];
  const receivers = Array.from({ length: 6 }, async () => {
    while (received.length < total) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), Math.random() * 3);
      try {
        const { data } = await queue.receive({ signal: controller.signal, spin: 0 });
        received.push(data.length === 0 ? -1 : new DataView(data.buffer).getUint32(0));
      } catch (error) {
        if ((error as Error).name !== "AbortError") throw error;
      }
    }
  });
  for (let i = 0; i < total; i++) {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, i);
    queue.sendSync(1 + (i % 3), i % 7 === 0 ? new Uint8Array(0) : data);
    if (i % 10 === 0) await sleep(1);
  }
  await Promise.all(receivers);
  // Zero-length messages carry no number: count them apart.
  const numbered = received.filter((n) => n >= 0).sort((a, b) => a - b);
  const expected = Array.from({ length: total }, (_, i) => i).filter((i) => i % 7 !== 0);
  assert.deepEqual(numbered, expected);
  assert.equal(received.length - numbered.length, total - expected.length);
  assert.equal(queue.stat().messages, 0);
});

test("MessageQueue.send() waits for room, in order, and gives up on timeout or abort", async () => {
  using queue = privateQueue();
  queue.set({ maxBytes: 8 });
  queue.sendSync(1, new Uint8Array(8));
  const first = queue.send(2, new Uint8Array(4));
  const second = queue.send(3, new Uint8Array(4));
  await assert.rejects(queue.send(4, new Uint8Array(1), { wait: false }), { code: "EAGAIN" });
  await sleep(20);
  assert.equal(queue.receiveSync().type, 1);
  await Promise.all([first, second]);
  assert.deepEqual([queue.receiveSync().type, queue.receiveSync().type], [2, 3]);
  queue.sendSync(1, new Uint8Array(8));
  await assert.rejects(queue.send(5, new Uint8Array(1), { timeout: 30 }), (e: unknown) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, "TimeoutError");
    assert.match(e.message, /the queue had no room within 30 ms/);
    return true;
  });
  await assert.rejects(
    queue.send(6, new Uint8Array(1), { signal: AbortSignal.timeout(20) }),
    { name: "TimeoutError" },
  );
  assert.equal(queue.stat().messages, 1);
  assert.equal(threadsInUse(), 0);
});

test("MessageQueue.stat() and set() report and change the queue", () => {
  using queue = privateQueue();
  queue.sendSync(1, new Uint8Array(5));
  const status = queue.stat();
  assert.equal(status.messages, 1);
  assert.equal(status.bytes, 5);
  assert.equal(status.lastSendPid, Deno.pid);
  assert.equal(status.lastReceivePid, 0);
  assert.ok(status.lastSend instanceof Date);
  assert.equal(status.lastReceive, null);
  queue.set({ mode: 0o604, maxBytes: 4096 });
  assert.equal(queue.stat().mode, 0o604);
  assert.equal(queue.stat().maxBytes, 4096);
  assert.throws(() => queue.set({ mode: 0o7777 }), RangeError);
  assert.throws(() => queue.set({ uid: -1 }), RangeError);
  assert.throws(() => queue.set({ maxBytes: 1.5 }), RangeError);
});

test("MessageQueue.remove() and calls on a removed queue fail clearly", () => {
  const queue = MessageQueue.open(IPC_PRIVATE);
  queue.remove();
  assert.throws(() => queue.sendSync(1, enc("x")), { code: "EINVAL" });
  assert.throws(() => queue.remove(), /does not exist/);
  queue.close();
  queue.close();
  assert.ok(queue.closed);
});

// ---- with a C peer ------------------------------------------------------------------

test("MessageQueue exchanges struct msg_st with a C program both ways, byte for byte", async () => {
  const peer = await cPeer();
  using queue = privateQueue();
  const sent = await run(peer, ["send", String(queue.id), "1", "Grace", "99", "77"]);
  assert.equal(sent.code, 0, sent.stdout);
  const raw = queue.receiveSync({ wait: false });
  assert.deepEqual(
    raw.data,
    MsgSt.encode({ mtype: 1, name: "Grace", math: 99, chinese: 77 }).slice(8),
  );
  queue.sendSync(1, { name: "Alan", math: 90, chinese: 85 }, { layout: MsgSt });
  const got = await run(peer, ["recv", String(queue.id), "0"]);
  assert.deepEqual(JSON.parse(got.stdout), {
    size: 40,
    mtype: 1,
    name: "Alan",
    math: 90,
    chinese: 85,
  });
}, { peers: [peers.gcc] });

test("MessageQueue.receive() with into copies the text into the caller's buffer, without allocating it", async () => {
  using queue = privateQueue();
  const into = new Uint8Array(16);
  queue.sendSync(1, enc("first"));
  queue.sendSync(2, enc("second!"));
  const first = queue.receiveSync({ into });
  assert.equal(first.data.buffer, into.buffer);
  assert.equal(dec(first.data), "first");
  const second = await queue.receive({ into });
  assert.equal(dec(second.data), "second!");
  queue.sendSync(3, new Uint8Array(17));
  assert.throws(() => queue.receiveSync({ into }), { code: "E2BIG" }, "maxSize is into.length");
  assert.equal(queue.receiveSync({ into, truncate: true }).data.length, 16);
  assert.throws(() => queue.receiveSync({ into, maxSize: 17 }), RangeError);
  assert.throws(() => queue.receiveSync({ into, layout: MsgSt }), TypeError);
  assert.throws(() => queue.receiveSync({ into: [1] as unknown as Uint8Array }), TypeError);
});
