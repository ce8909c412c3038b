/**
 * Named pipes (FIFOs): a pipe with a name in the file system, so that any
 * two processes (C, shell, Python, Deno) can talk through it.
 *
 * @module
 */

import { EEXIST, EINTR, EINVAL, ENOENT, ENXIO } from "./_errnos.ts";
import { checkBoolean, checkMode, checkOptions, checkSize } from "./_checks.ts";
import {
  checkPath,
  describeFileType,
  fstatMode,
  missingReason,
  S_IFIFO,
  S_IFMT,
  statMode,
} from "./_file.ts";
import { cString, errnoCell, errnoError, libc } from "./_libc.ts";
import { waitForReader, waitForWriter } from "./_fifo_wait.ts";
import { type WaitOptions, waitSignal } from "./_signal.ts";
import { O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_RDONLY, O_WRONLY } from "./constants.ts";
import { errnoCode, type ErrnoError } from "./errno.ts";
import { FdHandle } from "./fd.ts";

/** Options of {@linkcode mkfifo}. */
export interface MkfifoOptions {
  /** Permission bits, before the umask: default 0o600 (owner read and write). */
  readonly mode?: number;
}

/**
 * Creates a FIFO (a named pipe) at `path`, like `mkfifo(3)`. The process's
 * umask applies to `mode`, as it does for every file created.
 *
 * @param path Where: a path or a `file:` URL.
 * @param options `mode` (default 0o600).
 * @throws {TypeError} If `path` is not a string or file URL, or `mode` not a number.
 * @throws {RangeError} If `mode` is not an integer in [0, 0o777].
 * @throws {ErrnoError} EEXIST if something exists at `path`, ENOENT if its
 *   directory does not exist, EACCES if the directory is not writable.
 *
 * @example
 * ```ts
 * import { mkfifo } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * mkfifo(`${dir}/fifo`);
 * assert.ok(Deno.statSync(`${dir}/fifo`).isFifo);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function mkfifo(path: string | URL, options: MkfifoOptions = {}): void {
  const p = checkPath(path);
  checkOptions(options);
  const mode = options.mode === undefined ? 0o600 : checkMode(options.mode, "options.mode");
  const errnoNow = errnoCell();
  if (libc().mkfifo(cString(p, "path"), mode) === -1) throw mkfifoError(errnoNow[0]!, p, mode);
}

function mkfifoError(errno: number, path: string, mode: number): ErrnoError {
  let reason: string | undefined;
  if (errno === EEXIST) {
    const m = statMode(path);
    reason = `${m < 0 ? "a file" : describeFileType(m)} already exists at this path`;
  } else if (errno === ENOENT) {
    reason = missingReason(path);
  }
  return errnoError(errno, "mkfifo", {
    action: `create FIFO ${path}`,
    details: { path, mode },
    reasons: {
      ...(reason === undefined ? {} : { [errnoCode(errno)]: reason }),
      ENOTDIR: "a component of the path is not a directory",
      EACCES: "this process may not write in its directory",
    },
  });
}

/** Which end of a FIFO to open. */
export type FifoAccess = "read" | "write";

/** Options of {@linkcode openFifoSync}. */
export interface OpenFifoSyncOptions {
  /** Create the FIFO (with `mode`) if nothing exists at the path. Default false. */
  readonly create?: boolean;
  /** Permission bits of a FIFO that `create` makes: default 0o600. */
  readonly mode?: number;
  /**
   * Wait for the other side, as a blocking `open` does (default true).
   * Without waiting, opening for writing with no reader fails with ENXIO,
   * and opening for reading succeeds at once, but a read before any writer
   * has connected gives the end of the stream (null).
   */
  readonly wait?: boolean;
  /** Close the fd in programs this process executes (O_CLOEXEC). Default true. */
  readonly closeOnExec?: boolean;
  /** The bounded spin of the handle, in microseconds (see {@linkcode FdHandle}). */
  readonly spin?: number;
}

/** Options of {@linkcode openFifo}: those of {@linkcode openFifoSync}, and a signal or timeout for the wait. */
export interface OpenFifoOptions extends OpenFifoSyncOptions, WaitOptions {}

interface Plan {
  readonly path: string;
  readonly access: FifoAccess;
  readonly flags: number;
  readonly create: boolean;
  readonly mode: number;
  readonly wait: boolean;
  readonly spin: number | undefined;
  readonly action: string;
}

function plan(path: unknown, access: unknown, options: OpenFifoSyncOptions): Plan {
  const p = checkPath(path);
  if (access !== "read" && access !== "write") {
    const got = typeof access === "string" ? JSON.stringify(access) : typeof access;
    const message = `access must be "read" or "write": got ${got}`;
    throw typeof access === "string" ? new RangeError(message) : new TypeError(message);
  }
  checkOptions(options);
  const create = options.create === undefined
    ? false
    : checkBoolean(options.create, "options.create");
  const mode = options.mode === undefined ? 0o600 : checkMode(options.mode, "options.mode");
  const wait = options.wait === undefined ? true : checkBoolean(options.wait, "options.wait");
  const closeOnExec = options.closeOnExec === undefined
    ? true
    : checkBoolean(options.closeOnExec, "options.closeOnExec");
  const spin = options.spin === undefined
    ? undefined
    : checkSize(options.spin, "options.spin", 0, 1_000_000);
  return {
    path: p,
    access,
    flags: (access === "read" ? O_RDONLY : O_WRONLY) | O_NOCTTY | (closeOnExec ? O_CLOEXEC : 0),
    create,
    mode,
    wait,
    spin,
    action: `open FIFO ${p} for ${access === "read" ? "reading" : "writing"}`,
  };
}

/**
 * Opens a FIFO, blocking the calling thread while it waits for the other
 * side (unless `wait` is false), and returns the fd handle.
 *
 * @param path The FIFO: a path or a `file:` URL.
 * @param access `"read"` or `"write"`.
 * @param options `create`, `mode`, `wait`, `closeOnExec`, `spin`.
 * @returns The handle, non-blocking like every {@linkcode FdHandle}.
 * @throws {TypeError} If an argument has the wrong type.
 * @throws {RangeError} If `access` or `mode` has a wrong value.
 * @throws {ErrnoError} ENOENT (nothing there, or a missing directory),
 *   EINVAL (the path is not a FIFO), ENXIO (`wait: false`, writing, no reader), EACCES.
 *
 * @example
 * ```ts
 * import { openFifoSync } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * // The reader first, without waiting; then the writer finds it.
 * using reader = openFifoSync(`${dir}/fifo`, "read", { create: true, wait: false });
 * using writer = openFifoSync(`${dir}/fifo`, "write");
 * writer.writeSync(new TextEncoder().encode("hi"));
 * const buffer = new Uint8Array(8);
 * assert.equal(reader.readSync(buffer), 2);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function openFifoSync(
  path: string | URL,
  access: FifoAccess,
  options: OpenFifoSyncOptions = {},
): FdHandle {
  const o = plan(path, access, options);
  if (o.create) createIfMissing(o);
  if (o.wait) checkIsFifo(o); // Before a blocking open: never block on something else.
  const flags = o.flags | (o.wait ? 0 : O_NONBLOCK);
  const fd = openRetrying(o.path, flags);
  if (fd < 0) throw openError(-fd, o);
  return adopt(fd, o, !o.wait);
}

/**
 * Opens a FIFO without blocking the event loop, and returns the fd handle.
 *
 * Opening for reading resolves once a writer has connected (at once if one
 * is there), as a blocking `open` returns; opening for writing resolves once
 * a reader has. Neither holds a thread while it waits: a read-open holds the
 * FIFO open without blocking and watches it with inotify (a writer's open is
 * seen at once); a write-open, which cannot hold the FIFO before a reader
 * comes, tries again when inotify sees an open and at growing intervals of
 * at most 20 ms (a reader blocked in `open()`, as `cat` is, is noticed within
 * that time).
 *
 * Cancelling the wait (`signal`, `timeout`) closes what was opened: a writer
 * that connected meanwhile sees a reader come and go.
 *
 * @param path The FIFO: a path or a `file:` URL.
 * @param access `"read"` or `"write"`.
 * @param options `create`, `mode`, `wait`, `closeOnExec`, `spin`, `signal`, `timeout`.
 * @returns The handle.
 * @throws {TypeError} If an argument has the wrong type.
 * @throws {RangeError} If `access`, `mode` or `timeout` has a wrong value.
 * @throws {ErrnoError} ENOENT (nothing there, or a missing directory),
 *   EINVAL (the path is not a FIFO), ENXIO (`wait: false`, writing, no reader), EACCES.
 *
 * @example
 * ```ts
 * import { openFifo } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * try {
 *   // The reader waits for a writer; the writer finds the reader.
 *   const opening = openFifo(`${dir}/fifo`, "read", { create: true });
 *   using writer = await openFifo(`${dir}/fifo`, "write");
 *   using reader = await opening;
 *   await writer.write(new TextEncoder().encode("hi"));
 *   assert.equal(await reader.read(new Uint8Array(8)), 2);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export async function openFifo(
  path: string | URL,
  access: FifoAccess,
  options: OpenFifoOptions = {},
): Promise<FdHandle> {
  const o = plan(path, access, options);
  const signal = waitSignal(options);
  if (signal?.aborted) throw signal.reason;
  if (o.create) createIfMissing(o);
  const flags = o.flags | O_NONBLOCK;
  if (o.access === "read") {
    const fd = openRetrying(o.path, flags);
    if (fd < 0) throw openError(-fd, o);
    const handle = adopt(fd, o, true);
    if (!o.wait) return handle;
    try {
      await waitForWriter(fd, o.path, signal);
    } catch (error) {
      handle.close();
      throw error;
    }
    return handle;
  }
  let fd = openRetrying(o.path, flags);
  if (fd < 0) {
    const errno = -fd;
    if (errno !== ENXIO || !o.wait) throw openError(errno, o);
    checkIsFifo(o); // ENXIO is also what a socket gives: openError says so.
    fd = await waitForReader(
      o.path,
      () => openRetrying(o.path, flags),
      (errno) => openError(errno, o),
      signal,
    );
  }
  return adopt(fd, o, true);
}

function createIfMissing(o: Plan): void {
  const errnoNow = errnoCell();
  const errno = libc().mkfifo(cString(o.path, "path"), o.mode) === -1 ? errnoNow[0]! : 0;
  if (errno !== 0 && errno !== EEXIST) throw mkfifoError(errno, o.path, o.mode);
}

/** open(2), again after EINTR: the fd, or -errno. */
function openRetrying(path: string, flags: number): number {
  const { open } = libc();
  const errnoNow = errnoCell();
  const p = cString(path, "path");
  for (;;) {
    const fd = open(p, flags, 0);
    const errno = fd === -1 ? errnoNow[0]! : 0; // At once: see errnoCell.
    if (errno !== EINTR) return fd === -1 ? -errno : fd;
  }
}

/** Throws the error of a path that exists and is not a FIFO (nothing when it is missing: the open says so). */
function checkIsFifo(o: Plan): void {
  const m = statMode(o.path);
  if (m >= 0 && (m & S_IFMT) !== S_IFIFO) throw notFifo(o, m);
}

function notFifo(o: Plan, mode: number): ErrnoError {
  return errnoError(EINVAL, "open", {
    action: o.action,
    details: { path: o.path },
    reasons: { EINVAL: `it is ${describeFileType(mode)}, not a FIFO` },
  });
}

function openError(errno: number, o: Plan): ErrnoError {
  if (errno !== ENOENT) {
    // EISDIR, ENXIO (a socket), ...: say what the path is when it is not a FIFO.
    const m = statMode(o.path);
    if (m >= 0 && (m & S_IFMT) !== S_IFIFO) return notFifo(o, m);
  }
  return errnoError(errno, "open", {
    action: o.action,
    details: { path: o.path },
    reasons: {
      ...(errno === ENOENT ? { ENOENT: missingReason(o.path) } : {}),
      ENXIO: "no process has the FIFO open for reading",
      ENOTDIR: "a component of the path is not a directory",
    },
  });
}

/** Wraps a freshly opened fd, after checking that it is a FIFO (closing it if not). */
function adopt(fd: number, o: Plan, nonblocking: boolean): FdHandle {
  const m = fstatMode(fd);
  if (m >= 0 && (m & S_IFMT) !== S_IFIFO) {
    libc().close(fd);
    throw notFifo(o, m);
  }
  return new FdHandle(fd, {
    description: `the ${o.access} end of FIFO ${o.path} (fd ${fd})`,
    nonblocking,
    spin: o.spin,
    reasons: o.access === "write" ? { EPIPE: "no process has the FIFO open for reading" } : {},
  });
}
