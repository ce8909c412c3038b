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

import {
  type InterruptibleCall,
  interruptUntilReturned,
  trackBlockedCall,
} from "../ipc/_interrupt.ts";
import { addressOf, blockingPoolSize, pointerOf } from "../ipc/_libc.ts";
import { busySpinDefault, SpinPolicy, spinUntil } from "../ipc/_spin.ts";
import { nativeBuffer } from "./_common.ts";

/**
 * The most pool threads xsi holds at once: 4, or fewer where the runtime's
 * pool is small (libuv's 4 threads under Node): the poller holds one, and
 * one stays for the runtime's own work.
 */
export const MAX_POOL_THREADS: number = Math.max(1, Math.min(4, blockingPoolSize - 2));
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

/** The longest adaptive spin on `IPC_NOWAIT`, in microseconds. */
export const MAX_SPIN_MICROS = 400;

/**
 * How long a handle's async waits spin on `IPC_NOWAIT` before they park on
 * a pool thread: a {@linkcode SpinPolicy} of at most
 * {@linkcode MAX_SPIN_MICROS} (none where the process may run on one CPU
 * only). Longer than an fd's longest spin: a parked System V wait also
 * holds one of the {@linkcode MAX_POOL_THREADS} pool threads of xsi.
 */
export class AdaptiveSpin extends SpinPolicy {
  /** A policy with spins of at most {@linkcode MAX_SPIN_MICROS}. */
  constructor() {
    super(busySpinDefault(MAX_SPIN_MICROS));
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
  adaptive: SpinPolicy,
  limitMs: number,
  attempt: () => boolean,
): boolean {
  if (micros !== undefined) return spinUntil(Math.min(micros, limitMs * 1000), attempt);
  return adaptive.spin(attempt, limitMs * 1000);
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
      trackBlockedCall(this.call, this.callArgs(slot), call);
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
