/**
 * A lock between processes on one System V semaphore: P and V with
 * `SEM_UNDO`, held with `using`.
 *
 * @module
 */

import { checkAbortSignal, checkOptions, checkTimeout } from "../ipc/_checks.ts";
import { closedError } from "./_common.ts";
import { SemaphoreSet } from "./semaphore_set.ts";
import type { SemaphoreOpOptions, SemaphoreOpSyncOptions } from "./semaphore_set_types.ts";
import type { IpcOpenOptions } from "./types.ts";

/** Options of {@linkcode SemaphoreLock.open}. */
export interface SemaphoreLockOptions extends IpcOpenOptions {
  /** Milliseconds to wait for the set's creator to initialise it (default 5000). */
  readonly timeout?: number;
}

/** A held lock: release it, or let `using` release it. */
export interface SemaphoreLockHold extends Disposable {
  /** True once released. */
  readonly released: boolean;
  /**
   * Releases the lock (V). Idempotent; a lock whose set was removed
   * meanwhile has nothing to give back, and releasing it does nothing.
   *
   * @throws {ErrnoError} EBADF (the lock's handle was closed), EACCES.
   */
  release(): void;
}

/**
 * A mutual-exclusion lock shared by processes: one semaphore, created at
 * 1 (free). `acquire` waits for it and takes it (P: -1), a hold's
 * `release` gives it back (V: +1), both with `SEM_UNDO`, so the kernel
 * gives the lock back if a holder dies.
 *
 * @example
 * ```ts
 * import { IPC_PRIVATE, SemaphoreLock } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * using lock = SemaphoreLock.open(IPC_PRIVATE);
 * {
 *   using _held = await lock.acquire({ timeout: 1000 });
 *   assert.equal(lock.tryAcquire(), undefined); // taken
 * }
 * const again = lock.tryAcquire();
 * assert.ok(again);
 * again.release();
 * lock.remove();
 * ```
 */
export class SemaphoreLock {
  /** The semaphore set behind the lock. */
  readonly set: SemaphoreSet;
  /** The semaphore of the set that is the lock (0 for a lock from `open`). */
  readonly index: number;
  readonly #owned: boolean;
  #closed = false;

  private constructor(set: SemaphoreSet, index: number, owned: boolean) {
    this.set = set;
    this.index = index;
    this.#owned = owned;
  }

  /**
   * Opens the lock of a key; a new lock is free.
   *
   * @param key A key, or `IPC_PRIVATE` (a new lock, for this process and its children by id).
   * @param options `create`, `exclusive`, `mode`, `timeout` (the handshake).
   * @returns The lock.
   * @throws {TypeError|RangeError} On a bad key or option.
   * @throws {ErrnoError} As {@linkcode SemaphoreSet.open}.
   *
   * @example
   * ```ts
   * import { SemaphoreLock } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using lock = SemaphoreLock.open(0x5eed0003, { create: true });
   * assert.equal(lock.set.getValue(0), 1);
   * lock.remove();
   * ```
   */
  static open(key: number, options?: SemaphoreLockOptions): SemaphoreLock {
    const o = checkOptions(options);
    return new SemaphoreLock(SemaphoreSet.open(key, { ...o, count: 1, initial: 1 }), 0, true);
  }

  /**
   * The lock on semaphore `index` of a set whose creator set it to 1.
   *
   * @param set The set (the lock does not own it: closing the lock leaves it open).
   * @param index The semaphore.
   * @returns The lock.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreLock, SemaphoreSet } from "@unixipc/unixipc/xsi";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 2, initial: [1, 1] });
   * const second = SemaphoreLock.on(set, 1);
   * second.acquireSync().release();
   * set.remove();
   * ```
   */
  static on(set: SemaphoreSet, index: number): SemaphoreLock {
    if (!(set instanceof SemaphoreSet)) throw new TypeError("set must be a SemaphoreSet");
    set.getValue(index); // checks the index
    return new SemaphoreLock(set, index, false);
  }

  /** True once {@linkcode SemaphoreLock.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Takes the lock, blocking the thread until it is free.
   *
   * @param options `timeout`.
   * @returns The hold, to release (or dispose of).
   * @throws {ErrnoError} EIDRM (removed while waiting), EBADF (closed).
   * @throws {DOMException} `TimeoutError` after `timeout`.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreLock } from "@unixipc/unixipc/xsi";
   *
   * using lock = SemaphoreLock.open(IPC_PRIVATE);
   * {
   *   using _held = lock.acquireSync({ timeout: 1000 });
   *   // ... the critical section
   * }
   * lock.remove();
   * ```
   */
  acquireSync(options?: SemaphoreOpSyncOptions): SemaphoreLockHold {
    this.#checkOpen();
    const o = checkOptions(options);
    const timeout = o.timeout === undefined ? Infinity : checkTimeout(o.timeout, "options.timeout");
    this.set.opSync({ index: this.index, delta: -1, undo: true }, { timeout });
    return this.#hold();
  }

  /**
   * Takes the lock without blocking the event loop.
   *
   * @param options `timeout`, `signal`, `spin`.
   * @returns A promise of the hold.
   * @throws {ErrnoError} EIDRM (removed while waiting), EBADF (closed).
   * @throws {DOMException} `TimeoutError` after `timeout`; the signal's reason when it aborts.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreLock } from "@unixipc/unixipc/xsi";
   *
   * using lock = SemaphoreLock.open(IPC_PRIVATE);
   * {
   *   using _held = await lock.acquire({ signal: AbortSignal.timeout(1000) });
   * }
   * lock.remove();
   * ```
   */
  async acquire(options?: SemaphoreOpOptions): Promise<SemaphoreLockHold> {
    this.#checkOpen();
    const o = checkOptions(options);
    checkAbortSignal(o.signal);
    await this.set.op({ index: this.index, delta: -1, undo: true }, o);
    return this.#hold();
  }

  /**
   * Takes the lock if it is free now.
   *
   * @returns The hold, or undefined when another holds the lock.
   * @throws {ErrnoError} EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreLock } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using lock = SemaphoreLock.open(IPC_PRIVATE);
   * using held = lock.tryAcquire();
   * assert.ok(held);
   * lock.remove();
   * ```
   */
  tryAcquire(): SemaphoreLockHold | undefined {
    this.#checkOpen();
    try {
      this.set.opSync({ index: this.index, delta: -1, undo: true, wait: false });
    } catch (error) {
      if ((error as { code?: string }).code === "EAGAIN") return undefined;
      throw error;
    }
    return this.#hold();
  }

  /**
   * Removes the semaphore set from the system; waiters get EIDRM.
   *
   * @throws {ErrnoError} As {@linkcode SemaphoreSet.remove}.
   */
  remove(): void {
    this.set.remove();
  }

  /** Releases the handle (and the set's, when the lock opened it); the lock stays. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.set.close();
  }

  /** Closes the lock (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw closedError("semop", `acquire the lock on semaphore set ${this.set.id}`);
    }
  }

  #hold(): SemaphoreLockHold {
    let released = false;
    const release = () => {
      if (released) return;
      try {
        this.set.opSync({ index: this.index, delta: 1, undo: true });
      } catch (error) {
        // A removed set holds no lock to give back.
        const code = (error as { code?: string }).code;
        if (code !== "EINVAL" && code !== "EIDRM") throw error;
      }
      released = true;
    };
    return {
      get released() {
        return released;
      },
      release,
      [Symbol.dispose]: release,
    };
  }
}
