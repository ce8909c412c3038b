import assert from "node:assert/strict";
import { BRIEF_WAIT_US, BriefWait, pollerStatus, waitFor } from "../../ipc/_poller.ts";
import { pipe } from "../../ipc/mod.ts";
import { test } from "../_util.ts";

const encoder = new TextEncoder();

test("BriefWait waits briefly for at most BRIEF_WAIT_US", () => {
  const brief = new BriefWait();
  assert.equal(brief.maxMicros, BRIEF_WAIT_US);
  assert.ok(brief.budget() > 0 && brief.budget() <= BRIEF_WAIT_US);
});

test("a brief wait on a ready fd resolves without the epoll thread", async () => {
  using p = pipe();
  p.write.writeSync(encoder.encode("ready"));
  const brief = new BriefWait();
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  assert.equal(pollerStatus().waiters, 0, "nothing parked");
  assert.equal(pollerStatus().waiting, false);
  await waiting;
});

test("a brief wait that comes up empty parks, and blocks the thread no longer than its budget", async () => {
  using p = pipe();
  const brief = new BriefWait();
  const start = performance.now();
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  const blockedMs = performance.now() - start;
  assert.ok(blockedMs < 20, `blocked ${blockedMs} ms (budget ${BRIEF_WAIT_US} us)`);
  assert.equal(pollerStatus().waiters, 1, "parked with the epoll thread");
  p.write.writeSync(encoder.encode("late"));
  await waiting;
});

test("brief waits that keep coming up empty stop: a ready fd's wait then parks", async () => {
  using p = pipe();
  const brief = new BriefWait();
  for (let i = 0; i < 11; i++) {
    const waiting = waitFor(p.read.fd, "read", undefined, brief);
    p.write.writeSync(encoder.encode("late"));
    await waiting;
    p.read.readSync(new Uint8Array(4));
  }
  p.write.writeSync(encoder.encode("ready"));
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  assert.equal(pollerStatus().waiters, 1, "parked, though it was ready");
  await waiting;
});

test("a long parked wait (an idle fd) stops brief waits", async () => {
  using p = pipe();
  const brief = new BriefWait();
  const idle = waitFor(p.read.fd, "read", undefined, brief);
  await new Promise((resolve) => setTimeout(resolve, 5));
  p.write.writeSync(encoder.encode("late"));
  await idle;
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  assert.equal(pollerStatus().waiters, 1, "parked, though it was ready");
  await waiting;
});

test("no brief wait while another wait is pending: other fds are never held up", async () => {
  using other = pipe();
  using p = pipe();
  const parked = other.read.read(new Uint8Array(4));
  p.write.writeSync(encoder.encode("ready"));
  const brief = new BriefWait();
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  assert.equal(pollerStatus().waiters, 2, "parked, though it was ready");
  await waiting;
  other.write.writeSync(encoder.encode("done"));
  assert.equal(await parked, 4);
});
