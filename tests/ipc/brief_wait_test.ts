import assert from "node:assert/strict";
import { BRIEF_WAIT_US, BriefWait, pollerStatus, waitFor } from "../../ipc/_poller.ts";
import { libc } from "../../ipc/_libc.ts";
import { pipe } from "../../ipc/mod.ts";
import { test } from "../_util.ts";

const encoder = new TextEncoder();

test("BriefWait arms after a quick parked wait and disarms after a slow one", () => {
  const brief = new BriefWait();
  assert.equal(brief.armed(), false, "nothing known yet: park");
  brief.parked(0.1);
  assert.equal(brief.armed(), true);
  brief.parked(5);
  assert.equal(brief.armed(), false, "an idle fd never waits briefly");
});

test("BriefWait backs off exponentially after brief waits that come up empty", () => {
  const brief = new BriefWait();
  brief.parked(0.1);
  const pattern = (n: number) => Array.from({ length: n }, () => brief.armed());
  brief.miss();
  assert.deepEqual(pattern(3), [false, false, true]);
  brief.miss();
  assert.deepEqual(pattern(5), [false, false, false, false, true]);
  brief.hit();
  brief.miss();
  assert.deepEqual(pattern(3), [false, false, true], "a hit resets the backoff");
  for (let i = 0; i < 20; i++) brief.miss();
  assert.equal(pattern(1024).filter(Boolean).length, 0, "at most 1024 waits park in a row");
  assert.equal(brief.armed(), true);
});

test("an armed brief wait on a ready fd resolves without the epoll thread", async () => {
  using p = pipe();
  p.write.writeSync(encoder.encode("ready"));
  const brief = new BriefWait();
  brief.parked(0.1);
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  assert.equal(pollerStatus().waiters, 0, "nothing parked");
  assert.equal(pollerStatus().waiting, false);
  await waiting;
});

test("a brief wait that comes up empty parks, and blocks the thread no longer than its budget", async () => {
  using p = pipe();
  const brief = new BriefWait();
  brief.parked(0.1);
  const start = performance.now();
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  const blockedMs = performance.now() - start;
  assert.ok(blockedMs < 20, `blocked ${blockedMs} ms (budget ${BRIEF_WAIT_US} us)`);
  assert.equal(pollerStatus().waiters, 1, "parked with the epoll thread");
  p.write.writeSync(encoder.encode("late"));
  await waiting;
  assert.equal(brief.armed(), false, "backing off after the miss");
});

test("no brief wait while another wait is pending: other fds are never held up", async () => {
  using other = pipe();
  using p = pipe();
  const parked = other.read.read(new Uint8Array(4));
  p.write.writeSync(encoder.encode("ready"));
  const brief = new BriefWait();
  brief.parked(0.1);
  const waiting = waitFor(p.read.fd, "read", undefined, brief);
  assert.equal(pollerStatus().waiters, 2, "parked, though it was ready and armed");
  await waiting;
  other.write.writeSync(encoder.encode("done"));
  assert.equal(await parked, 4);
});
