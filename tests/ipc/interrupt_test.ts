import assert from "node:assert/strict";
import { interruptBlockedCall, interruptSignal } from "../../ipc/_interrupt.ts";
import { addressOf, libc, pointerOf } from "../../ipc/_libc.ts";
import { test } from "../_util.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("interruptBlockedCall() makes a pool thread's msgrcv return, and only that one", async () => {
  const { msgget, msgctl, msgrcv_async } = libc();
  const id = msgget(0, 0o600);
  try {
    const a = new Uint8Array(new ArrayBuffer(16));
    const b = new Uint8Array(new ArrayBuffer(16));
    let aDone = false;
    let bDone = false;
    const first = msgrcv_async(id, a, 0n, 0n, 0).then((r) => (aDone = true, r));
    const second = msgrcv_async(id, b, 0n, 0n, 0).then((r) => (bDone = true, r));
    await sleep(20);
    assert.ok(interruptBlockedCall("msgrcv", [BigInt(id), addressOf(pointerOf(a))]));
    assert.equal(await first, -1n);
    await sleep(20);
    assert.ok(aDone && !bDone, "the other waiter still waits");
    assert.ok(interruptBlockedCall("msgrcv", [BigInt(id), addressOf(pointerOf(b))]));
    assert.equal(await second, -1n);
  } finally {
    msgctl(id, 0, null);
  }
});

test("interruptBlockedCall() makes semtimedop return, and finds nothing when no call matches", async () => {
  const { semget, semctl, semtimedop_async } = libc();
  const id = semget(0, 1, 0o600);
  try {
    const op = new Uint8Array(new ArrayBuffer(64));
    new DataView(op.buffer).setInt16(2, -1, true);
    const pending = semtimedop_async(id, op, 1n, null);
    await sleep(20);
    assert.ok(interruptBlockedCall("semtimedop", [BigInt(id), addressOf(pointerOf(op))]));
    assert.equal(await pending, -1);
    assert.ok(!interruptBlockedCall("semtimedop", [BigInt(id)]));
    assert.ok(!interruptBlockedCall("msgrcv", [123456789n]));
  } finally {
    semctl(id, 0, 0, null);
  }
});

test("interruptSignal() is a real-time signal at or past SIGRTMIN+5", () => {
  const { __libc_current_sigrtmin, __libc_current_sigrtmax } = libc();
  const signal = interruptSignal();
  assert.ok(signal >= __libc_current_sigrtmin() + 5 && signal <= __libc_current_sigrtmax());
  assert.equal(interruptSignal(), signal);
});
