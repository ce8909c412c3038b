/**
 * System V semaphore sets: `semget`, `semop`/`semtimedop`, `semctl`, as a
 * handle with safe initialisation, atomic multi-operation `op()` (sync and
 * async, with timeout and AbortSignal), and the values and counts of each
 * semaphore.
 *
 * @module
 */

import { EAGAIN, EEXIST, ETIMEDOUT } from "../ipc/_errnos.ts";
import type { SemidDs } from "../endian/libc_sysv.ts";
import {
  checkAbortSignal,
  checkBoolean,
  checkKey,
  checkNonNegativeInt32,
  checkOptions,
  checkSafeInteger,
  checkSize,
  checkTimeout,
} from "../ipc/_checks.ts";
import { errnoError, lastErrno, lastError, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import {
  changePermissions,
  closedError,
  dateOf,
  mayRetry,
  nativeBuffer,
  openIntent,
  permissionsOf,
  timeoutError,
} from "./_common.ts";
import { keyAction, objectContext, readStatus, removeObject, writeStatus } from "./_control.ts";
import {
  initialValues,
  openContext,
  operationsMax,
  opError,
  opTimedOut,
  readSemaphoreLimits,
  SEMAPHORE_SET,
  semaphoreMax,
  setAll,
} from "./_sem_control.ts";
import {
  attemptError,
  type EncodedOps,
  encodeOps,
  newOpsScratch,
  type OpsScratch,
  type SemaphoreOperation,
  type SemRequest,
  type SemWait,
  timespecSize,
  waitForOps,
  writeNowait,
  writeTimespec,
} from "./_sem_ops.ts";
import { AdaptiveSpin, now, sleepSync, spinFor } from "./_wait.ts";
import {
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_EXCL,
  IPC_PRIVATE,
  IPC_RMID,
  SETVAL,
} from "./constants.ts";
import type {
  SemaphoreLimits,
  SemaphoreOpOptions,
  SemaphoreOpSyncOptions,
  SemaphoreSetOpenOptions,
  SemaphoreSetStatus,
} from "./semaphore_set_types.ts";
import type { IpcPermissionsChange } from "./types.ts";

/**
 * A System V semaphore set: `count` semaphores (non-negative integers up to
 * semvmx) that `op()` changes atomically, several at once, waiting when
 * an operation cannot be done yet.
 *
 * Safe initialisation: the process that creates the set (with `IPC_EXCL`,
 * so that exactly one does) sets the values and then makes an operation
 * that changes nothing, which sets `sem_otime`; a process that opens the
 * set waits until `sem_otime` is set. So no one uses a set whose values
 * are not there yet.
 *
 * `opSync()` blocks the thread; `op()` tries with `IPC_NOWAIT` first (for
 * `spin` microseconds), then waits on a pool thread (`semtimedop`), at most
 * 4 pool threads for all the waits of the process (those past that poll).
 * An operation that took effect always resolves, even if the signal was
 * aborted or the handle closed meanwhile.
 *
 * @example A mutex between processes
 * ```ts
 * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 1, initial: 1 });
 * await set.op({ index: 0, delta: -1, undo: true }); // P
 * assert.equal(set.getValue(0), 0);
 * set.opSync({ index: 0, delta: 1, undo: true }); // V
 * assert.equal(set.getValue(0), 1);
 * set.remove();
 * ```
 */
export class SemaphoreSet {
  /** The set's id. */
  readonly id: number;
  /** The key it was opened with; undefined when opened by id. */
  readonly key: number | undefined;

  #count: number | undefined;
  #closed = false;
  readonly #scratch: OpsScratch = newOpsScratch();
  #timespec: Uint8Array | undefined;
  readonly #waits = new Set<SemWait>();
  readonly #spin = new AdaptiveSpin();

  private constructor(id: number, key: number | undefined, count: number | undefined) {
    this.id = id;
    this.key = key;
    this.#count = count;
  }

  /**
   * Opens the set of a key, creating and initialising it if asked and
   * needed, or waiting until its creator has initialised it.
   *
   * @param key A key from {@linkcode ftok}, a number agreed on, or `IPC_PRIVATE` (always a new set).
   * @param options `create`, `exclusive`, `mode` (0o600 by default), `count`, `initial`, `handshake`, `timeout`, raw `flags`.
   * @returns The handle.
   * @throws {TypeError|RangeError} On a bad key or option.
   * @throws {ErrnoError} ENOENT (none, and not asked to create), EEXIST (exclusive, and one exists), EINVAL (fewer semaphores than `count`), EACCES, ENOSPC.
   * @throws {DOMException} `TimeoutError` when the set's creator never initialised it.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const key = 0x5eed0002;
   * using created = SemaphoreSet.open(key, { create: true, count: 2, initial: [1, 5] });
   * using opened = SemaphoreSet.open(key, { create: true, count: 2, initial: [9, 9] });
   * assert.equal(opened.id, created.id);
   * assert.deepEqual(opened.getValues(), [1, 5]); // the creator's values
   * created.remove();
   * ```
   */
  static open(key: number, options?: SemaphoreSetOpenOptions): SemaphoreSet {
    const k = checkKey(key);
    const intent = openIntent(options, k);
    const o = checkOptions(options);
    const count = o.count === undefined
      ? (intent.create ? 1 : 0)
      : checkSafeInteger(o.count, "options.count", 1, 0x7fffffff);
    const initial = initialValues(o.initial, count);
    const handshake = o.handshake === undefined
      ? true
      : checkBoolean(o.handshake, "options.handshake");
    const timeout = o.timeout === undefined ? 5000 : checkTimeout(o.timeout, "options.timeout");
    const { semget } = libc();
    const action = (verb: string) => keyAction(SEMAPHORE_SET, verb, k);
    if (intent.create) {
      const id = semget(k, count, intent.flags | (k === IPC_PRIVATE ? 0 : IPC_EXCL));
      if (id !== -1) return SemaphoreSet.#initialise(id, k, count, initial);
      const errno = lastErrno();
      if (errno !== EEXIST || intent.exclusive) {
        throw errnoError(errno, "semget", openContext(action("create"), k, count));
      }
    }
    const id = semget(k, o.count === undefined ? 0 : count, intent.flags & ~IPC_EXCL);
    if (id === -1) throw lastError("semget", openContext(action("open"), k, count));
    const set = new SemaphoreSet(id, k, undefined);
    if (handshake) set.#awaitInitialised(timeout);
    return set;
  }

  /**
   * A handle on the set with this id (from `ipcs`, or passed by another
   * process). No handshake and no check until the first call.
   *
   * @param id The set's id.
   * @returns The handle.
   * @throws {RangeError} If `id` is not an integer in [0, 2^31 - 1].
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 3 });
   * using again = SemaphoreSet.fromId(set.id);
   * assert.equal(again.count, 3);
   * set.remove();
   * ```
   */
  static fromId(id: number): SemaphoreSet {
    return new SemaphoreSet(checkNonNegativeInt32(id, "id"), undefined, undefined);
  }

  /**
   * The system's limits: sets, semaphores, operations per call, largest value.
   *
   * @returns The limits, read now.
   * @throws {ErrnoError} If the kernel has no semaphores.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(SemaphoreSet.limits().maxValue >= 32767);
   * ```
   */
  static limits(): SemaphoreLimits {
    return readSemaphoreLimits();
  }

  /** The number of semaphores (read with IPC_STAT once, when not known from the open). */
  get count(): number {
    return this.#count ??= this.stat().count;
  }

  /** True once {@linkcode SemaphoreSet.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Applies operations atomically (`semtimedop`): all of them, or (while
   * one cannot be done) none, blocking the thread until they can.
   *
   * @param operations One operation, or an array applied together.
   * @param options `timeout`.
   * @throws {TypeError|RangeError} On a bad operation (index past the set, delta out of a short).
   * @throws {ErrnoError} EAGAIN (an operation with `wait: false` could not be done), ERANGE (a value would pass semvmx), EIDRM (removed while waiting), EACCES, EBADF (closed).
   * @throws {DOMException} `TimeoutError` after `timeout`.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 2 });
   * set.opSync([{ index: 0, delta: 2 }, { index: 1, delta: 1 }]);
   * assert.deepEqual(set.getValues(), [2, 1]);
   * assert.throws(() => set.opSync({ index: 1, delta: -2 }, { timeout: 10 }), { name: "TimeoutError" });
   * set.remove();
   * ```
   */
  opSync(
    operations: SemaphoreOperation | readonly SemaphoreOperation[],
    options?: SemaphoreOpSyncOptions,
  ): void {
    this.#checkOpen("semop", "operate on");
    const encoded = this.#encode(operations);
    const o = options === undefined ? undefined : checkOptions(options);
    const timeout = o?.timeout === undefined
      ? Infinity
      : checkTimeout(o.timeout, "options.timeout");
    const { semtimedop } = libc();
    const ops = this.#scratch.ops;
    if (timeout === Infinity) {
      for (;;) {
        if (semtimedop(this.id, ops, encoded.countBig, null) === 0) return;
        const errno = lastErrno();
        // EAGAIN is an answer only when an operation has wait: false; else see mayRetry.
        if (!mayRetry(errno) || (errno === EAGAIN && encoded.someNowait)) {
          throw this.#opError(errno, timeout);
        }
      }
    }
    const deadline = now() + timeout;
    this.#timespec ??= nativeBuffer(Math.max(timespecSize(), 64));
    for (;;) {
      writeTimespec(this.#timespec, deadline - now());
      if (semtimedop(this.id, ops, encoded.countBig, this.#timespec) === 0) return;
      const errno = lastErrno();
      if (errno === EAGAIN || errno === ETIMEDOUT) {
        if (now() >= deadline) throw this.#timedOut(timeout);
        if (errno === EAGAIN && encoded.someNowait) throw this.#opError(errno, timeout);
      } else if (!mayRetry(errno)) {
        throw this.#opError(errno, timeout);
      }
    }
  }

  /**
   * Applies operations atomically without blocking the event loop: at once
   * if they can be done, else when they can.
   *
   * @param operations One operation, or an array applied together.
   * @param options `timeout`, `signal`, `spin`.
   * @returns A promise that resolves once the operations took effect.
   * @throws {TypeError|RangeError} On a bad operation.
   * @throws {ErrnoError} EAGAIN, ERANGE, EIDRM (removed while waiting), EACCES, EBADF (closed, also while waiting).
   * @throws {DOMException} `TimeoutError` after `timeout`; the signal's reason when it aborts.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE);
   * const down = set.op({ index: 0, delta: -1 }, { timeout: 5000 });
   * set.opSync({ index: 0, delta: 1 });
   * await down;
   * assert.equal(set.getValue(0), 0);
   * await assert.rejects(set.op({ index: 0, delta: -1 }, { signal: AbortSignal.timeout(10) }));
   * set.remove();
   * ```
   */
  async op(
    operations: SemaphoreOperation | readonly SemaphoreOperation[],
    options?: SemaphoreOpOptions,
  ): Promise<void> {
    this.#checkOpen("semop", "operate on");
    const encoded = this.#encode(operations);
    let signal: AbortSignal | undefined;
    let timeout = Infinity;
    let spinMicros: number | undefined;
    if (options !== undefined) {
      const o = checkOptions(options);
      signal = checkAbortSignal(o.signal);
      if (o.timeout !== undefined) timeout = checkTimeout(o.timeout, "options.timeout");
      if (o.spin !== undefined) spinMicros = checkSize(o.spin, "options.spin", 0, 1_000_000);
      signal?.throwIfAborted();
    }
    const deadline = timeout === Infinity ? Infinity : now() + timeout;
    // The fast path allocates nothing: the try without waiting, from the handle's buffers.
    const { semtimedop } = libc();
    const nowaitNow = writeNowait(this.#scratch, encoded.count);
    let done = false;
    let errno = 0;
    const tryOnce = (): boolean => {
      if (semtimedop(this.id, nowaitNow, encoded.countBig, null) === 0) return done = true;
      errno = lastErrno();
      return !mayRetry(errno); // a real error ends the spin too
    };
    if (!tryOnce()) spinFor(spinMicros, this.#spin, timeout, tryOnce);
    if (done) return;
    // It must wait (or it failed): from here on the wait keeps copies of its own.
    const ops = this.#scratch.ops.slice(0, encoded.count * 6);
    const nowait = nowaitNow.slice(0, encoded.count * 6);
    const request: SemRequest = {
      id: this.id,
      ops,
      nowait,
      encoded,
      deadline,
      timeout,
      values: () => this.getValues(),
      errorFor: (errno: number) => this.#opError(errno, timeout),
      timedOut: () => this.#timedOut(timeout),
      settle: (_error?: Error) => {},
    };
    const failure = attemptError(request, errno, false);
    if (failure) throw failure;
    await waitForOps(request, signal, this.#waits);
  }

  /**
   * Reads one semaphore's value (`GETVAL`).
   *
   * @param index The semaphore, in [0, count - 1].
   * @returns Its value.
   * @throws {RangeError} If `index` is out of the set.
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { initial: 4 });
   * assert.equal(set.getValue(0), 4);
   * set.remove();
   * ```
   */
  getValue(index: number): number {
    return this.#control(index, GETVAL, "read the value of");
  }

  /**
   * Sets one semaphore's value (`SETVAL`); waiting processes are woken,
   * and every process's undo entries for it are cleared.
   *
   * @param index The semaphore, in [0, count - 1].
   * @param value The value, in [0, semvmx].
   * @throws {RangeError} On a bad index or value.
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE);
   * set.setValue(0, 7);
   * assert.equal(set.getValue(0), 7);
   * set.remove();
   * ```
   */
  setValue(index: number, value: number): void {
    const v = checkSafeInteger(value, "value", 0, semaphoreMax());
    this.#control(index, SETVAL, "set the value of", v);
  }

  /**
   * Reads every value (`GETALL`).
   *
   * @returns The values, index by index.
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 3, initial: [1, 2, 3] });
   * assert.deepEqual(set.getValues(), [1, 2, 3]);
   * set.remove();
   * ```
   */
  getValues(): number[] {
    this.#checkOpen("semctl", "read the values of");
    const count = this.count;
    const buffer = new Uint16Array(count);
    const bytes = new Uint8Array(buffer.buffer);
    if (libc().semctl(this.id, 0, GETALL, bytes) === -1) {
      throw lastError("semctl", objectContext(SEMAPHORE_SET, this.id, "read the values of"));
    }
    return Array.from(buffer);
  }

  /**
   * Sets every value at once (`SETALL`).
   *
   * @param values One value per semaphore, each in [0, semvmx].
   * @throws {RangeError} On a wrong number of values or a bad value.
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 2 });
   * set.setValues([3, 4]);
   * assert.deepEqual(set.getValues(), [3, 4]);
   * set.remove();
   * ```
   */
  setValues(values: readonly number[]): void {
    this.#checkOpen("semctl", "set the values of");
    setAll(
      this.id,
      initialValues(values, this.count),
      objectContext(SEMAPHORE_SET, this.id, "set the values of"),
    );
  }

  /**
   * How many processes wait for a semaphore to increase (`GETNCNT`).
   *
   * @param index The semaphore.
   * @returns The count.
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE);
   * assert.equal(set.waitingForIncrease(0), 0);
   * set.remove();
   * ```
   */
  waitingForIncrease(index: number): number {
    return this.#control(index, GETNCNT, "count the waiters of");
  }

  /**
   * How many processes wait for a semaphore to be zero (`GETZCNT`).
   *
   * @param index The semaphore.
   * @returns The count.
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { initial: 1 });
   * assert.equal(set.waitingForZero(0), 0);
   * set.remove();
   * ```
   */
  waitingForZero(index: number): number {
    return this.#control(index, GETZCNT, "count the waiters of");
  }

  /**
   * The pid of the last process that operated on a semaphore (`GETPID`).
   *
   * @param index The semaphore.
   * @returns The pid (0: none yet).
   * @throws {ErrnoError} EACCES, EIDRM/EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE);
   * set.opSync({ index: 0, delta: 1 });
   * assert.equal(set.lastPid(0), Deno.pid);
   * set.remove();
   * ```
   */
  lastPid(index: number): number {
    return this.#control(index, GETPID, "read the last pid of");
  }

  /**
   * Reads the set's status (`semctl(IPC_STAT)`).
   *
   * @returns Size, times, owner and mode.
   * @throws {ErrnoError} EACCES, EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE, { count: 4 });
   * const status = set.stat();
   * assert.equal(status.count, 4);
   * assert.notEqual(status.lastOp, null); // initialised
   * set.remove();
   * ```
   */
  stat(): SemaphoreSetStatus {
    const ds = this.#statRaw();
    this.#count ??= ds.sem_nsems;
    return {
      ...permissionsOf(ds.sem_perm, this.id),
      count: ds.sem_nsems,
      lastOp: dateOf(ds.sem_otime),
      lastChange: dateOf(ds.sem_ctime),
    };
  }

  /**
   * Changes the owner or the mode (`semctl(IPC_SET)`).
   *
   * @param changes `uid`, `gid`, `mode`; what is left out stays.
   * @throws {TypeError|RangeError} On a bad value.
   * @throws {ErrnoError} EPERM (not the owner or creator), EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE);
   * set.set({ mode: 0o660 });
   * assert.equal(set.stat().mode, 0o660);
   * set.remove();
   * ```
   */
  set(changes: IpcPermissionsChange): void {
    const ds = this.#statRaw();
    changePermissions(ds.sem_perm, changes);
    writeStatus(SEMAPHORE_SET, this.id, ds, changes);
  }

  /**
   * Removes the set from the system (`semctl(IPC_RMID)`): every wait on
   * it, here or in other processes, ends with an EIDRM error. The handle
   * stays open (close it, or let `using` do).
   *
   * @throws {ErrnoError} EPERM (not the owner or creator), EINVAL (removed already), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using set = SemaphoreSet.open(IPC_PRIVATE);
   * const waiting = set.op({ index: 0, delta: -1 });
   * set.remove();
   * await assert.rejects(waiting, { code: "EIDRM" });
   * ```
   */
  remove(): void {
    this.#checkOpen("semctl", "remove");
    removeObject(SEMAPHORE_SET, this.id);
  }

  /**
   * Releases the handle; the set stays. Pending `op()` calls of this
   * handle reject with an EBADF error, unless their operations took effect
   * first. Idempotent.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SemaphoreSet } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const set = SemaphoreSet.open(IPC_PRIVATE);
   * set.remove();
   * set.close();
   * assert.ok(set.closed);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const wait of [...this.#waits]) {
      wait.cancel(closedError("semop", `operate on semaphore set ${this.id}`));
    }
  }

  /** Closes the handle (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- internals -------------------------------------------------------------

  /** The creator's part of the handshake: values, then a null operation that sets sem_otime. */
  static #initialise(
    id: number,
    key: number,
    count: number,
    initial: readonly number[],
  ): SemaphoreSet {
    const set = new SemaphoreSet(id, key, count);
    try {
      if (initial.some((v) => v !== 0)) {
        setAll(id, initial, objectContext(SEMAPHORE_SET, id, "initialise"));
      }
      // +1 then -1 (or -1 then +1 at semvmx) on semaphore 0, atomically: no change, but sem_otime.
      const first = initial[0] ?? 0;
      const up = first < semaphoreMax();
      set.opSync([
        { index: 0, delta: up ? 1 : -1, wait: false },
        { index: 0, delta: up ? -1 : 1, wait: false },
      ]);
    } catch (error) {
      libc().semctl(id, 0, IPC_RMID, null);
      throw error;
    }
    return set;
  }

  /** The opener's part of the handshake: wait until sem_otime is set. */
  #awaitInitialised(timeout: number): void {
    const deadline = now() + timeout;
    let pause = 1;
    for (;;) {
      const ds = this.#statRaw();
      this.#count = ds.sem_nsems;
      if (ds.sem_otime !== 0) return;
      const left = deadline - now();
      if (left <= 0) {
        throw timeoutError(
          `open semaphore set ${this.id}`,
          `its creator did not initialise it within ${timeout} ms (sem_otime is still 0): it may have died, or it does not follow the handshake (open with handshake: false)`,
        );
      }
      sleepSync(Math.min(pause, left));
      pause = Math.min(pause * 2, 50);
    }
  }

  #checkOpen(syscall: string, verb: string): void {
    if (this.#closed) throw closedError(syscall, `${verb} semaphore set ${this.id}`);
  }

  #encode(operations: unknown): EncodedOps {
    return encodeOps(operations, this.#count, operationsMax(), this.#scratch);
  }

  #control(index: number, command: number, verb: string, value = 0): number {
    this.#checkOpen("semctl", verb);
    const i = checkSafeInteger(index, "index", 0, (this.#count ?? 65536) - 1);
    const r = libc().semctl_val(this.id, i, command, value);
    if (r === -1) {
      throw lastError("semctl", objectContext(SEMAPHORE_SET, this.id, `${verb} semaphore ${i} of`));
    }
    return r;
  }

  #statRaw(): SemidDs {
    this.#checkOpen("semctl", "read the status of");
    return readStatus(SEMAPHORE_SET, this.id);
  }

  #timedOut(timeout: number): DOMException {
    return opTimedOut(this.id, timeout);
  }

  #opError(errno: number, timeout: number): ErrnoError {
    return opError(this.id, errno, timeout);
  }
}
