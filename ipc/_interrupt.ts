/**
 * Ending a wait that a thread of Deno's blocking pool is in: interrupt the
 * pool thread blocked in syscall N on object X, so that the call returns
 * and its promise settles.
 *
 * A `nonblocking: true` FFI call cannot be cancelled, and while it is
 * pending the process cannot exit. The System V calls (`msgrcv`, `msgsnd`,
 * `semtimedop`) have no fd to wake and no timeout (but semtimedop's), so the
 * only way to end such a wait early is a signal delivered to that thread:
 * Linux never restarts these calls after a handler ran, whatever
 * `SA_RESTART` says (signal(7)), so the call fails with EINTR and returns.
 *
 * How:
 * - one real-time signal, `SIGRTMIN+5` or the first free one after it (a
 *   signal whose disposition is not the default belongs to someone else
 *   and is skipped; never SIGUSR1, which starts Deno's inspector), gets a
 *   handler that does nothing: the address of libc's `getpid`
 *   (async-signal-safe, no side effect), installed by `sigaction` with
 *   `SA_RESTART`, so that a restartable call that the signal might hit by
 *   mistake is restarted instead of failing;
 * - the thread is found by its line in `/proc/self/task/TID/syscall`: the
 *   syscall number and its first arguments (the object's id and the
 *   buffer's address, which is unique to one pending call). /proc is read
 *   through libc, since `Deno.readDirSync("/proc/self/task")` needs
 *   `--allow-all`;
 * - the line is read once more right before `tgkill(pid, tid, signal)`.
 *
 * Guarantees: the call that is interrupted returns -1 with EINTR (its
 * caller must treat that as "look again", having lost errno anyway); no
 * other thread is signalled while the line still shows that call.
 *
 * The residual race: the thread may leave the call between the last read of
 * its line and `tgkill` (microseconds), then run another pool task when the
 * signal lands. That task's call, if it is restartable, restarts
 * (SA_RESTART); if it is one that never restarts (`poll`, `epoll_wait`,
 * `nanosleep`, another System V call), it returns EINTR once. Every pool
 * waiter of unixipc treats EINTR as "look again". And if the thread has not
 * entered the call yet (the task is still queued), no line matches and
 * nothing is sent: {@linkcode interruptUntilReturned} tries again until the
 * call returns.
 *
 * @module
 */

import { requireHostAbi } from "../endian/abi.ts";
import { posixLayouts } from "../endian/libc_posix.ts";
import { addressOf, cString, functionAddress, libc, type Pointer, readCString } from "./_libc.ts";
import { onExit } from "./_process.ts";

/** The blocking calls this module knows how to find. */
export type InterruptibleCall = "msgsnd" | "msgrcv" | "semtimedop";

/** Syscall numbers, from the kernel's tables (asm/unistd_64.h, asm-generic/unistd.h). */
const syscallNumbers: Readonly<Record<"x86_64" | "aarch64", Record<InterruptibleCall, number>>> = {
  x86_64: { msgsnd: 69, msgrcv: 70, semtimedop: 220 },
  aarch64: { msgsnd: 189, msgrcv: 188, semtimedop: 192 },
};

const SA_RESTART = 0x10000000;
const O_RDONLY_CLOEXEC = 0o2000000;

let installedSignal: number | undefined;

/**
 * The signal that interrupts pool threads, with its do-nothing handler
 * installed on first use.
 *
 * @returns The signal number (`SIGRTMIN+5` unless that one was taken).
 * @throws {Error} If every real-time signal from `SIGRTMIN+5` on has a handler already.
 */
export function interruptSignal(): number {
  if (installedSignal !== undefined) return installedSignal;
  const { sigaction, __libc_current_sigrtmin, __libc_current_sigrtmax } = libc();
  const layout = posixLayouts().sigaction;
  const handler = addressOf(functionAddress("getpid"));
  const words = posixLayouts().sigset_t.fields[0]!.size / 8;
  const action = layout.encode({
    sa_handler: handler,
    sa_mask: { __val: new Array(words).fill(0) },
    sa_flags: SA_RESTART,
    sa_restorer: 0n,
  });
  const old = new Uint8Array(layout.size);
  const last = __libc_current_sigrtmax();
  for (let signal = __libc_current_sigrtmin() + 5; signal <= last; signal++) {
    if (sigaction(signal, null, old) !== 0) continue;
    // The handler only: another's sa_mask may be full, past what a number holds.
    const current = layout.view(old).sa_handler;
    if (current !== 0n && current !== handler) continue; // someone else's
    if (sigaction(signal, action, null) === 0) return installedSignal = signal;
  }
  throw new Error(
    "Cannot interrupt a waiting thread: every real-time signal from SIGRTMIN+5 on has a handler",
  );
}

/**
 * Signals the pool thread that is blocked in `call` with these first
 * arguments, once.
 *
 * @param call The blocking call.
 * @param args Its first arguments, as the kernel sees them (an id, a buffer's address, ...).
 * @returns True if a thread was found in that call and signalled.
 */
export function interruptBlockedCall(call: InterruptibleCall, args: readonly bigint[]): boolean {
  const signal = interruptSignal();
  const prefix = syscallPrefix(call, args);
  const { getpid, tgkill } = libc();
  if (!tgkill) throw new Error("Cannot interrupt a waiting thread: this libc has no tgkill");
  for (const tid of threadIds()) {
    if (!readSyscallLine(tid).startsWith(prefix)) continue;
    // Look again right before the signal: the narrowest window we can give the race.
    if (!readSyscallLine(tid).startsWith(prefix)) return false;
    return tgkill(getpid(), tid, signal) === 0;
  }
  return false;
}

/**
 * Interrupts the blocked call until `returned` settles: at once, then 1 ms,
 * 2 ms, 4 ms ... (at most 50 ms) apart, for the case where the pool has not
 * started the call yet or the signal came a moment too early.
 *
 * @param call The blocking call.
 * @param args Its first arguments.
 * @param returned The call's promise (or one that settles when it has returned).
 */
export function interruptUntilReturned(
  call: InterruptibleCall,
  args: readonly bigint[],
  returned: Promise<unknown>,
): void {
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    done = true;
    if (timer !== undefined) clearTimeout(timer);
  };
  returned.then(stop, stop);
  let delay = 1;
  const attempt = () => {
    if (done) return;
    interruptBlockedCall(call, args);
    timer = setTimeout(attempt, delay);
    delay = Math.min(delay * 2, 50);
  };
  attempt();
}

/** A call started on a pool thread and not yet returned. */
interface BlockedCall {
  readonly call: InterruptibleCall;
  readonly args: readonly bigint[];
}

const blockedCalls = new Set<BlockedCall>();
let exitHooked = false;

/**
 * Records a call started on a pool thread until `returned` settles, so
 * that the process's exit can end it: Node joins its pool threads at exit,
 * and a thread still blocked in msgrcv would keep it waiting for ever.
 *
 * @param call The blocking call.
 * @param args Its first arguments, as for {@linkcode interruptBlockedCall}.
 * @param returned The call's promise.
 */
export function trackBlockedCall(
  call: InterruptibleCall,
  args: readonly bigint[],
  returned: Promise<unknown>,
): void {
  const entry: BlockedCall = { call, args };
  blockedCalls.add(entry);
  const drop = () => blockedCalls.delete(entry);
  returned.then(drop, drop);
  if (!exitHooked) {
    exitHooked = true;
    onExit(endBlockedCalls);
  }
}

/**
 * At exit (no promise settles any more): signals every tracked call's
 * thread until none is in its call, for at most half a second. The call
 * then returns on its thread, and its result is never looked at.
 */
function endBlockedCalls(): void {
  const deadline = performance.now() + 500;
  let quiet = 0; // rounds in a row that found no tracked call: one may not have started yet
  while (blockedCalls.size > 0 && quiet < 3 && performance.now() < deadline) {
    let found = false;
    for (const { call, args } of blockedCalls) {
      if (interruptBlockedCall(call, args)) found = true;
    }
    quiet = found ? 0 : quiet + 1;
    Atomics.wait(exitPause, 0, 0, 1);
  }
}

const exitPause = new Int32Array(new SharedArrayBuffer(4));

/** What `/proc/self/task/TID/syscall` starts with while the thread is in `call(args...)`. */
function syscallPrefix(call: InterruptibleCall, args: readonly bigint[]): string {
  const arch = requireHostAbi().arch;
  let prefix = String(syscallNumbers[arch][call]);
  for (const arg of args) prefix += ` 0x${BigInt.asUintN(64, arg).toString(16)}`;
  return prefix + " ";
}

const taskDir = cString("/proc/self/task", "path");
let direntNameOffset: number | undefined;

/** The ids of this process's threads, read with opendir/readdir. */
function threadIds(): number[] {
  const { opendir, readdir, closedir } = libc();
  direntNameOffset ??= posixLayouts().dirent.offsetOf("d_name");
  const dir: Pointer = opendir(taskDir);
  if (dir === null) return [];
  const ids: number[] = [];
  try {
    for (let entry = readdir(dir); entry !== null; entry = readdir(dir)) {
      const name = readCString(entry, direntNameOffset);
      if (name !== "." && name !== "..") ids.push(Number(name));
    }
  } finally {
    closedir(dir);
  }
  return ids;
}

const lineBuffer = new Uint8Array(new ArrayBuffer(256));
const lineLength = BigInt(lineBuffer.length - 1);
const decoder = new TextDecoder();

/** The thread's syscall line ("70 0x4 0x55d0... ..." or "running"), or "" if it is gone. */
function readSyscallLine(tid: number): string {
  const { open, read, close } = libc();
  const fd = open(cString(`/proc/self/task/${tid}/syscall`, "path"), O_RDONLY_CLOEXEC, 0);
  if (fd === -1) return "";
  try {
    const n = read(fd, lineBuffer, lineLength);
    return n <= 0n ? "" : decoder.decode(lineBuffer.subarray(0, Number(n)));
  } finally {
    close(fd);
  }
}
