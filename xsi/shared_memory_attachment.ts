/**
 * A System V shared memory segment attached to this process (`shmat`):
 * bounds-checked bytes, records and typed arrays over it, made unusable,
 * never dangling, by `detach()`.
 *
 * @module
 */

import { EBADF } from "../ipc/_errnos.ts";
import { describeValue } from "../endian/integers.ts";
import { Layout, type StructView } from "../endian/layout.ts";
import { sysvLayouts } from "../endian/libc_sysv.ts";
import {
  checkBoolean,
  checkBytes,
  checkNonNegativeInt32,
  checkOptions,
  checkSafeInteger,
} from "../ipc/_checks.ts";
import {
  addressOf,
  detachSharedMemory,
  lastError,
  libc,
  nativeMemory,
  type Pointer,
  pointerAt,
} from "../ipc/_libc.ts";
import { ErrnoError } from "../ipc/errno.ts";
import { IPC_STAT, SHM_RDONLY } from "./constants.ts";

/** Options of {@linkcode SharedMemory.attach}. */
export interface SharedMemoryAttachOptions {
  /** Attach read-only (`SHM_RDONLY`): reads only, and copies only (see the class). Default false. */
  readonly readOnly?: boolean;
}

/** A typed array class that {@linkcode SharedMemoryAttachment.array} can make. */
export type TypedArrayClass =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const typedArrayClasses: readonly TypedArrayClass[] = [
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
  Float32Array,
  Float64Array,
];

/** Detaches what the program forgot to: only once no view of the memory is left. */
const forgotten = new FinalizationRegistry<bigint>((address) => {
  libc().shmdt(pointerAt(address));
});

/**
 * A segment attached to this process. Every view it hands out (`bytes()`,
 * `array()`, `record()`) is over one ArrayBuffer of the mapping, and
 * `detach()` detaches that ArrayBuffer before `shmdt`: each view then has
 * length 0 (reads give undefined, record fields throw a TypeError), never
 * a read of unmapped memory. (Under Node, which cannot detach koffi's
 * buffers, a view kept past `detach()` shows private zero pages instead,
 * unmapped once the view is collected: still never the segment, never a
 * crash.) Reads and writes are checked against the
 * segment's size.
 *
 * Typed arrays work with `Atomics.load/store/add/compareExchange` across
 * processes (it is the same memory), but not `Atomics.wait`/`notify` (the
 * buffer is not a SharedArrayBuffer): pair the segment with a semaphore
 * set to wait.
 *
 * A read-only attachment hands out copies only (`read()`, `readRecord()`):
 * a live view of read-only memory would let a write kill the process.
 *
 * @example
 * ```ts
 * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * using shm = SharedMemory.open(IPC_PRIVATE, { size: 64 });
 * const memory = shm.attach();
 * const counters = memory.array(Int32Array, 0, 4);
 * Atomics.add(counters, 0, 5);
 * assert.equal(memory.read(0, 1)[0], 5);
 * memory.detach();
 * assert.equal(counters.length, 0); // unusable, not dangling
 * shm.remove();
 * ```
 */
export class SharedMemoryAttachment {
  /** The segment's id. */
  readonly id: number;
  /** The segment's size in bytes. */
  readonly size: number;
  /** True when attached with `readOnly`. */
  readonly readOnly: boolean;

  readonly #pointer: Pointer;
  #buffer: ArrayBuffer;
  #bytes: Uint8Array;
  #detached = false;

  /**
   * Attaches the segment with this id (`shmat`). Most code calls
   * {@linkcode SharedMemory.attach} instead, which also detaches when the
   * handle is closed.
   *
   * @param id The segment's id.
   * @param options `readOnly`.
   * @throws {RangeError} On a bad id.
   * @throws {ErrnoError} EACCES (the mode forbids it), EINVAL (no such segment), ENOMEM.
   */
  constructor(id: number, options?: SharedMemoryAttachOptions) {
    this.id = checkNonNegativeInt32(id, "id");
    const o = checkOptions(options);
    this.readOnly = o.readOnly === undefined ? false : checkBoolean(o.readOnly, "options.readOnly");
    const { shmat, shmctl, shmdt } = libc();
    const pointer = shmat(this.id, null, this.readOnly ? SHM_RDONLY : 0);
    if (addressOf(pointer) === 0xffff_ffff_ffff_ffffn || pointer === null) {
      throw lastError("shmat", {
        action: `attach shared memory segment ${this.id}`,
        details: { id: this.id, readOnly: this.readOnly },
        reasons: {
          EACCES: "the segment's mode does not let this process attach it so",
          EINVAL: "the segment does not exist (it was removed)",
          EIDRM: "the segment was removed",
        },
      });
    }
    const layout = sysvLayouts().shmid_ds;
    const status = new Uint8Array(layout.size);
    if (shmctl(this.id, IPC_STAT, status) === -1) {
      const error = lastError("shmctl", {
        action: `read the size of shared memory segment ${this.id}`,
      });
      shmdt(pointer);
      throw error;
    }
    this.size = layout.decode(status).shm_segsz;
    this.#pointer = pointer;
    this.#buffer = nativeMemory(pointer, this.size);
    this.#bytes = new Uint8Array(this.#buffer);
    forgotten.register(this.#buffer, addressOf(pointer), this);
  }

  /** True once detached. */
  get detached(): boolean {
    return this.#detached;
  }

  /**
   * A live view of bytes of the segment (read-write attachments only).
   *
   * @param offset Where it starts (default 0).
   * @param length How many bytes (default: to the end).
   * @returns The view; it has length 0 once detached.
   * @throws {RangeError} If the range passes the segment's end.
   * @throws {TypeError} On a read-only attachment.
   * @throws {ErrnoError} EBADF once detached.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 16 });
   * using memory = shm.attach();
   * memory.bytes(4, 2).set([7, 8]);
   * assert.deepEqual(memory.read(3, 4), new Uint8Array([0, 7, 8, 0]));
   * shm.remove();
   * ```
   */
  bytes(offset = 0, length?: number): Uint8Array {
    this.#writable("view");
    const [start, count] = this.#range(offset, length, 1);
    return new Uint8Array(this.#buffer, start, count);
  }

  /**
   * A live typed array over the segment (read-write attachments only), for
   * numbers and `Atomics` shared with other processes.
   *
   * @param type The typed array class (`Int32Array`, `BigInt64Array`, ...).
   * @param offset Where it starts, a multiple of the element size (default 0).
   * @param length How many elements (default: as many as fit to the end).
   * @returns The array; it has length 0 once detached.
   * @throws {TypeError} On a class that is not a typed array, or a read-only attachment.
   * @throws {RangeError} On a misaligned offset or a range past the end.
   * @throws {ErrnoError} EBADF once detached.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 64 });
   * using memory = shm.attach();
   * const words = memory.array(BigInt64Array, 8, 2);
   * Atomics.store(words, 1, 42n);
   * assert.equal(words.length, 2);
   * assert.equal(Atomics.load(words, 1), 42n);
   * shm.remove();
   * ```
   */
  array<T extends TypedArrayClass>(type: T, offset = 0, length?: number): InstanceType<T> {
    if (!typedArrayClasses.includes(type)) {
      throw new TypeError(
        `type must be a typed array class (Int32Array, BigInt64Array, ...): got ${
          describeValue(type)
        }`,
      );
    }
    this.#writable("view");
    const size = type.BYTES_PER_ELEMENT;
    const [start, count] = this.#range(
      offset,
      length === undefined ? undefined : checkSafeInteger(length, "length", 0) * size,
      size,
    );
    return new type(this.#buffer, start, count / size) as InstanceType<T>;
  }

  /**
   * Copies bytes out of the segment.
   *
   * @param offset Where to start (default 0).
   * @param length How many bytes (default: to the end).
   * @returns A new Uint8Array.
   * @throws {RangeError} If the range passes the segment's end.
   * @throws {ErrnoError} EBADF once detached.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 8 });
   * using memory = shm.attach();
   * memory.write(new Uint8Array([1, 2]), 6);
   * assert.deepEqual(memory.read(6), new Uint8Array([1, 2]));
   * shm.remove();
   * ```
   */
  read(offset = 0, length?: number): Uint8Array {
    this.#usable("read from");
    const [start, count] = this.#range(offset, length, 1);
    return this.#bytes.slice(start, start + count);
  }

  /**
   * Copies bytes into the segment.
   *
   * @param bytes The bytes.
   * @param offset Where they go (default 0).
   * @throws {RangeError} If they pass the segment's end.
   * @throws {TypeError} On a read-only attachment.
   * @throws {ErrnoError} EBADF once detached.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 8 });
   * using memory = shm.attach();
   * assert.throws(() => memory.write(new Uint8Array(9)), RangeError);
   * shm.remove();
   * ```
   */
  write(bytes: Uint8Array, offset = 0): void {
    this.#writable("write to");
    const data = checkBytes(bytes, "bytes");
    const [start] = this.#range(offset, data.length, 1);
    this.#bytes.set(data, start);
  }

  /**
   * Reads a record at an offset (a copy, as a plain object).
   *
   * @param layout The record's layout.
   * @param offset Where it starts (default 0).
   * @returns The record.
   * @throws {RangeError} If it passes the segment's end.
   * @throws {ErrnoError} EBADF once detached.
   *
   * @example
   * ```ts
   * import { i32, struct } from "@unixipc/unixipc/endian";
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const Point = struct([["x", i32], ["y", i32]]);
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 64 });
   * using memory = shm.attach();
   * memory.writeRecord(Point, { x: 1, y: 2 }, 8);
   * assert.deepEqual(memory.readRecord(Point, 8), { x: 1, y: 2 });
   * shm.remove();
   * ```
   */
  readRecord<V>(layout: Layout<V>, offset = 0): V {
    this.#usable("read from");
    checkLayout(layout);
    this.#range(offset, layout.size, 1);
    return layout.decode(this.#bytes, offset);
  }

  /**
   * Writes a record at an offset; nothing is written unless all of it is valid and fits.
   *
   * @param layout The record's layout.
   * @param value The record.
   * @param offset Where it starts (default 0).
   * @throws {TypeError|RangeError} On a bad record, or if it passes the end; on a read-only attachment.
   * @throws {ErrnoError} EBADF once detached.
   */
  writeRecord<V>(layout: Layout<V>, value: V, offset = 0): void {
    this.#writable("write to");
    checkLayout(layout);
    this.#range(offset, layout.sizeOf(value), 1);
    layout.encodeInto(value, this.#bytes, offset);
  }

  /**
   * A live view of a record in the segment: reading a field reads the
   * memory, assigning writes it (read-write attachments only).
   *
   * @param layout The record's layout.
   * @param offset Where it starts (default 0).
   * @returns The view; its fields throw a TypeError once detached.
   * @throws {RangeError} If the record passes the end.
   * @throws {TypeError} On a read-only attachment.
   * @throws {ErrnoError} EBADF once detached.
   *
   * @example
   * ```ts
   * import { i32, struct } from "@unixipc/unixipc/endian";
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const Point = struct([["x", i32], ["y", i32]]);
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 8 });
   * const memory = shm.attach();
   * const point = memory.record(Point);
   * point.x = 3;
   * assert.deepEqual(memory.readRecord(Point), { x: 3, y: 0 });
   * memory.detach();
   * assert.throws(() => point.x, TypeError);
   * shm.remove();
   * ```
   */
  record<V>(layout: Layout<V>, offset = 0): StructView<V> {
    this.#writable("view");
    checkLayout(layout);
    this.#range(offset, layout.size, 1);
    return layout.view(this.#bytes, offset);
  }

  /**
   * Detaches the segment (`shmdt`) after making every view unusable.
   * Idempotent. The segment lives on (until removed and detached by all).
   *
   * @throws {ErrnoError} If `shmdt` fails (it should not).
   */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    forgotten.unregister(this);
    const buffer = this.#buffer;
    this.#bytes = new Uint8Array(0);
    this.#buffer = this.#bytes.buffer as ArrayBuffer;
    if (detachSharedMemory(this.#pointer, this.size, buffer) === -1) {
      throw lastError("shmdt", { action: `detach shared memory segment ${this.id}` });
    }
  }

  /** Detaches (`using`). */
  [Symbol.dispose](): void {
    this.detach();
  }

  #usable(verb: string): void {
    if (this.#detached) {
      throw new ErrnoError(EBADF, {
        syscall: "shmat",
        action: `${verb} shared memory segment ${this.id}`,
        reason: "it was detached",
      });
    }
  }

  #writable(verb: string): void {
    this.#usable(verb);
    if (this.readOnly) {
      throw new TypeError(
        `Cannot ${verb} shared memory segment ${this.id} attached read-only: use read() or readRecord(), which copy (a write through a view would kill the process)`,
      );
    }
  }

  /** Checks `[offset, offset + length)` (length default: to the end) and an alignment. */
  #range(offset: unknown, length: unknown, align: number): [number, number] {
    const start = checkSafeInteger(offset, "offset", 0, this.size);
    if (start % align !== 0) {
      throw new RangeError(`offset must be a multiple of ${align}: got ${start}`);
    }
    const rest = this.size - start;
    const count = length === undefined
      ? rest - (rest % align)
      : checkSafeInteger(length, "length", 0);
    if (count > rest) {
      throw new RangeError(
        `The range [${start}, ${
          start + count
        }) passes the end of shared memory segment ${this.id} (${this.size} bytes)`,
      );
    }
    return [start, count];
  }
}

function checkLayout(layout: unknown): void {
  if (!(layout instanceof Layout)) {
    throw new TypeError(
      `layout must be a Layout (from struct() or packed()): got ${describeValue(layout)}`,
    );
  }
}
