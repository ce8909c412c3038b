/**
 * Signal names and numbers, as Linux defines them (the same on x86_64 and
 * aarch64).
 *
 * Pure TypeScript: no FFI, no permission.
 *
 * @module
 */

import { describeValue } from "../endian/integers.ts";

/** The name of a standard Linux signal. */
export type SignalName =
  | "SIGHUP"
  | "SIGINT"
  | "SIGQUIT"
  | "SIGILL"
  | "SIGTRAP"
  | "SIGABRT"
  | "SIGBUS"
  | "SIGFPE"
  | "SIGKILL"
  | "SIGUSR1"
  | "SIGSEGV"
  | "SIGUSR2"
  | "SIGPIPE"
  | "SIGALRM"
  | "SIGTERM"
  | "SIGSTKFLT"
  | "SIGCHLD"
  | "SIGCONT"
  | "SIGSTOP"
  | "SIGTSTP"
  | "SIGTTIN"
  | "SIGTTOU"
  | "SIGURG"
  | "SIGXCPU"
  | "SIGXFSZ"
  | "SIGVTALRM"
  | "SIGPROF"
  | "SIGWINCH"
  | "SIGIO"
  | "SIGPWR"
  | "SIGSYS";

const names: readonly SignalName[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

const numbers = new Map<string, number>(names.map((name, i) => [name, i + 1]));
numbers.set("SIGIOT", 6);
numbers.set("SIGPOLL", 29);

/** The highest signal number of Linux (SIGRTMAX). */
export const SIGNAL_MAX = 64;

/**
 * Returns the number of a signal.
 *
 * @param signal A name (`"SIGTERM"`, or the aliases `"SIGIOT"`, `"SIGPOLL"`),
 *   or a number in [0, 64] (0 checks that a process exists, sending nothing).
 * @returns The signal's number.
 * @throws {TypeError} If `signal` is neither a string nor a number.
 * @throws {RangeError} If Linux has no such signal.
 *
 * @example
 * ```ts
 * import { signalNumber } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * assert.equal(signalNumber("SIGTERM"), 15);
 * assert.equal(signalNumber(9), 9);
 * ```
 */
export function signalNumber(signal: SignalName | string | number): number {
  if (typeof signal === "number") {
    if (Number.isInteger(signal) && signal >= 0 && signal <= SIGNAL_MAX && !Object.is(signal, -0)) {
      return signal;
    }
    throw new RangeError(
      `signal must be a name or an integer in [0, ${SIGNAL_MAX}]: got ${describeValue(signal)}`,
    );
  }
  if (typeof signal !== "string") {
    throw new TypeError(
      `signal must be a name such as "SIGTERM" or a number: got ${describeValue(signal)}`,
    );
  }
  const n = numbers.get(signal);
  if (n === undefined) {
    throw new RangeError(
      `signal must be a Linux signal name (SIGHUP ... SIGSYS): got ${JSON.stringify(signal)}`,
    );
  }
  return n;
}

/**
 * Returns the name of a signal number.
 *
 * @param signal A signal number.
 * @returns Its name (`"SIGKILL"`), `"SIGRTMIN+n"` for a real-time signal
 *   (from 34, glibc's SIGRTMIN), or `"SIG<n>"` for another number.
 *
 * @example
 * ```ts
 * import { signalName } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * assert.equal(signalName(9), "SIGKILL");
 * ```
 */
export function signalName(signal: number): string {
  const name = names[signal - 1];
  if (name !== undefined) return name;
  if (signal >= 34 && signal <= SIGNAL_MAX) return `SIGRTMIN+${signal - 34}`;
  return `SIG${signal}`;
}
