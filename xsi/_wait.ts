/**
 * The waiting machinery of xsi: a budget of pool threads, and a wait that
 * blocks on one of them or, past the budget, polls.
 *
 * - At most {@linkcode MAX_POOL_THREADS} calls of Deno's blocking pool are
 *   pending for xsi at once, whatever the number of handles and waits (the
 *   pool has 32 threads for the whole process, and file I/O needs them).
 *   A wait that finds the budget spent polls with `IPC_NOWAIT` instead,
 *   1 ms, 2 ms, 4 ms ... 50 ms apart, and takes a thread at a later poll
 *   when one is free. Polling costs latency (up to 50 ms) and a syscall per
 *   poll, never correctness.
 * - A wait on a thread ends early (abort, timeout, close) by interrupting
 *   the thread's call (`ipc/_interrupt.ts`); the outcome is decided once
 *   the call has returned: a call that took effect resolves, whatever
 *   asked it to stop.
 *
 * @module
 */

import { type InterruptibleCall, interruptUntilReturned } from "../ipc/_interrupt.ts";
import { addressOf, pointerOf } from "../ipc/_libc.ts";
import { nativeBuffer } from "./_common.ts";

/** The most pool threads xsi holds at once. */
export const MAX_POOL_THREADS = 4;
/** The longest pause between two polls of a wait that has no thread. */
export const MAX_POLL_DELAY_MS = 50;

/** One of the budget's threads, with a buffer of its own for the call it makes. */
export interface ThreadSlot {
  /** The call's buffer: off the V8 heap, its address fixed. */
  buffer: Uint8Array;
  /** The buffer's address, which identifies the pending call in /proc. */
  address: bigint;
}

const freeSlots: ThreadSlot[] = [];
let slotsInUse = 0;

/** Takes a thread of the budget, with a buffer of at least `size` bytes; undefined when all are in use. */
export function takeThread(size = 64): ThreadSlot | undefined {
  if (slotsInUse >= MAX_POOL_THREADS) return undefined;
  slotsInUse++;
  const slot = freeSlots.pop() ?? { buffer: nativeBuffer(0), address: 0n };
  if (slot.buffer.length < size) {
    slot.buffer = nativeBuffer(Math.max(size, 64));
    slot.address = addressOf(pointerOf(slot.buffer));
  }
  return slot;
}

/** Gives a thread back to the budget. */
export function giveThread(slot: ThreadSlot): void {
  slotsInUse--;
  freeSlots.push(slot);
}

/** How many threads of the budget are in use now (for tests). */
export function threadsInUse(): number {
  return slotsInUse;
}

/**
 * Calls `fn` after `ms` milliseconds, even past setTimeout's 2^31 - 1 ms
 * limit (beyond which setTimeout fires at once).
 *
 * @returns A function that cancels the timer.
 */
export function after(ms: number, fn: () => void): () => void {
  if (ms === Infinity) return () => {};
  let timer: ReturnType<typeof setTimeout>;
  const end = now() + ms;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      const rest = end - now();
      if (rest > 1) arm(rest);
      else fn();
    }, Math.min(Math.max(left, 0), 0x7fffffff));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (Atomics.wait, allowed on Deno's main thread). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Monotonic time in milliseconds. */
export const now = (): number => performance.now();

/** The spin of a probe, in microseconds: see {@linkcode AdaptiveSpin}. */
export const PROBE_SPIN_MICROS = 50;
/** The longest adaptive spin, in microseconds. */
export const MAX_SPIN_MICROS = 400;

/**
 * How long a handle's async waits spin on `IPC_NOWAIT` before they park
 * on a pool thread, learned from its recent waits.
 *
 * A spin pays when the event it waits for comes within it: a parked wait
 * costs tens of microseconds to wake (the pool thread, then the event
 * loop), so a peer that answers in microseconds (a ping-pong between two
 * processes on two cores) is best caught spinning. A spin that misses
 * burns CPU that the peer may need (on a loaded machine, the peer is not
 * even running), and delays nothing but itself.
 *
 * So it keeps two averages (weight 1/8): how often a spin caught its event
 * and how long the event took to come. While spins catch at least a
 * quarter of the time, it spins 4 times the usual delay plus 10 us (at
 * most {@linkcode MAX_SPIN_MICROS}); otherwise it parks at once, but every
 * 16th wait probes with {@linkcode PROBE_SPIN_MICROS}, and a probe that
 * catches turns spinning back on (so two processes that both parked for a
 * while find their way back to spinning).
 */
export class AdaptiveSpin {
  #rate = 1;
  #delay = 10;
  #waits = 0;

  /** The spin for the next wait, in microseconds (0: park at once). */
  next(): number {
    this.#waits++;
    if (this.#rate >= 0.25) return Math.min(4 * this.#delay + 10, MAX_SPIN_MICROS);
    return this.#waits % 16 === 0 ? PROBE_SPIN_MICROS : 0;
  }

  /** The spin caught its event after `micros` microseconds. */
  caught(micros: number): void {
    this.#rate = Math.max(this.#rate + (1 - this.#rate) / 8, 0.5);
    this.#delay += (micros - this.#delay) / 8;
  }

  /** The spin ran out and the wait parked. */
  missed(): void {
    this.#rate -= this.#rate / 8;
  }
}

/**
 * Spins on `attempt` for the caller's `micros`, or (when it gave none)
 * for what `adaptive` says, at most `limitMs` (a timeout), and teaches
 * `adaptive` the outcome.
 *
 * @returns True if an attempt succeeded.
 */
export function spinFor(
  micros: number | undefined,
  adaptive: AdaptiveSpin,
  limitMs: number,
  attempt: () => boolean,
): boolean {
  if (micros !== undefined) return spin(Math.min(micros, limitMs * 1000), attempt);
  const budget = Math.min(adaptive.next(), limitMs * 1000);
  if (budget <= 0) return false;
  const start = now();
  if (spin(budget, attempt)) {
    adaptive.caught((now() - start) * 1000);
    return true;
  }
  adaptive.missed();
  return false;
}

/**
 * Calls `attempt` until it returns true or `micros` microseconds have
 * passed: a short spin on `IPC_NOWAIT` before parking a waiter.
 *
 * @returns True if an attempt succeeded.
 */
export function spin(micros: number, attempt: () => boolean): boolean {
  if (micros <= 0) return false;
  const end = now() + micros / 1000;
  do {
    if (attempt()) return true;
  } while (now() < end);
  return false;
}

/**
 * A wait for one blocking call (a semop, a msgsnd): tried without blocking
 * first, then made on a pool thread of the budget, or polled when the
 * budget is spent. Subclasses say how to try, how to block and how to
 * settle.
 */
export abstract class PoolWait {
  #state: "idle" | "thread" | "poll" | "done" = "idle";
  #slot: ThreadSlot | undefined;
  #call: Promise<number | bigint> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay = 1;
  #cancelled: Error | undefined;

  /** The call, for finding its thread: `msgsnd`, `semtimedop`. */
  protected abstract readonly call: InterruptibleCall;
  /** Bytes the slot's buffer needs. */
  protected abstract readonly slotSize: number;

  /**
   * Tries once without blocking (with errno read at once). Returns true
   * when the wait is over (it settled: resolved or rejected), false when it
   * must go on waiting.
   */
  protected abstract attempt(): boolean;
  /** Starts the blocking call on a pool thread, with the slot's buffer filled as it needs. */
  protected abstract block(slot: ThreadSlot): Promise<number | bigint>;
  /** The first arguments of the blocking call, as /proc shows them. */
  protected abstract callArgs(slot: ThreadSlot): bigint[];
  /** The blocking call succeeded: settle with success. */
  protected abstract succeeded(slot: ThreadSlot): void;
  /** Settle with an error. */
  protected abstract failed(error: Error): void;

  /** True once the wait has settled. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** Starts waiting; with `tryFirst`, after one attempt without blocking. */
  start(tryFirst = false): void {
    if (this.#state !== "idle") return;
    if (tryFirst && this.attempt()) this.#finish();
    else this.#arm();
  }

  /**
   * Ends the wait with `error`, unless the call takes effect first: a wait
   * on a thread settles when its call has returned, with success if the
   * call succeeded.
   */
  cancel(error: Error): void {
    if (this.#state === "done" || this.#cancelled) return;
    this.#cancelled = error;
    if (this.#state === "thread") {
      const slot = this.#slot!;
      interruptUntilReturned(this.call, this.callArgs(slot), this.#call!);
      return;
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#finish();
    this.failed(error);
  }

  #finish(): void {
    this.#state = "done";
    this.#timer = undefined;
  }

  #arm(): void {
    const slot = takeThread(this.slotSize);
    if (slot) {
      this.#state = "thread";
      this.#slot = slot;
      const call = this.block(slot);
      this.#call = call;
      call.then((result) => this.#returned(Number(result)), (error) => this.#returned(-1, error));
      return;
    }
    this.#state = "poll";
    this.#timer = setTimeout(() => this.#poll(), this.#delay);
    this.#delay = Math.min(this.#delay * 2, MAX_POLL_DELAY_MS);
  }

  #poll(): void {
    this.#timer = undefined;
    if (this.#state === "done") return;
    if (!this.attempt()) this.#arm();
    else if (!this.done) this.#finish();
  }

  #returned(result: number, error?: unknown): void {
    const slot = this.#slot!;
    this.#slot = undefined;
    this.#call = undefined;
    this.#state = "idle";
    try {
      if (error !== undefined) {
        this.#finish();
        this.failed(error instanceof Error ? error : new Error(String(error)));
      } else if (result !== -1) {
        this.#finish();
        this.succeeded(slot);
      } else if (this.#cancelled) {
        this.#finish();
        this.failed(this.#cancelled);
      } else if (this.attempt()) {
        if (!this.done) this.#finish();
      } else {
        giveThread(slot);
        this.#arm();
        return;
      }
    } catch (thrown) {
      if (!this.done) {
        this.#finish();
        this.failed(thrown instanceof Error ? thrown : new Error(String(thrown)));
      }
    }
    giveThread(slot);
  }
}
