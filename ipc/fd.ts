/**
 * File descriptor handles: the one class behind pipe ends, FIFOs and stream
 * sockets. Sync and async reads and writes, web streams, idempotent close.
 *
 * @module
 */

import { checkBytes, checkFd, checkOptions, checkString } from "./_checks.ts";
import { errnoError, lastErrno, libc } from "./_libc.ts";
import { forget, waitFor, waitForSync } from "./_poller.ts";
import { type WaitOptions, waitSignal } from "./_signal.ts";
import { F_GETFL, F_SETFL, O_NONBLOCK } from "./constants.ts";
import { ErrnoError } from "./errno.ts";

const EINTR = 4;
const EAGAIN = 11;
const EBADF = 9;

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
}

/** Options of async reads and writes. */
export type IoOptions = WaitOptions;

/**
 * An open file descriptor, owned by this handle: reads and writes that
 * either block the calling thread (`readSync`, `writeSync`) or wait without
 * blocking the event loop (`read`, `write`), web streams, and an idempotent
 * `close()`.
 *
 * The fd is put in non-blocking mode (O_NONBLOCK, a flag of the open file
 * description, so shared with any process that inherited the same
 * description): async calls wait for readiness through the process's one
 * epoll thread, then read or write on the main thread. Sync calls wait in
 * `poll`.
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
  #writeTail: Promise<unknown> | undefined;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * Takes ownership of an open fd: the handle closes it.
   *
   * @param fd The fd.
   * @param options A description for messages, and whether it is already non-blocking.
   * @throws {RangeError} If `fd` is not a non-negative int32.
   * @throws {ErrnoError} If the fd is not open (EBADF).
   */
  constructor(fd: number, options: FdHandleOptions = {}) {
    checkFd(fd);
    checkOptions(options);
    this.#description = options.description === undefined
      ? `fd ${fd}`
      : checkString(options.description, "options.description");
    this.#reasons = options.reasons;
    if (!options.nonblocking) {
      const { fcntl } = libc();
      const flags = fcntl(fd, F_GETFL, 0);
      if (
        flags === -1 || (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) === -1)
      ) {
        throw errnoError(lastErrno(), "fcntl", {
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

  /**
   * Reads into `buffer`, blocking the calling thread until some data, the
   * end of the stream or an error.
   *
   * @param buffer Where to read; at least one byte long.
   * @returns The number of bytes read, or null at the end of the stream (no writer left).
   * @throws {ErrnoError} If the read fails, or the handle is closed (EBADF).
   */
  readSync(buffer: Uint8Array): number | null {
    checkReadBuffer(buffer);
    const { read } = libc();
    const count = BigInt(Math.min(buffer.length, MAX_IO));
    for (;;) {
      const fd = this.#open("read from");
      const n = read(fd, buffer, count);
      if (n >= 0n) return n === 0n ? null : Number(n);
      const errno = lastErrno();
      if (errno === EAGAIN) waitForSync(fd, "read");
      else if (errno !== EINTR) throw this.#error(errno, "read", "read from");
    }
  }

  /**
   * Reads into `buffer` without blocking the event loop.
   *
   * @param buffer Where to read; at least one byte long.
   * @param options `signal` and `timeout` cancel the wait (nothing is read then).
   * @returns The number of bytes read, or null at the end of the stream.
   * @throws {ErrnoError} If the read fails, or the handle is or gets closed (EBADF).
   */
  async read(buffer: Uint8Array, options: IoOptions = {}): Promise<number | null> {
    checkReadBuffer(buffer);
    const signal = waitSignal(checkOptions(options));
    const { read } = libc();
    const count = BigInt(Math.min(buffer.length, MAX_IO));
    for (;;) {
      const fd = this.#open("read from");
      const n = read(fd, buffer, count);
      if (n >= 0n) return n === 0n ? null : Number(n);
      const errno = lastErrno();
      if (errno === EAGAIN) await waitFor(fd, "read", signal);
      else if (errno !== EINTR) throw this.#error(errno, "read", "read from");
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
   * @throws {ErrnoError} If a write fails (EPIPE: no reader left), or the handle is closed.
   */
  writeSync(data: Uint8Array): number {
    checkBytes(data, "data");
    const { write } = libc();
    let offset = 0;
    while (offset < data.length) {
      const fd = this.#open("write to");
      const rest = offset === 0 ? data : data.subarray(offset);
      const n = write(fd, rest, BigInt(Math.min(rest.length, MAX_IO)));
      if (n >= 0n) {
        offset += Number(n);
        continue;
      }
      const errno = lastErrno();
      if (errno === EAGAIN) waitForSync(fd, "write");
      else if (errno !== EINTR) throw this.#error(errno, "write", "write to");
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
   * @throws {ErrnoError} If a write fails (EPIPE: no reader left), or the handle is or gets closed.
   */
  write(data: Uint8Array, options: IoOptions = {}): Promise<number> {
    try {
      checkBytes(data, "data");
      const signal = waitSignal(checkOptions(options));
      const run = () => this.#writeAll(data, signal);
      const result = this.#writeTail ? this.#writeTail.then(run, run) : run();
      const tail = result.then(noop, noop);
      this.#writeTail = tail;
      void tail.then(() => {
        if (this.#writeTail === tail) this.#writeTail = undefined;
      });
      return result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #writeAll(data: Uint8Array, signal: AbortSignal | undefined): Promise<number> {
    const { write } = libc();
    let offset = 0;
    while (offset < data.length) {
      const fd = this.#open("write to");
      const rest = offset === 0 ? data : data.subarray(offset);
      const n = write(fd, rest, BigInt(Math.min(rest.length, MAX_IO)));
      if (n >= 0n) {
        offset += Number(n);
        continue;
      }
      const errno = lastErrno();
      if (errno === EAGAIN) await waitFor(fd, "write", signal);
      else if (errno !== EINTR) throw this.#error(errno, "write", "write to");
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
    return this.#readable ??= new ReadableStream({
      type: "bytes",
      autoAllocateChunkSize: 65536,
      pull: async (controller) => {
        const request = controller.byobRequest!;
        const view = request.view!;
        const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        let n: number | null;
        try {
          n = await this.read(target);
        } catch (error) {
          if (this.closed) n = null;
          else throw error;
        }
        if (n === null) {
          this.close();
          controller.close();
          request.respond(0);
        } else {
          request.respond(n);
        }
      },
      cancel: () => this.close(),
    });
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
    forget(fd, this.#closedError("use"));
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
