/**
 * Semaphore operations: checking and encoding `struct sembuf` arrays, the
 * timespec of semtimedop, deciding why an `IPC_NOWAIT` attempt failed, and
 * the wait of an async `op()` on a pool thread.
 *
 * @module
 */

import { EAGAIN, EIDRM, EINVAL } from "../ipc/_errnos.ts";
import { posixLayouts } from "../endian/libc_posix.ts";
import { checkBoolean, checkOptions, checkSafeInteger } from "../ipc/_checks.ts";
import { lastErrno, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import { mayRetry, nativeBuffer } from "./_common.ts";
import { IPC_NOWAIT, SEM_UNDO } from "./constants.ts";
import { after, now, PoolWait, type ThreadSlot } from "./_wait.ts";

/** One operation of {@linkcode SemaphoreSet.op}: a `struct sembuf`. */
export interface SemaphoreOperation {
  /** The semaphore's index in the set (`sem_num`). */
  readonly index: number;
  /**
   * What to do (`sem_op`), in [-32768, 32767]: a positive value adds to the
   * semaphore; a negative one waits until it can be subtracted without
   * going below 0; 0 waits until the semaphore is 0.
   */
  readonly delta: number;
  /** Undo the operation when the process exits (`SEM_UNDO`). Default false. */
  readonly undo?: boolean;
  /** Wait when the operation cannot be done yet (default true); false fails the call with EAGAIN (`IPC_NOWAIT`). */
  readonly wait?: boolean;
}

/** Bytes of one `struct sembuf`. */
const SEMBUF_SIZE = 6;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Operations, checked and encoded. */
export interface EncodedOps {
  /** How many. */
  readonly count: number;
  /** The same as a bigint, for `nsops`. */
  readonly countBig: bigint;
  /** True when some operation has `wait: false`. */
  readonly someNowait: boolean;
  /** True when every operation has `wait: false`. */
  readonly allNowait: boolean;
}

const smallCounts = Array.from({ length: 17 }, (_, i) => BigInt(i));

/** A single operation as given, checked, with its `sembuf` fields. */
interface CheckedOp {
  readonly index: unknown;
  readonly delta: unknown;
  readonly undo: unknown;
  readonly wait: unknown;
  readonly semNum: number;
  readonly semOp: number;
  readonly semFlg: number;
  readonly encoded: EncodedOps;
}

/** Where a handle encodes its operations, and the last two single operations it checked. */
export interface OpsScratch {
  /** The encoded `struct sembuf` array (grown as needed). */
  ops: Uint8Array;
  /** A view of `ops`. */
  view: DataView;
  /** `ops` with IPC_NOWAIT on each operation, made by {@linkcode writeNowait}. */
  nowait: Uint8Array;
  /** The last two single operations checked (a P and a V, in a loop), newest first. */
  recent: CheckedOp[];
}

/** A handle's new, empty scratch. */
export function newOpsScratch(): OpsScratch {
  const ops = nativeBuffer(64);
  return { ops, view: new DataView(ops.buffer), nowait: nativeBuffer(64), recent: [] };
}

/**
 * Checks operations and writes them into `scratch.ops` as the caller gave
 * them. A single operation equal to one of the last two is not checked
 * again: a loop of P and V costs no checks after the first of each.
 *
 * @param operations One operation or an array of them.
 * @param count The set's size, to check indexes (undefined: unknown, the kernel checks).
 * @param maxOps The most operations in one call (semopm).
 * @param scratch The handle's buffer.
 */
export function encodeOps(
  operations: unknown,
  count: number | undefined,
  maxOps: number,
  scratch: OpsScratch,
): EncodedOps {
  const single = !Array.isArray(operations);
  if (single) {
    const op = operations as SemaphoreOperation | null;
    if (op !== null && typeof op === "object") {
      for (const known of scratch.recent) {
        if (
          op.index === known.index && op.delta === known.delta && op.undo === known.undo &&
          op.wait === known.wait
        ) {
          const view = scratch.view;
          view.setUint16(0, known.semNum, littleEndian);
          view.setInt16(2, known.semOp, littleEndian);
          view.setInt16(4, known.semFlg, littleEndian);
          return known.encoded;
        }
      }
    }
  }
  const list = single ? [operations] : operations as unknown[];
  if (list.length === 0 || list.length > maxOps) {
    throw new RangeError(
      `operations must number between 1 and ${maxOps} (semopm): got ${list.length}`,
    );
  }
  const size = list.length * SEMBUF_SIZE;
  if (scratch.ops.length < size) {
    scratch.ops = nativeBuffer(Math.max(size, 64));
    scratch.view = new DataView(scratch.ops.buffer);
  }
  const ops = scratch.view;
  let someNowait = false;
  let allNowait = true;
  for (let i = 0; i < list.length; i++) {
    const what = single ? "operation" : `operations[${i}]`;
    const op = checkOptions(list[i] as SemaphoreOperation, what);
    const index = checkSafeInteger(op.index, `${what}.index`, 0, (count ?? 65536) - 1);
    const delta = checkSafeInteger(op.delta, `${what}.delta`, -32768, 32767);
    const undo = op.undo === undefined ? false : checkBoolean(op.undo, `${what}.undo`);
    const wait = op.wait === undefined ? true : checkBoolean(op.wait, `${what}.wait`);
    if (!wait) someNowait = true;
    else allNowait = false;
    const at = i * SEMBUF_SIZE;
    ops.setUint16(at, index, littleEndian);
    ops.setInt16(at + 2, delta, littleEndian);
    ops.setInt16(at + 4, (undo ? SEM_UNDO : 0) | (wait ? 0 : IPC_NOWAIT), littleEndian);
  }
  const encoded = {
    count: list.length,
    countBig: smallCounts[list.length] ?? BigInt(list.length),
    someNowait,
    allNowait,
  };
  if (single) {
    const op = operations as SemaphoreOperation;
    scratch.recent = [{
      index: op.index,
      delta: op.delta,
      undo: op.undo,
      wait: op.wait,
      semNum: ops.getUint16(0, littleEndian),
      semOp: ops.getInt16(2, littleEndian),
      semFlg: ops.getInt16(4, littleEndian),
      encoded,
    }, ...scratch.recent.slice(0, 1)];
  }
  return encoded;
}

/**
 * Writes `scratch.ops` with `IPC_NOWAIT` on each operation into
 * `scratch.nowait`: the try that never blocks.
 *
 * @returns `scratch.nowait`.
 */
export function writeNowait(scratch: OpsScratch, count: number): Uint8Array {
  const size = count * SEMBUF_SIZE;
  if (scratch.nowait.length < size) scratch.nowait = nativeBuffer(scratch.ops.length);
  const target = scratch.nowait;
  target.set(size === scratch.ops.length ? scratch.ops : scratch.ops.subarray(0, size));
  // sem_flg is a native short at offset 4; IPC_NOWAIT (0x800) lives in its high byte.
  const high = littleEndian ? 5 : 4;
  for (let i = 0; i < count; i++) {
    const at = i * SEMBUF_SIZE + high;
    target[at] = target[at]! | (IPC_NOWAIT >> 8);
  }
  return target;
}

/**
 * Decides, from the values now, whether the operation that blocks is one
 * with `wait: false` (the call fails with EAGAIN) or one that waits: the
 * kernel tries operations in order and stops at the first that cannot be
 * done.
 *
 * @returns True when an operation with `wait: false` is the one that blocks.
 */
export function nowaitOpBlocks(ops: Uint8Array, count: number, values: readonly number[]): boolean {
  const view = new DataView(ops.buffer, ops.byteOffset, ops.byteLength);
  const v = [...values];
  for (let i = 0; i < count; i++) {
    const at = i * SEMBUF_SIZE;
    const index = view.getUint16(at, littleEndian);
    const delta = view.getInt16(at + 2, littleEndian);
    const nowait = (view.getInt16(at + 4, littleEndian) & IPC_NOWAIT) !== 0;
    const value = v[index] ?? 0;
    const blocks = delta < 0 ? value < -delta : delta === 0 ? value !== 0 : false;
    if (blocks) return nowait;
    v[index] = value + delta;
  }
  return false;
}

/** Writes `ms` milliseconds into a `struct timespec`. */
export function writeTimespec(buffer: Uint8Array, ms: number): void {
  const layout = posixLayouts().timespec;
  const whole = Math.max(0, ms);
  const seconds = Math.floor(whole / 1000);
  const nanos = Math.floor((whole - seconds * 1000) * 1_000_000);
  layout.encodeInto({ tv_sec: seconds, tv_nsec: Math.min(nanos, 999_999_999) }, buffer);
}

/** Bytes of a `struct timespec`. */
export function timespecSize(): number {
  return posixLayouts().timespec.size;
}

/** What an async semaphore wait needs from its set. */
export interface SemRequest {
  readonly id: number;
  /** The operations as given (a copy of the wait's own). */
  readonly ops: Uint8Array;
  /** The same with IPC_NOWAIT on each. */
  readonly nowait: Uint8Array;
  readonly encoded: EncodedOps;
  /** When to give up (performance.now() ms), or Infinity. */
  readonly deadline: number;
  readonly timeout: number;
  /** The values now, for deciding why an attempt failed (GETALL). */
  values(): number[];
  /** The error of a failed semop. */
  errorFor(errno: number): ErrnoError;
  /** The error of a wait past its deadline. */
  timedOut(): Error;
  /** Settles the operation. */
  settle(error?: Error): void;
}

/**
 * Classifies a failed `IPC_NOWAIT` attempt (errno read at once by the
 * caller). Returns undefined to go on waiting, or the error to fail with.
 */
export function attemptError(
  request: SemRequest,
  errno: number,
  afterWait: boolean,
): Error | undefined {
  if (mayRetry(errno)) {
    if (request.encoded.someNowait) {
      const blocked = request.encoded.allNowait ||
        nowaitOpBlocks(request.ops, request.encoded.count, request.values());
      if (blocked) return request.errorFor(EAGAIN);
    }
    if (now() >= request.deadline) return request.timedOut();
    return undefined;
  }
  return request.errorFor(afterWait && errno === EINVAL ? EIDRM : errno);
}

/** An async `op()` waiting on a pool thread (semtimedop with the time left), or polling. */
export class SemWait extends PoolWait {
  protected readonly call = "semtimedop";
  protected readonly slotSize: number;
  readonly #request: SemRequest;
  readonly #timespec: Uint8Array;

  constructor(request: SemRequest) {
    super();
    this.#request = request;
    this.slotSize = request.encoded.count * SEMBUF_SIZE;
    this.#timespec = nativeBuffer(Math.max(timespecSize(), 64));
  }

  protected attempt(): boolean {
    const r = this.#request;
    if (libc().semtimedop(r.id, r.nowait, r.encoded.countBig, null) === 0) {
      r.settle();
      return true;
    }
    const error = attemptError(r, lastErrno(), true);
    if (error === undefined) return false;
    r.settle(error);
    return true;
  }

  protected block(slot: ThreadSlot): Promise<number> {
    const r = this.#request;
    slot.buffer.set(r.ops.subarray(0, r.encoded.count * SEMBUF_SIZE));
    let timespec: Uint8Array | null = null;
    if (r.deadline !== Infinity) {
      writeTimespec(this.#timespec, r.deadline - now());
      timespec = this.#timespec;
    }
    return libc().semtimedop_async(r.id, slot.buffer, r.encoded.countBig, timespec);
  }

  protected callArgs(slot: ThreadSlot): bigint[] {
    return [BigInt(this.#request.id), slot.address];
  }

  protected succeeded(): void {
    this.#request.settle();
  }

  protected failed(error: Error): void {
    this.#request.settle(error);
  }
}

/**
 * Waits on the pool until the operations take effect, or the signal, the
 * timeout or `close()` ends the wait. Sets `request.settle`.
 *
 * @param waits The handle's waiting operations, which `close()` ends.
 */
export function waitForOps(
  request: SemRequest,
  signal: AbortSignal | undefined,
  waits: Set<SemWait>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => wait.cancel(signal!.reason);
    let cancelTimer = () => {};
    request.settle = (error?: Error) => {
      cancelTimer();
      signal?.removeEventListener("abort", onAbort);
      waits.delete(wait);
      if (error) reject(error);
      else resolve();
    };
    const wait = new SemWait(request);
    signal?.addEventListener("abort", onAbort, { once: true });
    // The kernel times a wait on a thread; a polled wait needs a timer.
    cancelTimer = after(request.timeout + 5, () => wait.cancel(request.timedOut()));
    waits.add(wait);
    wait.start();
  });
}
