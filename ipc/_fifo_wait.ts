/**
 * Waiting for the other side of a FIFO without a thread: a read-open holds
 * the FIFO open (non-blocking) and learns of a writer from inotify (opens)
 * and `tee` (which says "would block" only while a writer is there); a
 * write-open, which cannot hold the FIFO before a reader comes, tries again
 * on every open inotify sees and at growing intervals of at most 20 ms.
 *
 * @module
 */

import { EAGAIN, ENXIO } from "./_errnos.ts";
import { watchOpens } from "./_inotify.ts";
import { errnoCell, libc } from "./_libc.ts";
import { waitFor } from "./_poller.ts";
import { O_CLOEXEC, O_NONBLOCK } from "./constants.ts";

const POLLIN = 0x001;
const POLLHUP = 0x010;
const SPLICE_F_NONBLOCK = 2;
/** The longest pause between two tries of a write-open waiting for a reader that blocks in open(). */
const RETRY_MAX_MS = 20;

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
  const errnoNow = errnoCell();
  pollView.setInt32(0, fd, true);
  pollView.setInt16(4, POLLIN, true);
  pollView.setInt16(6, 0, true);
  if (lib.poll(pollBuffer, 1n, 0) > 0 && pollView.getInt16(6, true) & (POLLIN | POLLHUP)) {
    return true;
  }
  const scratch = new Int32Array(2);
  if (lib.pipe2(new Uint8Array(scratch.buffer), O_NONBLOCK | O_CLOEXEC) === -1) return false;
  const n = lib.tee(fd, scratch[1]!, 1n, SPLICE_F_NONBLOCK);
  const errno = n === -1n ? errnoNow[0]! : 0; // At once: see errnoCell.
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

/**
 * Waits until a writer has connected to the FIFO that `fd` reads (at once
 * if one has), watching opens of `path` with inotify (without it: waiting
 * for data or a hang-up, and looking again every 20 ms).
 */
export async function waitForWriter(
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

/**
 * Waits until `open()` (a non-blocking open for writing) stops failing with
 * ENXIO, trying again on every open inotify sees and at growing intervals of
 * at most 20 ms (a reader blocked in its own open makes no event).
 *
 * @param path The FIFO.
 * @param open Opens it: the fd, or -errno.
 * @param fail Makes the error of another errno.
 * @param signal Cancels the wait.
 * @returns The fd.
 */
export async function waitForReader(
  path: string,
  open: () => number,
  fail: (errno: number) => Error,
  signal: AbortSignal | undefined,
): Promise<number> {
  const watch = new OpenWatch(path, -1, signal);
  try {
    for (let delay = 1;; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      // A reader may have come before the watch was set.
      const fd = open();
      if (fd >= 0) return fd;
      if (-fd !== ENXIO) throw fail(-fd);
      await watch.next(delay);
    }
  } finally {
    watch.close();
  }
}
