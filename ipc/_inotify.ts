/**
 * Opens of files, as inotify sees them, for the waits that have no fd to
 * poll (a FIFO's open for writing waits for a reader that may not exist yet).
 *
 * One inotify instance serves the whole process, created on first use and
 * kept for the life of the process, like the poller's epoll fd: closing an
 * inotify instance waits for an RCU grace period in the kernel (measured
 * here: up to 20 ms, with the event loop blocked), removing a watch does
 * not. The instance is waited on (through the poller) only while a watch
 * exists, so it never keeps the process alive by itself.
 *
 * @module
 */

import { cString, libc } from "./_libc.ts";
import { waitFor } from "./_poller.ts";
import { O_CLOEXEC, O_NONBLOCK } from "./constants.ts";

const IN_OPEN = 0x20;
/** `struct inotify_event`'s fixed part: wd, mask, cookie, len (then `len` bytes of name). */
const EVENT_HEADER = 16;

let ifd = -1;
const listeners = new Map<number, Set<() => void>>();
let listening: AbortController | undefined;
const buffer = new Uint8Array(4096);
const view = new DataView(buffer.buffer);

/**
 * Calls `onOpen` each time the file at `path` (the inode it names now) is
 * opened by anyone, until the returned function is called.
 *
 * @returns The function that stops watching, or undefined when inotify is
 *   not available (no instance, or the watch limit reached).
 */
export function watchOpens(path: string, onOpen: () => void): (() => void) | undefined {
  const lib = libc();
  if (ifd < 0) {
    ifd = lib.inotify_init1(O_NONBLOCK | O_CLOEXEC);
    if (ifd < 0) return undefined;
  }
  const fd = ifd;
  const wd = lib.inotify_add_watch(fd, cString(path, "path"), IN_OPEN);
  if (wd === -1) return undefined;
  let set = listeners.get(wd);
  if (!set) listeners.set(wd, set = new Set());
  const listener = () => onOpen();
  set.add(listener);
  listen(fd);
  return () => {
    if (!set.delete(listener)) return;
    if (set.size === 0 && listeners.get(wd) === set) {
      listeners.delete(wd);
      lib.inotify_rm_watch(fd, wd); // EINVAL if the file is gone (the kernel removed it): fine.
    }
    if (listeners.size === 0) {
      listening?.abort();
      listening = undefined;
    }
  };
}

function listen(fd: number): void {
  if (listening) return;
  const controller = listening = new AbortController();
  void (async () => {
    while (!controller.signal.aborted) {
      try {
        await waitFor(fd, "read", controller.signal);
      } catch {
        return; // Aborted: nothing is watched any more.
      }
      dispatch(fd);
    }
  })();
}

function dispatch(fd: number): void {
  const { read } = libc();
  for (;;) {
    const n = Number(read(fd, buffer, BigInt(buffer.length)));
    if (n <= 0) return;
    for (let offset = 0; offset + EVENT_HEADER <= n;) {
      const wd = view.getInt32(offset, true);
      const length = view.getUint32(offset + 12, true);
      for (const listener of [...listeners.get(wd) ?? []]) listener();
      offset += EVENT_HEADER + length;
    }
  }
}
