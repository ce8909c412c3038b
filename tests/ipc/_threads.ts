/**
 * What the threads of this process are blocked in, from
 * /proc/self/task/TID/syscall: to prove how many of Deno's blocking-pool
 * threads the library holds.
 *
 * @module
 */

const x86_64 = {
  read: 0,
  poll: 7,
  openat: 257,
  wait4: 61,
  waitid: 247,
  ppoll: 271,
  epoll_wait: 232,
  epoll_pwait: 281,
} as const;
const aarch64 = {
  read: 63,
  poll: -1,
  openat: 56,
  wait4: 260,
  waitid: 95,
  ppoll: 73,
  epoll_wait: -1,
  epoll_pwait: 22,
} as const;

const numbers = Deno.build.arch === "aarch64" ? aarch64 : x86_64;

/** One thread's current system call: its number and first argument (-1 when running). */
export interface Blocked {
  tid: number;
  nr: number;
  arg0: number;
  /** For a call on an fd: what the fd is (from /proc/self/fd). */
  target?: string;
}

/** Every thread of this process and the system call it is blocked in. */
export function threads(): Blocked[] {
  const out: Blocked[] = [];
  for (const task of Deno.readDirSync("/proc/self/task")) {
    let line: string;
    try {
      line = Deno.readTextFileSync(`/proc/self/task/${task.name}/syscall`);
    } catch {
      continue; // The thread ended.
    }
    const fields = line.trim().split(" ");
    out.push({
      tid: Number(task.name),
      nr: fields[0] === "running" ? -1 : Number(fields[0]),
      arg0: fields.length > 1 ? Number(fields[1]) : -1,
    });
  }
  return out;
}

/** Threads blocked in epoll_wait on `epfd` (the poller's thread). */
export function threadsWaitingOn(epfd: number): number {
  return threads().filter((t) =>
    (t.nr === numbers.epoll_wait || t.nr === numbers.epoll_pwait) && t.arg0 === epfd
  ).length;
}

/**
 * Threads other than the main one blocked in a call that a pool thread of
 * ours could be stuck in instead of waiting through the poller: read,
 * open, poll, ppoll, wait4, waitid. Threads found so in `before` are left
 * out: Deno's own (the test runner keeps a pool thread reading a pipe).
 */
export function threadsBlockedInIo(before: readonly Blocked[] = []): Blocked[] {
  const known = new Set(before.map((t) => t.tid));
  const calls = new Set<number>([
    numbers.read,
    numbers.openat,
    numbers.poll,
    numbers.ppoll,
    numbers.wait4,
    numbers.waitid,
  ]);
  return threads().filter((t) => t.tid !== Deno.pid && calls.has(t.nr) && !known.has(t.tid)).map(
    (t) => {
      if (t.nr !== numbers.read) return t;
      try {
        return { ...t, target: Deno.readLinkSync(`/proc/self/fd/${t.arg0}`) };
      } catch {
        return t;
      }
    },
  );
}
