/**
 * One AbortSignal from the `signal` and `timeout` options of a call that can
 * wait.
 *
 * @module
 */

import { checkAbortSignal, checkTimeout } from "./_checks.ts";
import type { WaitOptions } from "./wait.ts";

/** The longest timer JavaScript runtimes keep exactly (2^31 - 1 ms, about 24.8 days). */
const maxTimeout = 0x7fffffff;

export type { WaitOptions } from "./wait.ts";

/**
 * Checks `signal` and `timeout` and combines them into one signal.
 *
 * @returns The signal, or undefined when the call may wait for ever.
 */
export function waitSignal(options: WaitOptions): AbortSignal | undefined {
  const signal = checkAbortSignal(options.signal);
  if (options.timeout === undefined || options.timeout === Infinity) return signal;
  const ms = checkTimeout(options.timeout, "options.timeout");
  if (ms > maxTimeout) {
    throw new RangeError(
      `options.timeout must be at most ${maxTimeout} ms (or Infinity): got ${ms}`,
    );
  }
  const timeout = AbortSignal.timeout(Math.ceil(ms));
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
