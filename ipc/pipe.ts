/**
 * Anonymous pipes: a one-way channel the kernel provides, between a process
 * and the children it hands an end to.
 *
 * @module
 */

import { errnoError, lastErrno, libc } from "./_libc.ts";
import { O_CLOEXEC, O_NONBLOCK } from "./constants.ts";
import { FdHandle } from "./fd.ts";

/** The two ends of a pipe. Disposing of it closes both. */
export interface Pipe extends Disposable {
  /** The read end. */
  readonly read: FdHandle;
  /** The write end. */
  readonly write: FdHandle;
  /** Closes both ends (each one's `close()` is idempotent). */
  close(): void;
}

/**
 * Makes a pipe (`pipe2` with O_NONBLOCK and O_CLOEXEC) and returns its two
 * ends as fd handles. A write with no read end left open fails with EPIPE;
 * a read with no write end left open gives the end of the stream.
 *
 * @returns The read end and the write end.
 * @throws {ErrnoError} If the process or the system is out of fds (EMFILE, ENFILE).
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
export function pipe(): Pipe {
  const fds = new Int32Array(2);
  if (libc().pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | O_CLOEXEC) === -1) {
    throw errnoError(lastErrno(), "pipe2", {
      action: "create a pipe",
      reasons: {
        EMFILE: "this process has too many open fds",
        ENFILE: "the system has too many open files",
      },
    });
  }
  const read = new FdHandle(fds[0]!, {
    description: `the read end of a pipe (fd ${fds[0]})`,
    nonblocking: true,
  });
  const write = new FdHandle(fds[1]!, {
    description: `the write end of a pipe (fd ${fds[1]})`,
    nonblocking: true,
    reasons: { EPIPE: "no process has the read end open" },
  });
  const close = () => {
    read.close();
    write.close();
  };
  return { read, write, close, [Symbol.dispose]: close };
}
