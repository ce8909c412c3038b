/**
 * Named pipes (FIFOs): a pipe with a name in the file system, so that any
 * two processes (C, shell, Python, Deno) can talk through it.
 *
 * @module
 */

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
import { cString, errnoError, lastErrno, libc } from "./_libc.ts";
import { watchOpens } from "./_inotify.ts";
import { waitFor } from "./_poller.ts";
import { type WaitOptions, waitSignal } from "./_signal.ts";
import { O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_RDONLY, O_WRONLY } from "./constants.ts";
import { errnoCode, type ErrnoError } from "./errno.ts";
import { FdHandle } from "./fd.ts";

const EINTR = 4;
const ENOENT = 2;
const ENXIO = 6;
const EAGAIN = 11;
const EEXIST = 17;
const EINVAL = 22;
const POLLIN = 0x001;
const POLLHUP = 0x010;
const SPLICE_F_NONBLOCK = 2;
/** The longest pause between two tries of a write-open waiting for a reader that blocks in open(). */
const RETRY_MAX_MS = 20;

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
  if (libc().mkfifo(cString(p, "Path"), mode) === -1) throw mkfifoError(lastErrno(), p, mode);
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
    const message = `Access must be "read" or "write": got ${got}`;
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
  if (fd === -1) throw openError(lastErrno(), o);
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
    if (fd === -1) throw openError(lastErrno(), o);
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
  if (fd === -1) {
    const errno = lastErrno();
    if (errno !== ENXIO || !o.wait) throw openError(errno, o);
    checkIsFifo(o); // ENXIO is also what a socket gives: openError says so.
    fd = await waitForReader(o, flags, signal);
  }
  return adopt(fd, o, true);
}

function createIfMissing(o: Plan): void {
  if (libc().mkfifo(cString(o.path, "Path"), o.mode) === -1) {
    const errno = lastErrno();
    if (errno !== EEXIST) throw mkfifoError(errno, o.path, o.mode);
  }
}

function openRetrying(path: string, flags: number): number {
  const { open } = libc();
  const p = cString(path, "Path");
  for (;;) {
    const fd = open(p, flags, 0);
    if (fd !== -1 || lastErrno() !== EINTR) return fd;
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

// ---- waiting for the other side ---------------------------------------------

const pollBuffer = new Uint8Array(8);
const pollView = new DataView(pollBuffer.buffer);

/**
 * Whether a writer has connected to the FIFO that `fd` reads: there is data,
 * or a hang-up (a writer came and went: Linux reports none before the first
 * writer), or `tee` of an empty FIFO says "would block" (EAGAIN), which it
 * says only while a writer has it open (with none it gives 0). `tee` copies
 * into a scratch pipe and takes nothing from the FIFO.
 */
function writerConnected(fd: number): boolean {
  const lib = libc();
  pollView.setInt32(0, fd, true);
  pollView.setInt16(4, POLLIN, true);
  pollView.setInt16(6, 0, true);
  if (lib.poll(pollBuffer, 1n, 0) > 0 && pollView.getInt16(6, true) & (POLLIN | POLLHUP)) {
    return true;
  }
  const scratch = new Int32Array(2);
  if (lib.pipe2(new Uint8Array(scratch.buffer), O_NONBLOCK | O_CLOEXEC) === -1) return false;
  const n = lib.tee(fd, scratch[1]!, 1n, SPLICE_F_NONBLOCK);
  const errno = n === -1n ? lastErrno() : 0;
  lib.close(scratch[0]!);
  lib.close(scratch[1]!);
  return n > 0n || errno === EAGAIN;
}

function noop(): void {}

/**
 * What a waiting open waits on: opens of the FIFO seen by inotify (or, when
 * inotify is not available, `fallbackFd` becoming readable), a timer, and
 * the caller's signal.
 */
class OpenWatch {
  readonly #stop: (() => void) | undefined;
  readonly #fallbackFd: number;
  readonly #done = new AbortController();
  readonly #signal: AbortSignal;
  /** An open was seen since the last `next()`. */
  #seen = false;
  #wake: (() => void) | undefined;
  #fallback: Promise<void> | undefined;

  constructor(path: string, fallbackFd: number, signal: AbortSignal | undefined) {
    this.#signal = signal ? AbortSignal.any([signal, this.#done.signal]) : this.#done.signal;
    this.#fallbackFd = fallbackFd;
    this.#stop = watchOpens(path, () => {
      this.#seen = true;
      this.#wake?.();
    });
  }

  /** True when opens are watched (inotify works). */
  get watching(): boolean {
    return this.#stop !== undefined;
  }

  /** Resolves on an open, after `retryMs` (0: never), or rejects when the signal aborts. */
  async next(retryMs: number): Promise<void> {
    const signal = this.#signal;
    if (signal.aborted) throw signal.reason;
    if (this.#seen) {
      this.#seen = false;
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const waits: Promise<unknown>[] = [
      new Promise<void>((resolve, reject) => {
        this.#wake = resolve;
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    ];
    if (!this.watching && this.#fallbackFd >= 0) {
      if (!this.#fallback) {
        const fallback = waitFor(this.#fallbackFd, "read", signal).then(() => {
          this.#fallback = undefined;
        });
        fallback.catch(noop);
        this.#fallback = fallback;
      }
      waits.push(this.#fallback);
    }
    if (retryMs > 0) waits.push(new Promise((resolve) => (timer = setTimeout(resolve, retryMs))));
    try {
      await Promise.race(waits);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort!);
      this.#wake = undefined;
      this.#seen = false;
    }
  }

  close(): void {
    this.#done.abort();
    this.#stop?.();
  }
}

async function waitForWriter(
  fd: number,
  path: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (writerConnected(fd)) return;
  const watch = new OpenWatch(path, fd, signal);
  try {
    // A writer may have come before the watch was set. Without inotify:
    // wake on data or hang-up, and look again every 20 ms.
    while (!writerConnected(fd)) await watch.next(watch.watching ? 0 : RETRY_MAX_MS);
  } finally {
    watch.close();
  }
}

async function waitForReader(
  o: Plan,
  flags: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const watch = new OpenWatch(o.path, -1, signal);
  try {
    for (let delay = 1;; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      // A reader may have come before the watch was set.
      const fd = openRetrying(o.path, flags);
      if (fd !== -1) return fd;
      const errno = lastErrno();
      if (errno !== ENXIO) throw openError(errno, o);
      await watch.next(delay);
    }
  } finally {
    watch.close();
  }
}
