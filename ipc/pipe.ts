/**
 * Anonymous pipes: a one-way channel the kernel provides, between a process
 * and the children it hands an end to.
 *
 * @module
 */

import { checkBoolean, checkOptions, checkSize } from "./_checks.ts";
import { errnoCell, errnoError, libc } from "./_libc.ts";
import { F_GETPIPE_SZ, F_SETPIPE_SZ, O_CLOEXEC, O_NONBLOCK } from "./constants.ts";
import { FdHandle } from "./fd.ts";

/** The two ends of a pipe. Disposing of it closes both. */
export interface Pipe extends Disposable {
  /** The read end. */
  readonly read: FdHandle;
  /** The write end. */
  readonly write: FdHandle;
  /** How many bytes the pipe holds before a write has to wait (64 KiB unless `capacity` asked for more). */
  readonly capacity: number;
  /** Closes both ends (each one's `close()` is idempotent). */
  close(): void;
}

/** Options of {@linkcode pipe}. */
export interface PipeOptions {
  /**
   * Close both ends in any program this process executes (O_CLOEXEC).
   * Default true. {@linkcode spawn} passes the ends it is given whatever
   * this says; false lets children started by other means (`Deno.Command`)
   * inherit both ends under the same fd numbers.
   */
  readonly closeOnExec?: boolean;
  /**
   * The pipe's capacity in bytes (`F_SETPIPE_SZ`): the kernel rounds it up
   * to a power of two pages; above `/proc/sys/fs/pipe-max-size` (1 MiB) it
   * needs CAP_SYS_RESOURCE. Default: the kernel's (64 KiB).
   */
  readonly capacity?: number;
  /** The bounded spin of both ends, in microseconds (see {@linkcode FdHandle}). */
  readonly spin?: number;
}

/**
 * Makes a pipe (`pipe2`) and returns its two ends as fd handles. A write
 * with no read end left open fails with EPIPE; a read with no write end left
 * open gives the end of the stream (null).
 *
 * Writes of at most PIPE_BUF (4096) bytes are atomic: they never interleave
 * with another writer's bytes. Longer writes are looped to completion (as
 * many `write` calls as the kernel takes), so they may interleave with other
 * processes' writes, never with this handle's own (async writes are queued).
 *
 * Both ends are O_NONBLOCK, a flag of the open file description, so that
 * async calls never block the event loop. A child process that is given an
 * end by {@linkcode spawn} gets its own, blocking, open of the same pipe, so
 * it sees an ordinary pipe; close your copy of an end you gave away, or its
 * reader never sees the end of the stream.
 *
 * @param options Close-on-exec (default true), the capacity, the spin.
 * @returns The read end and the write end.
 * @throws {TypeError} If an option has the wrong type.
 * @throws {RangeError} If `capacity` is not an integer in [1, 2^31 - 1].
 * @throws {ErrnoError} If the process or the system is out of fds (EMFILE,
 *   ENFILE), or the capacity is above what an unprivileged process may ask (EPERM).
 *
 * @example
 * ```ts
 * import { pipe } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * using p = pipe();
 * p.write.writeSync(new TextEncoder().encode("Hello!"));
 * p.write.close();
 * const buffer = new Uint8Array(64);
 * const n = p.read.readSync(buffer);
 * assert.equal(new TextDecoder().decode(buffer.subarray(0, n!)), "Hello!");
 * assert.equal(p.read.readSync(buffer), null);
 * ```
 */
export function pipe(options: PipeOptions = {}): Pipe {
  checkOptions(options);
  const closeOnExec = options.closeOnExec === undefined
    ? true
    : checkBoolean(options.closeOnExec, "options.closeOnExec");
  const capacity = options.capacity === undefined
    ? undefined
    : checkSize(options.capacity, "options.capacity", 1, 0x7fffffff);
  const spin = options.spin === undefined
    ? undefined
    : checkSize(options.spin, "options.spin", 0, 1_000_000);
  const lib = libc();
  const errnoNow = errnoCell();
  const fds = new Int32Array(2);
  if (lib.pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | (closeOnExec ? O_CLOEXEC : 0)) === -1) {
    throw errnoError(errnoNow[0]!, "pipe2", {
      action: "create a pipe",
      reasons: {
        EMFILE: "this process has too many open fds",
        ENFILE: "the system has too many open files",
      },
    });
  }
  const [r, w] = [fds[0]!, fds[1]!];
  const size = capacity === undefined
    ? lib.fcntl(r, F_GETPIPE_SZ, 0)
    : lib.fcntl(r, F_SETPIPE_SZ, capacity);
  if (size === -1) {
    const errno = errnoNow[0]!;
    lib.close(r);
    lib.close(w);
    throw errnoError(errno, "fcntl", {
      action: capacity === undefined
        ? "read the capacity of a new pipe"
        : `set the capacity of a pipe to ${capacity} bytes`,
      details: { capacity },
      reasons: {
        EPERM: "it is above /proc/sys/fs/pipe-max-size, which only a privileged process may pass",
        EBUSY: "the pipe holds more than that",
      },
    });
  }
  const read = new FdHandle(r, {
    description: `the read end of a pipe (fd ${r})`,
    nonblocking: true,
    spin,
  });
  const write = new FdHandle(w, {
    description: `the write end of a pipe (fd ${w})`,
    nonblocking: true,
    spin,
    reasons: { EPIPE: "no process has the read end open" },
  });
  const close = () => {
    read.close();
    write.close();
  };
  return { read, write, capacity: size, close, [Symbol.dispose]: close };
}
