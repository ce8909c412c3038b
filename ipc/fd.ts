/**
 * File descriptor handles: the one class behind pipe ends, FIFOs and stream
 * sockets. Sync and async reads and writes, web streams, idempotent close.
 *
 * @module
 */

import { EAGAIN, EBADF, EINTR } from "./_errnos.ts";
import { checkBytes, checkFd, checkOptions, checkSize, checkString } from "./_checks.ts";
import { errnoCell, errnoError, type Libc, libc } from "./_libc.ts";
import { forget, type Interest, waitFor, waitForSync } from "./_poller.ts";
import { type WaitOptions, waitSignal } from "./_signal.ts";
import { readableBytes } from "./_byte_stream.ts";
import { busySpinDefault, SpinPolicy } from "./_spin.ts";
import { F_GETFL, F_SETFL, O_NONBLOCK } from "./constants.ts";
import { ErrnoError } from "./errno.ts";

/** Largest count passed to one read or write call: the kernel's own limit (0x7ffff000). */
const MAX_IO = 0x7ffff000;

/** Options of the {@linkcode FdHandle} constructor. */
export interface FdHandleOptions {
  /** What the fd is, for error messages: `"the read end of a pipe"`. Default `"fd N"`. */
  readonly description?: string;
  /** Reasons by errno code in the words of this kind of fd: `{ EPIPE: "no process has the read end open" }`. */
  readonly reasons?: Readonly<Record<string, string>>;
  /** The fd is already O_NONBLOCK (made so by pipe2, open or socket): skip the fcntl calls. */
  readonly nonblocking?: boolean;
  /**
   * How long at most (in microseconds) a read or write that finds nothing to
   * do tries again before it parks (see {@linkcode FdHandle}); 0 never spins.
   * Default {@linkcode DEFAULT_SPIN_MICROSECONDS}, or 0 where the process may
   * run on one CPU only (its affinity or its cgroup says so).
   */
  readonly spin?: number;
}

/**
 * The default longest spin of an {@linkcode FdHandle}, in microseconds:
 * about what a peer on another core takes to answer a short message, and
 * less than the cost of parking on the epoll thread and coming back.
 */
export const DEFAULT_SPIN_MICROSECONDS = 50;

/** Options of async reads and writes. */
export type IoOptions = WaitOptions;

/** A spin that has not started yet. */
const SPIN_IDLE = 0;
/** A spin that is over (it expired, or the call parked): do not spin again in this call. */
const SPIN_DONE = -1;

let lib: Libc | undefined;
/** errno of this thread, read as `cell[0]` right after a call (see `errnoCell`). */
let cell: Int32Array | undefined;

function io(): Libc {
  cell = errnoCell();
  return lib = libc();
}

/**
 * An open file descriptor, owned by this handle: reads and writes that
 * either block the calling thread (`readSync`, `writeSync`) or wait without
 * blocking the event loop (`read`, `write`), web streams, and an idempotent
 * `close()`.
 *
 * The fd is put in non-blocking mode (O_NONBLOCK, a flag of the open file
 * description, so shared with any process that inherited the same
 * description; {@linkcode spawn} gives a child its own blocking description
 * of a pipe or FIFO instead). Async calls wait for readiness through the
 * process's one epoll thread, then read or write on the main thread; sync
 * calls wait in `poll`.
 *
 * Before it parks, a read or write that finds nothing to do tries again for
 * a bounded time (at most `spin`, 50 microseconds by default, none on a
 * single CPU): a peer that answers within that time is served without a
 * context switch or a hop through the epoll thread, the way adaptive
 * mutexes spin before they sleep. The spin keeps the event loop (or, for
 * sync calls, the thread) busy for at most that long, and a handle on which
 * spinning does not pay stops spinning, but for a probe now and then: a
 * slow peer, an idle line (waits far longer than the spin), or a peer that
 * cannot run while we spin (a busy machine). With a `spin` above 50, a
 * handle spins longer only where the answers it caught came late (4 times
 * their usual delay).
 *
 * Async writes on one handle are queued: each completes before the next
 * starts, so their bytes never interleave.
 *
 * @example
 * ```ts
 * import { pipe } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * using p = pipe();
 * await p.write.write(new TextEncoder().encode("hi"));
 * const buffer = new Uint8Array(16);
 * const n = await p.read.read(buffer);
 * assert.equal(new TextDecoder().decode(buffer.subarray(0, n!)), "hi");
 * ```
 */
export class FdHandle {
  #fd: number;
  readonly #description: string;
  readonly #reasons: Readonly<Record<string, string>> | undefined;
  readonly #spin: SpinPolicy;
  /** When the current spin started, and when it last tried (performance.now()). */
  #spinStart = 0;
  #spinLast = 0;
  /** The last count passed to read or write, and the same as a bigint (size_t): no allocation per call. */
  #countNumber = -1;
  #countBig = 0n;
  #writeTail: Promise<unknown> | undefined;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * Takes ownership of an open fd: the handle closes it.
   *
   * @param fd The fd.
   * @param options A description for messages, whether it is already non-blocking, the spin.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If `fd` is not a non-negative int32, or `spin` is out of range.
   * @throws {ErrnoError} If the fd is not open (EBADF).
   */
  constructor(fd: number, options: FdHandleOptions = {}) {
    checkFd(fd);
    checkOptions(options);
    this.#description = options.description === undefined
      ? `fd ${fd}`
      : checkString(options.description, "options.description");
    this.#reasons = options.reasons;
    this.#spin = new SpinPolicy(
      options.spin === undefined
        ? busySpinDefault(DEFAULT_SPIN_MICROSECONDS)
        : checkSize(options.spin, "options.spin", 0, 1_000_000),
    );
    if (!options.nonblocking) {
      const { fcntl } = lib ?? io();
      const errnoNow = cell!;
      const flags = fcntl(fd, F_GETFL, 0);
      let errno = flags === -1 ? errnoNow[0]! : 0;
      if (errno === 0 && !(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) === -1) {
        errno = errnoNow[0]!;
      }
      if (errno !== 0) {
        throw errnoError(errno, "fcntl", {
          action: `use ${this.#description}`,
          details: { fd },
        });
      }
    }
    this.#fd = fd;
  }

  /**
   * The fd number.
   *
   * @throws {ErrnoError} EBADF, once the handle is closed.
   */
  get fd(): number {
    return this.#open("use");
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** What the fd is, as error messages name it. */
  get description(): string {
    return this.#description;
  }

  #open(verb: string): number {
    if (this.#fd < 0) throw this.#closedError(verb);
    return this.#fd;
  }

  #closedError(verb: string): ErrnoError {
    return new ErrnoError(EBADF, {
      syscall: verb === "write to" ? "write" : verb === "read from" ? "read" : "fcntl",
      action: `${verb} ${this.#description}`,
      reason: "the handle is closed",
    });
  }

  #error(errno: number, syscall: string, verb: string): ErrnoError {
    return errnoError(errno, syscall, {
      action: `${verb} ${this.#description}`,
      reasons: this.#reasons,
      details: { fd: this.#fd },
    });
  }

  /** `length` capped to what one call takes, as a size_t bigint, cached. */
  #count(length: number): bigint {
    const n = length < MAX_IO ? length : MAX_IO;
    if (n !== this.#countNumber) {
      this.#countNumber = n;
      this.#countBig = BigInt(n);
    }
    return this.#countBig;
  }

  /**
   * After EAGAIN: whether to try again at once. `state` is SPIN_IDLE before
   * the first EAGAIN of a call, then the deadline, then SPIN_DONE; returns
   * the next state (a deadline: try again; SPIN_DONE: park). The handle's
   * {@linkcode SpinPolicy} says how long, and learns how it ended.
   */
  #spinNext(state: number): number {
    if (state === SPIN_DONE) return SPIN_DONE;
    const now = performance.now();
    if (state === SPIN_IDLE) {
      const budget = this.#spin.budget();
      if (budget === 0) return SPIN_DONE;
      this.#spinStart = this.#spinLast = now;
      return now + budget / 1000;
    }
    this.#spinLast = now;
    if (now < state) return state;
    this.#spin.miss();
    return SPIN_DONE;
  }

  /** A call succeeded while spinning (`state` a deadline): spinning paid (after about this long). */
  #spinHit(state: number): void {
    if (state > 0) this.#spin.hit((this.#spinLast - this.#spinStart) * 1000);
  }

  /** Blocks until `fd` is ready, and tells the spin policy how long that took. */
  #parkSync(fd: number, interest: Interest): void {
    const start = performance.now();
    waitForSync(fd, interest);
    this.#spin.parked((performance.now() - start) * 1000);
  }

  /** Waits until `fd` is ready, and tells the spin policy how long that took. */
  async #park(fd: number, interest: Interest, signal: AbortSignal | undefined): Promise<void> {
    const start = performance.now();
    await waitFor(fd, interest, signal);
    this.#spin.parked((performance.now() - start) * 1000);
  }

  /**
   * Reads into `buffer`, blocking the calling thread until some data, the
   * end of the stream or an error.
   *
   * @param buffer Where to read; at least one byte long.
   * @returns The number of bytes read, or null at the end of the stream (no writer left).
   * @throws {TypeError} If `buffer` is not a Uint8Array.
   * @throws {RangeError} If `buffer` is empty.
   * @throws {ErrnoError} If the read fails, or the handle is closed (EBADF).
   */
  readSync(buffer: Uint8Array): number | null {
    checkReadBuffer(buffer);
    const read = (lib ?? io()).read_i32;
    const errnoNow = cell!;
    const count = this.#count(buffer.length);
    let spin = SPIN_IDLE;
    for (;;) {
      const fd = this.#open("read from");
      const n = read(fd, buffer, count);
      const errno = n < 0 ? errnoNow[0]! : 0; // At once: see errnoCell.
      if (n >= 0) {
        this.#spinHit(spin);
        return n === 0 ? null : n;
      }
      if (errno === EAGAIN) {
        spin = this.#spinNext(spin);
        if (spin === SPIN_DONE) this.#parkSync(fd, "read");
      } else if (errno !== EINTR) throw this.#error(errno, "read", "read from");
    }
  }

  /**
   * Reads into `buffer` without blocking the event loop.
   *
   * @param buffer Where to read; at least one byte long.
   * @param options `signal` and `timeout` cancel the wait (nothing is read then).
   * @returns The number of bytes read, or null at the end of the stream.
   * @throws {TypeError} If `buffer` is not a Uint8Array, or an option has the wrong type.
   * @throws {RangeError} If `buffer` is empty, or `timeout` is out of range.
   * @throws {ErrnoError} If the read fails, or the handle is or gets closed (EBADF).
   */
  async read(buffer: Uint8Array, options?: IoOptions): Promise<number | null> {
    checkReadBuffer(buffer);
    const signal = options === undefined ? undefined : waitSignal(checkOptions(options));
    const read = (lib ?? io()).read_i32;
    const errnoNow = cell!;
    const count = this.#count(buffer.length);
    let spin = SPIN_IDLE;
    for (;;) {
      const fd = this.#open("read from");
      const n = read(fd, buffer, count);
      const errno = n < 0 ? errnoNow[0]! : 0; // At once: see errnoCell.
      if (n >= 0) {
        this.#spinHit(spin);
        return n === 0 ? null : n;
      }
      if (errno === EAGAIN) {
        if (signal?.aborted) throw signal.reason;
        spin = this.#spinNext(spin);
        if (spin === SPIN_DONE) await this.#park(fd, "read", signal);
      } else if (errno !== EINTR) throw this.#error(errno, "read", "read from");
    }
  }

  /**
   * Writes all of `data`, blocking the calling thread until it is written.
   * Writes of at most PIPE_BUF (4096) bytes to a pipe or FIFO are atomic;
   * longer ones are written in as many calls as the kernel takes, and may
   * interleave with other writers' bytes.
   *
   * @param data The bytes.
   * @returns `data.length`.
   * @throws {TypeError} If `data` is not a Uint8Array.
   * @throws {ErrnoError} If a write fails (EPIPE: no reader left), or the handle is closed.
   */
  writeSync(data: Uint8Array): number {
    checkBytes(data, "data");
    const write = (lib ?? io()).write_i32;
    const errnoNow = cell!;
    let offset = 0;
    let spin = SPIN_IDLE;
    while (offset < data.length) {
      const fd = this.#open("write to");
      const rest = offset === 0 ? data : data.subarray(offset);
      const n = write(fd, rest, this.#count(rest.length));
      const errno = n < 0 ? errnoNow[0]! : 0; // At once: see errnoCell.
      if (n >= 0) {
        this.#spinHit(spin);
        offset += n;
        spin = SPIN_IDLE;
        continue;
      }
      if (errno === EAGAIN) {
        spin = this.#spinNext(spin);
        if (spin === SPIN_DONE) this.#parkSync(fd, "write");
      } else if (errno !== EINTR) throw this.#error(errno, "write", "write to");
    }
    return data.length;
  }

  /**
   * Writes all of `data` without blocking the event loop. Writes on one
   * handle are queued: this one starts once the ones before it are done.
   * Atomicity as for {@linkcode FdHandle.writeSync}.
   *
   * @param data The bytes.
   * @param options `signal` and `timeout` cancel the wait; bytes written before it stay written.
   * @returns `data.length`.
   * @throws {TypeError} If `data` is not a Uint8Array, or an option has the wrong type.
   * @throws {RangeError} If `timeout` is out of range.
   * @throws {ErrnoError} If a write fails (EPIPE: no reader left), or the handle is or gets closed.
   */
  write(data: Uint8Array, options?: IoOptions): Promise<number> {
    try {
      checkBytes(data, "data");
      const signal = options === undefined ? undefined : waitSignal(checkOptions(options));
      if (this.#writeTail !== undefined) {
        const run = () => this.#writeAll(data, signal, 0);
        return this.#enqueue(this.#writeTail.then(run, run));
      }
      // Nothing queued: write at once what the fd takes, and queue only the rest.
      const fd = this.#open("write to");
      if (data.length === 0) return Promise.resolve(0);
      const n = (lib ?? io()).write_i32(fd, data, this.#count(data.length));
      const errno = n < 0 ? cell![0]! : 0; // At once: see errnoCell.
      let offset = 0;
      if (n >= 0) {
        offset = n;
        if (offset === data.length) return Promise.resolve(offset);
      } else if (errno !== EAGAIN && errno !== EINTR) {
        throw this.#error(errno, "write", "write to");
      }
      return this.#enqueue(this.#writeAll(data, signal, offset));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #enqueue(result: Promise<number>): Promise<number> {
    const tail = result.then(noop, noop);
    this.#writeTail = tail;
    void tail.then(() => {
      if (this.#writeTail === tail) this.#writeTail = undefined;
    });
    return result;
  }

  async #writeAll(
    data: Uint8Array,
    signal: AbortSignal | undefined,
    offset: number,
  ): Promise<number> {
    const write = (lib ?? io()).write_i32;
    const errnoNow = cell!;
    let spin = SPIN_IDLE;
    while (offset < data.length) {
      const fd = this.#open("write to");
      const rest = offset === 0 ? data : data.subarray(offset);
      const n = write(fd, rest, this.#count(rest.length));
      const errno = n < 0 ? errnoNow[0]! : 0; // At once: see errnoCell.
      if (n >= 0) {
        this.#spinHit(spin);
        offset += n;
        spin = SPIN_IDLE;
        continue;
      }
      if (errno === EAGAIN) {
        if (signal?.aborted) throw signal.reason;
        spin = this.#spinNext(spin);
        if (spin === SPIN_DONE) await this.#park(fd, "write", signal);
      } else if (errno !== EINTR) throw this.#error(errno, "write", "write to");
    }
    return data.length;
  }

  /**
   * A byte stream of what the fd reads, in chunks of up to 64 KiB (or the
   * size of a BYOB reader's buffer). It closes the handle at the end of the
   * stream or when cancelled, and ends (rather than errors) when the handle
   * is closed while a read waits.
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= readableBytes(this, () => this.close());
  }

  /** A stream that writes every chunk in full; closing or aborting it closes the handle. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream({
      write: async (chunk) => {
        await this.write(chunk);
      },
      close: () => this.close(),
      abort: () => this.close(),
    });
  }

  /**
   * Closes the fd. Pending async reads and writes reject with EBADF
   * ("the handle is closed"); a stream waiting to read ends. Calling it
   * again does nothing.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    forget(fd, () => this.#closedError("use"));
    // Linux releases the fd even when close fails (EINTR, EIO): never retry.
    libc().close(fd);
  }

  /** Closes the fd: `using handle = ...` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function noop(): void {}

function checkReadBuffer(buffer: Uint8Array): void {
  checkBytes(buffer, "buffer");
  if (buffer.length === 0) {
    throw new RangeError(
      "Buffer must hold at least 1 byte: a read of 0 bytes cannot tell data from the end",
    );
  }
}
