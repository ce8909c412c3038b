/**
 * fd readiness for the whole process: one epoll instance, waited on by at
 * most one thread of Deno's blocking pool, and only while something waits.
 *
 * - `waitFor(fd, "read" | "write", signal)` resolves when the fd is ready
 *   (or has an error or hang-up to report: the caller's next read or write
 *   will say which). Reads and writes themselves are done by the caller,
 *   synchronously on the main thread, on an O_NONBLOCK fd, so errno is
 *   always right.
 * - Interest is level-triggered and exists only while a waiter does: when
 *   epoll reports an fd, its waiters are resolved and the interest removed
 *   before the next wait, so an fd whose data the caller has not read yet
 *   never spins the thread.
 * - When the last waiter goes (aborted, or its fd forgotten) while the
 *   thread waits, an eventfd wakes it; the wait then ends and nothing keeps
 *   the process alive.
 * - `forget(fd, () => error)` must be called before an fd is closed: it rejects
 *   the fd's waiters and removes it from epoll, so that a number reused by a
 *   later open never inherits stale interest. Registrations carry a token,
 *   not the fd, so an event already read for a forgotten fd is ignored.
 *
 * @module
 */

import { EINTR, EPERM } from "./_errnos.ts";
import { posixLayouts } from "../endian/libc_posix.ts";
import { errnoCell, errnoError, lastError, type Libc, libc } from "./_libc.ts";
import { onExit } from "./_process.ts";
import { SpinPolicy } from "./_spin.ts";

const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
const EPOLLIN = 0x001;
const EPOLLOUT = 0x004;
const EPOLLERR = 0x008;
const EPOLLHUP = 0x010;
const EPOLLRDHUP = 0x2000;
const EPOLLEXCLUSIVE = 1 << 28;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const POLLIN = 0x001;
const POLLOUT = 0x004;

/** Events epoll reports as "a read will not block" (data, end of stream, or an error to read). */
const READY_TO_READ = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
/** Events epoll reports as "a write will not block" (room, or an error to hit). */
const READY_TO_WRITE = EPOLLOUT | EPOLLHUP | EPOLLERR;

/** The token of the wake-up eventfd. Registrations use tokens from 1. */
const WAKE_TOKEN = 0;
const MAX_EVENTS = 64;

/** What a caller waits for. */
export type Interest = "read" | "write";

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Registration {
  readonly fd: number;
  readonly token: number;
  readonly readers: Set<Waiter>;
  readonly writers: Set<Waiter>;
  /** The events epoll watches now (0: not in epoll). */
  mask: number;
  /** Readers asked for an exclusive wake-up (an fd shared by processes: a listening socket). */
  exclusive: boolean;
}

interface State {
  readonly lib: Libc;
  /** This thread's errno (see errnoCell). */
  readonly errno: Int32Array;
  readonly epfd: number;
  readonly wakeFd: number;
  readonly events: Uint8Array;
  readonly eventsView: DataView;
  readonly eventSize: number;
  readonly dataOffset: number;
  readonly ctlBuffer: Uint8Array;
  readonly ctlView: DataView;
  readonly byFd: Map<number, Registration>;
  readonly byToken: Map<number, Registration>;
  nextToken: number;
  waiters: number;
  /** True while an epoll_wait is pending on the pool thread. */
  waiting: boolean;
}

let state: State | undefined;

function init(): State {
  if (state) return state;
  const lib = libc();
  const layout = posixLayouts().epoll_event;
  const epfd = lib.epoll_create1(EPOLL_CLOEXEC);
  if (epfd === -1) {
    throw lastError("epoll_create1", { action: "create the epoll instance that waits for fds" });
  }
  const wakeFd = lib.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeFd === -1) {
    const error = lastError("eventfd", {
      action: "create the eventfd that wakes the epoll thread",
    });
    lib.close(epfd);
    throw error;
  }
  const ctlBuffer = new Uint8Array(layout.size);
  const events = new Uint8Array(layout.size * MAX_EVENTS);
  const s: State = {
    lib,
    errno: errnoCell(),
    epfd,
    wakeFd,
    events,
    eventsView: new DataView(events.buffer),
    eventSize: layout.size,
    dataOffset: layout.offsetOf("data"),
    ctlBuffer,
    ctlView: new DataView(ctlBuffer.buffer),
    byFd: new Map(),
    byToken: new Map(),
    nextToken: 1,
    waiters: 0,
    waiting: false,
  };
  ctl(s, EPOLL_CTL_ADD, wakeFd, EPOLLIN, WAKE_TOKEN);
  // At exit, a pending epoll_wait must return (Node joins its pool threads then); the eventfd stays
  // readable, so a wait that had not started yet returns at once too.
  onExit(() => {
    if (s.waiting) s.lib.write(s.wakeFd, one, 8n);
  });
  state = s;
  return s;
}

/** epoll_ctl; returns 0, or the errno of a failure. */
function ctl(s: State, op: number, fd: number, events: number, token: number): number {
  s.ctlView.setUint32(0, events, true);
  s.ctlView.setUint32(s.dataOffset, token, true);
  s.ctlView.setUint32(s.dataOffset + 4, 0, true);
  // errno at once, with no call in between (see errnoCell).
  return s.lib.epoll_ctl(s.epfd, op, fd, s.ctlBuffer) === -1 ? s.errno[0]! : 0;
}

function wantedMask(reg: Registration): number {
  if (reg.readers.size > 0 && reg.writers.size === 0 && reg.exclusive) {
    return EPOLLIN | EPOLLEXCLUSIVE;
  }
  return (reg.readers.size > 0 ? EPOLLIN | EPOLLRDHUP : 0) | (reg.writers.size > 0 ? EPOLLOUT : 0);
}

/**
 * Brings epoll's interest in `reg` in line with its waiters. Returns 0, or
 * the errno of a failed epoll_ctl (EPERM: the fd does not support epoll).
 */
function sync(s: State, reg: Registration): number {
  const wanted = wantedMask(reg);
  if (wanted === 0) {
    // DEL rather than MOD to 0: epoll reports hang-ups even for an empty mask.
    if (reg.mask !== 0) ctl(s, EPOLL_CTL_DEL, reg.fd, 0, reg.token);
    reg.mask = 0;
    s.byFd.delete(reg.fd);
    s.byToken.delete(reg.token);
    return 0;
  }
  if (wanted === reg.mask) return 0;
  if (reg.mask !== 0 && ((reg.mask | wanted) & EPOLLEXCLUSIVE) !== 0) {
    // EPOLLEXCLUSIVE cannot be changed by EPOLL_CTL_MOD: start again.
    ctl(s, EPOLL_CTL_DEL, reg.fd, 0, reg.token);
    reg.mask = 0;
  }
  const errno = ctl(s, reg.mask === 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, reg.fd, wanted, reg.token);
  if (errno === 0) reg.mask = wanted;
  return errno;
}

function registration(s: State, fd: number): Registration {
  let reg = s.byFd.get(fd);
  if (!reg) {
    const token = s.nextToken;
    s.nextToken = s.nextToken >= 0xffffffff ? 1 : s.nextToken + 1;
    reg = { fd, token, readers: new Set(), writers: new Set(), mask: 0, exclusive: false };
    s.byFd.set(fd, reg);
    s.byToken.set(token, reg);
  }
  return reg;
}

function settle(s: State, waiter: Waiter): void {
  s.waiters--;
  if (waiter.onAbort) waiter.signal!.removeEventListener("abort", waiter.onAbort);
}

/**
 * Waits until `fd` is ready for `interest`, without blocking the event loop.
 *
 * An fd that epoll cannot watch (a regular file) is always ready. The
 * promise rejects with the signal's reason when `signal` aborts, and with
 * the error given to {@linkcode forget} when the fd is forgotten.
 *
 * With `brief`, the wait may first be brief, on the calling thread: see
 * {@linkcode BriefWait}.
 *
 * @param fd An open fd, O_NONBLOCK (or read with MSG_DONTWAIT).
 * @param interest `"read"` or `"write"`.
 * @param signal Cancels the wait.
 * @param brief The spin policy of the handle that waits, for brief waits; none by default.
 * @param exclusive For a read wait on an fd that several processes wait on
 *   (a listening socket shared by pool workers): epoll wakes one of them per
 *   event (EPOLLEXCLUSIVE), not all, so a connection does not wake every idle
 *   worker for one to accept it.
 */
export function waitFor(
  fd: number,
  interest: Interest,
  signal?: AbortSignal,
  brief?: SpinPolicy,
  exclusive = false,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (brief === undefined) return park(fd, interest, signal, exclusive);
  // Brief waits only while nothing else waits: another fd's event is never held up by ours.
  if ((state?.waiters ?? 0) === 0) {
    const budget = brief.budget();
    if (budget > 0) {
      const start = performance.now();
      if (pollBriefly(fd, interest, budget)) {
        brief.hit((performance.now() - start) * 1000);
        return Promise.resolve();
      }
      brief.miss();
    }
  }
  const start = performance.now();
  return park(fd, interest, signal, exclusive).then(() =>
    brief.parked((performance.now() - start) * 1000)
  );
}

/** Registers a waiter with the epoll thread. */
function park(
  fd: number,
  interest: Interest,
  signal: AbortSignal | undefined,
  exclusive: boolean,
): Promise<void> {
  const s = init();
  const reg = registration(s, fd);
  if (interest === "read") reg.exclusive = exclusive;
  const set = interest === "read" ? reg.readers : reg.writers;
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
    set.add(waiter);
    s.waiters++;
    const errno = sync(s, reg);
    if (errno !== 0) {
      set.delete(waiter);
      s.waiters--;
      sync(s, reg);
      // Regular files and some character devices: always ready.
      if (errno === EPERM) resolve();
      else {
        reject(
          errnoError(errno, "epoll_ctl", {
            action: `wait for fd ${fd} to be ready`,
            details: { fd },
          }),
        );
      }
      return;
    }
    if (signal) {
      waiter.onAbort = () => {
        if (!set.delete(waiter)) return;
        settle(s, waiter);
        sync(s, reg);
        wakeIfIdle(s);
        reject(signal.reason);
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    if (!s.waiting) void loop(s);
  });
}

/**
 * Drops every waiter of `fd`, rejecting them with the error `error()`
 * builds, and removes the fd from epoll. Call it before closing the fd. The
 * error (a stack trace, some microseconds) is built only when a wait is
 * pending, so closers call it unconditionally.
 *
 * @param fd The fd about to be closed.
 * @param error Builds what pending waits reject with.
 */
export function forget(fd: number, error: () => unknown): void {
  const s = state;
  const reg = s?.byFd.get(fd);
  if (!s || !reg) return;
  const waiters = [...reg.readers, ...reg.writers];
  reg.readers.clear();
  reg.writers.clear();
  for (const waiter of waiters) settle(s, waiter);
  sync(s, reg);
  wakeIfIdle(s);
  if (waiters.length === 0) return;
  const reason = error();
  for (const waiter of waiters) waiter.reject(reason);
}

/** Ends a pending epoll_wait once nothing waits, so that the process can exit. */
function wakeIfIdle(s: State): void {
  if (s.waiters === 0 && s.waiting) s.lib.write(s.wakeFd, one, 8n);
}

/** The eventfd increment: a u64 1, in host order. */
const one = new Uint8Array(new BigUint64Array([1n]).buffer);

const drain = new Uint8Array(8);

async function loop(s: State): Promise<void> {
  s.waiting = true;
  try {
    while (s.waiters > 0) {
      const n = await s.lib.epoll_wait_async(s.epfd, s.events, MAX_EVENTS, -1);
      // -1 is EINTR (errno itself is lost on the pool thread): wait again.
      for (let i = 0; i < n; i++) dispatch(s, i);
    }
  } finally {
    s.waiting = false;
  }
  // A waiter may have come while the last wait was returning.
  if (s.waiters > 0) void loop(s);
}

function dispatch(s: State, index: number): void {
  const base = index * s.eventSize;
  const events = s.eventsView.getUint32(base, true);
  const token = s.eventsView.getUint32(base + s.dataOffset, true);
  if (token === WAKE_TOKEN) {
    s.lib.read(s.wakeFd, drain, 8n);
    return;
  }
  const reg = s.byToken.get(token);
  if (!reg) return; // Forgotten after epoll reported it.
  const ready: Waiter[] = [];
  if (events & READY_TO_READ) {
    ready.push(...reg.readers);
    reg.readers.clear();
  }
  if (events & READY_TO_WRITE) {
    ready.push(...reg.writers);
    reg.writers.clear();
  }
  for (const waiter of ready) settle(s, waiter);
  sync(s, reg);
  for (const waiter of ready) waiter.resolve();
}

/** How long a brief wait blocks the calling thread at most, in microseconds. */
export const BRIEF_WAIT_US = 50;

/**
 * The brief waits of one handle ("spin, then park"): a
 * {@linkcode SpinPolicy} whose spin is a `ppoll` on the calling thread, of
 * at most {@linkcode BRIEF_WAIT_US}.
 *
 * Parking a wait with the epoll thread costs a hop to a pool thread and
 * back: 20-60 us on this machine, more than a whole round trip between two
 * C processes. A brief wait sleeps in the kernel, which wakes the thread the
 * moment the data comes, as it wakes a blocking C call: request/reply
 * traffic then costs about what it costs in C. The thread sleeps (it does
 * not spin, so a single CPU needs no special case), only when no other wait
 * of the process is pending, and the policy stops brief waits on a handle
 * where they come up empty (a slow peer, one in this same process, which
 * cannot run meanwhile) or whose waits are long (an idle connection).
 */
export class BriefWait extends SpinPolicy {
  /** A policy with brief waits of at most {@linkcode BRIEF_WAIT_US}. */
  constructor() {
    super(BRIEF_WAIT_US);
  }
}

const briefPoll = new Uint8Array(8);
const briefPollView = new DataView(briefPoll.buffer);
let briefTimeout: Uint8Array | undefined;
let briefTimeoutMicros = 0;

/** Waits on the calling thread for at most `micros`; true when `fd` is ready. */
function pollBriefly(fd: number, interest: Interest, micros: number): boolean {
  const whole = Math.ceil(micros);
  if (whole !== briefTimeoutMicros) {
    briefTimeout = posixLayouts().timespec.encode({ tv_sec: 0, tv_nsec: whole * 1000 });
    briefTimeoutMicros = whole;
  }
  briefPollView.setInt32(0, fd, true);
  briefPollView.setInt16(4, interest === "read" ? POLLIN : POLLOUT, true);
  briefPollView.setInt16(6, 0, true);
  // EINTR (-1) counts as empty: the caller parks.
  return libc().ppoll(briefPoll, 1n, briefTimeout!, null) > 0;
}

const pollBuffer = new Uint8Array(8);
const pollView = new DataView(pollBuffer.buffer);

/**
 * Waits on the calling thread (blocking it) until `fd` is ready, for the
 * sync forms of reads and writes on O_NONBLOCK fds.
 *
 * @param fd The fd.
 * @param interest `"read"` or `"write"`.
 * @param timeoutMs How long to wait at most; -1 for ever.
 * @returns True when ready, false on timeout.
 * @throws {ErrnoError} If poll fails with anything but EINTR.
 */
export function waitForSync(fd: number, interest: Interest, timeoutMs = -1): boolean {
  const lib = libc();
  const errnoNow = errnoCell();
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  for (;;) {
    pollView.setInt32(0, fd, true);
    pollView.setInt16(4, interest === "read" ? POLLIN : POLLOUT, true);
    pollView.setInt16(6, 0, true);
    const left = deadline === Infinity ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
    const n = lib.poll(pollBuffer, 1n, left);
    const errno = n < 0 ? errnoNow[0]! : 0; // At once: see errnoCell.
    if (n > 0) return true;
    if (n === 0) return false;
    if (errno !== EINTR) {
      throw errnoError(errno, "poll", { action: `wait for fd ${fd} to be ready`, details: { fd } });
    }
  }
}

/** How many waits are pending, on how many fds, and whether the epoll thread waits (on `epfd`): for tests. */
export function pollerStatus(): { waiters: number; waiting: boolean; fds: number; epfd: number } {
  return {
    waiters: state?.waiters ?? 0,
    waiting: state?.waiting ?? false,
    fds: state?.byFd.size ?? 0,
    epfd: state?.epfd ?? -1,
  };
}
