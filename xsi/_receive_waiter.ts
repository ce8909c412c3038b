/**
 * Receives that wait: one waiter per (queue, type, MSG_EXCEPT) in the
 * process, shared by every receive that selects the same messages, on one
 * pool thread of the budget (or polling when the budget is spent).
 *
 * The waiter calls `msgrcv(id, buf, 0, type, flags)` on a pool thread. With
 * room for no byte, that call returns -1 (E2BIG) as soon as a matching
 * message is queued, and leaves it queued; the receives then take messages
 * on the main thread with `IPC_NOWAIT`, oldest receive first, each with its
 * own buffer, size and MSG_NOERROR, errno read at once. What they find
 * decides (errno of the pool thread is lost): a message, ENOMSG (another
 * process took it, or the waiter was interrupted: wait again), EIDRM or
 * EINVAL (the queue was removed). A zero-length message fits the waiter's
 * zero bytes, so the waiter takes it: it is handed to the oldest receive.
 *
 * A receive that stops waiting (abort, timeout, close) leaves at once if
 * others still wait. The last one makes the waiter end its call (a signal,
 * `ipc/_interrupt.ts`) and settles when the call has returned: with the
 * message, if the waiter took a zero-length one meanwhile, else with its
 * error. So no message is lost, none is taken twice, and when the last
 * receive of a waiter has settled, no pool thread waits for it.
 *
 * @module
 */

import { interruptUntilReturned, trackBlockedCall } from "../ipc/_interrupt.ts";
import { libc } from "../ipc/_libc.ts";
import { IPC_NOWAIT } from "./constants.ts";
import { nativeBuffer, readLong, writeLong } from "./_common.ts";
import { giveThread, MAX_POLL_DELAY_MS, takeThread, type ThreadSlot } from "./_wait.ts";

/** A receive waiting for a message. */
export interface Receiver {
  /**
   * Tries to take a message with `IPC_NOWAIT`. Returns true when the
   * receive has settled (with a message, or an error for good), false when
   * no matching message is queued.
   */
  attempt(): boolean;
  /** The waiter took a zero-length message of type `type`: settle with it. */
  deliver(type: number): void;
  /** Settle with an error. */
  fail(error: Error): void;
}

class Waiter {
  readonly receivers: Receiver[] = [];
  /** Receives that stopped waiting while the call they were the last reason for runs. */
  leaving: [Receiver, Error][] = [];
  state: "idle" | "thread" | "poll" = "idle";
  slot: ThreadSlot | undefined;
  call: Promise<bigint> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  delay = 1;
  constructor(readonly id: number, readonly type: bigint, readonly flags: number) {}
}

const waitersById = new Map<number, Waiter[]>();
const waiterOf = new Map<Receiver, Waiter>();

function findWaiter(id: number, type: bigint, flags: number): Waiter | undefined {
  const list = waitersById.get(id);
  if (list) {
    for (const w of list) if (w.type === type && w.flags === flags) return w;
  }
  return undefined;
}

/**
 * True when receives of this process already wait for these messages: a
 * new receive must queue behind them rather than take a message first.
 */
export function othersWaiting(id: number, type: bigint, flags: number): boolean {
  if (waitersById.size === 0) return false;
  const w = findWaiter(id, type, flags);
  return w !== undefined && w.receivers.length > 0;
}

/**
 * Makes a receive wait for a matching message.
 *
 * @param id The queue.
 * @param type The msgtyp it selects.
 * @param flags The selection flags (MSG_EXCEPT or 0).
 * @param receiver The receive.
 */
export function waitForMessage(id: number, type: bigint, flags: number, receiver: Receiver): void {
  let w = findWaiter(id, type, flags);
  if (!w) {
    w = new Waiter(id, type, flags);
    const list = waitersById.get(id);
    if (list) list.push(w);
    else waitersById.set(id, [w]);
  }
  w.receivers.push(receiver);
  waiterOf.set(receiver, w);
  if (w.state === "idle") arm(w);
}

/**
 * Stops a receive's wait; it settles with `error`, at once, or (when it was
 * the last one of a waiter on a thread) once the waiter's call has returned,
 * with a zero-length message if the waiter took one.
 */
export function stopWaiting(receiver: Receiver, error: Error): void {
  const w = waiterOf.get(receiver);
  if (!w) return;
  const index = w.receivers.indexOf(receiver);
  if (index === -1) return;
  w.receivers.splice(index, 1);
  waiterOf.delete(receiver);
  if (w.receivers.length > 0 || w.state !== "thread") {
    if (w.receivers.length === 0) retire(w);
    receiver.fail(error);
    return;
  }
  w.leaving.push([receiver, error]);
  if (w.leaving.length === 1) {
    interruptUntilReturned("msgrcv", [BigInt(w.id), w.slot!.address], w.call!);
  }
}

function arm(w: Waiter): void {
  const slot = takeThread(16);
  if (slot) {
    w.state = "thread";
    w.slot = slot;
    const call = libc().msgrcv_async(w.id, slot.buffer, 0n, w.type, w.flags);
    w.call = call;
    trackBlockedCall("msgrcv", [BigInt(w.id), slot.address], call);
    call.then((result) => returned(w, result), () => returned(w, -1n));
    return;
  }
  w.state = "poll";
  w.timer = setTimeout(() => poll(w), w.delay);
  w.delay = Math.min(w.delay * 2, MAX_POLL_DELAY_MS);
}

function returned(w: Waiter, result: bigint): void {
  const slot = w.slot!;
  w.slot = undefined;
  w.call = undefined;
  w.state = "idle";
  const tookEmpty = result === 0n;
  const emptyType = tookEmpty ? readLong(new DataView(slot.buffer.buffer), 0) : 0;
  giveThread(slot);
  if (tookEmpty) {
    const receiver = w.receivers.shift() ?? w.leaving.shift()?.[0];
    if (receiver) {
      waiterOf.delete(receiver);
      receiver.deliver(emptyType);
    } else {
      putBack(w.id, emptyType);
    }
  }
  const leaving = w.leaving;
  w.leaving = [];
  for (const [receiver, error] of leaving) receiver.fail(error);
  w.delay = 1;
  drain(w);
}

function poll(w: Waiter): void {
  w.timer = undefined;
  w.state = "idle";
  drain(w);
}

/** Lets the receives take what is queued, oldest first; waits again for those left. */
function drain(w: Waiter): void {
  while (w.receivers.length > 0) {
    const receiver = w.receivers[0]!;
    if (!receiver.attempt()) break;
    // It settled; it may have left the list already (stopWaiting from its own settling).
    if (w.receivers[0] === receiver) w.receivers.shift();
    waiterOf.delete(receiver);
  }
  if (w.receivers.length > 0) arm(w);
  else retire(w);
}

function retire(w: Waiter): void {
  if (w.state === "poll" && w.timer !== undefined) {
    clearTimeout(w.timer);
    w.timer = undefined;
    w.state = "idle";
  }
  if (w.state !== "idle") return;
  const list = waitersById.get(w.id);
  if (!list) return;
  const index = list.indexOf(w);
  if (index !== -1) list.splice(index, 1);
  if (list.length === 0) waitersById.delete(w.id);
}

/**
 * A zero-length message that the waiter took with no receive left to hand
 * it to goes back to the queue (at its end). Cannot happen while a receive
 * is leaving, which is the only way a waiter on a thread loses its last
 * receive; kept as the safe answer.
 */
function putBack(id: number, type: number): void {
  const buffer = nativeBuffer(8);
  writeLong(new DataView(buffer.buffer), 0, type);
  libc().msgsnd(id, buffer, 0n, IPC_NOWAIT);
}
