/**
 * The types of semaphore sets: an operation, the options of `open()` and
 * `op()`, and what `stat()` and `limits()` of a {@linkcode SemaphoreSet}
 * report.
 *
 * @module
 */

import type { SemaphoreOperation } from "./_sem_ops.ts";
import type { IpcOpenOptions, IpcPermissions } from "./types.ts";

export type { SemaphoreOperation };

/** Options of {@linkcode SemaphoreSet.open}. */
export interface SemaphoreSetOpenOptions extends IpcOpenOptions {
  /**
   * How many semaphores (`nsems`), in [1, semmsl]. Needed to create (default
   * 1); when opening, the set must have at least this many (default: any).
   */
  readonly count?: number;
  /** The creator's values: one for all, or one per semaphore, in [0, semvmx]. Default 0. */
  readonly initial?: number | readonly number[];
  /**
   * Wait, when the set exists already, until its creator has initialised it
   * (its `sem_otime` is set by a first operation). Default true. A set
   * created by a program that does not follow this handshake (it sets
   * values with `semctl` and never calls `semop` before others open it)
   * needs false.
   */
  readonly handshake?: boolean;
  /** Milliseconds to wait for the handshake (default 5000); then a `TimeoutError` DOMException. */
  readonly timeout?: number;
}

/** Options of {@linkcode SemaphoreSet.opSync}. */
export interface SemaphoreOpSyncOptions {
  /** Milliseconds to wait (default Infinity; `semtimedop`); then a `TimeoutError` DOMException. */
  readonly timeout?: number;
}

/** Options of {@linkcode SemaphoreSet.op}. */
export interface SemaphoreOpOptions extends SemaphoreOpSyncOptions {
  /** Stops waiting: the promise rejects with the signal's reason, unless the operations took effect first. */
  readonly signal?: AbortSignal;
  /**
   * Microseconds to keep trying with `IPC_NOWAIT` before parking the wait on
   * a pool thread; 0 parks at once. The event loop is busy meanwhile.
   * Default: adaptive, per handle (as
   * `MessageReceiveOptions.spin` of message queues).
   */
  readonly spin?: number;
}

/** What {@linkcode SemaphoreSet.stat} reports (`struct semid_ds`). */
export interface SemaphoreSetStatus extends IpcPermissions {
  /** How many semaphores (`sem_nsems`). */
  readonly count: number;
  /** Time of the last `semop` (null: never, so the creator has not initialised it). */
  readonly lastOp: Date | null;
  /** Time of the last change (creation, `set()`, `setValue()`). */
  readonly lastChange: Date | null;
}

/** The system's semaphore limits (`semctl(IPC_INFO)`). */
export interface SemaphoreLimits {
  /** The most sets (semmni). */
  readonly maxSets: number;
  /** The most semaphores in a set (semmsl). */
  readonly maxPerSet: number;
  /** The most semaphores on the system (semmns). */
  readonly maxTotal: number;
  /** The most operations in one `semop` (semopm). */
  readonly maxOpsPerCall: number;
  /** The largest value (semvmx). */
  readonly maxValue: number;
}
