/**
 * `semctl` for semaphore sets: the set as an object kind (status, changes,
 * removal and the words of their errors, through `_control.ts`), the
 * errors of `semget` and `semop`, values checked and set (`SETALL`), and
 * the system's limits.
 *
 * @module
 */

import { type SemidDs, sysvLayouts } from "../endian/libc_sysv.ts";
import { checkSafeInteger } from "../ipc/_checks.ts";
import { type CallContext, errnoError, lastError, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import { timeoutError } from "./_common.ts";
import { objectContext, type ObjectKind, readLimits } from "./_control.ts";
import { SETALL } from "./constants.ts";
import type { SemaphoreLimits } from "./semaphore_set_types.ts";

/** Semaphore sets, for the control calls and the context of every error of a set. */
export const SEMAPHORE_SET: ObjectKind<SemidDs> = {
  noun: "semaphore set",
  syscall: "semctl",
  reasons: {
    EIDRM: "the semaphore set was removed",
    EINVAL: "the semaphore set does not exist (it was removed)",
    EACCES: "the set's mode does not let this process do that",
    EPERM: "only the set's owner or creator (or a privileged process) may do that",
  },
  layout: () => sysvLayouts().semid_ds,
  control: (id, command, buffer) => libc().semctl(id, 0, command, buffer),
};

/** The context of a failed `semget` of `count` semaphores with a key. */
export function openContext(action: string, key: number, count: number): CallContext {
  return {
    action,
    details: { key, count },
    reasons: {
      ENOENT: "no semaphore set has this key (pass create: true to make one)",
      EEXIST: "a semaphore set with this key exists already",
      EACCES: "the set's mode does not let this process use it",
      EINVAL: `the set exists with fewer semaphores than ${count}, or ${count} is past semmsl`,
      ENOSPC: "the system's limit of semaphores (semmni or semmns) is reached",
    },
  };
}

/** The error of a failed `semop` on set `id`. */
export function opError(id: number, errno: number, timeout: number): ErrnoError {
  return errnoError(errno, "semop", {
    ...objectContext(SEMAPHORE_SET, id, "operate on", { timeout }),
    reasons: {
      ...SEMAPHORE_SET.reasons,
      EAGAIN: "an operation with wait: false could not be done now",
      EFBIG: "a semaphore index is past the end of the set",
      E2BIG: "too many operations in one call (semopm)",
      ERANGE: "a value would pass the largest a semaphore may hold (semvmx)",
    },
  });
}

/** The error of operations on set `id` that could not be done within `timeout` ms. */
export function opTimedOut(id: number, timeout: number): DOMException {
  return timeoutError(
    `operate on semaphore set ${id}`,
    `the operations could not be done within ${timeout} ms`,
  );
}

/** Checks initial values: one number for all, or one per semaphore. */
export function initialValues(value: unknown, count: number): number[] {
  const max = semaphoreMax();
  if (value === undefined) return new Array(count).fill(0);
  if (typeof value === "number") {
    return new Array(count).fill(checkSafeInteger(value, "options.initial", 0, max));
  }
  if (!Array.isArray(value)) {
    throw new TypeError(
      `values must be a number or an array of ${count} numbers: got ${typeof value}`,
    );
  }
  if (value.length !== count) {
    throw new RangeError(`values must number ${count}, one per semaphore: got ${value.length}`);
  }
  return value.map((v, i) => checkSafeInteger(v, `values[${i}]`, 0, max));
}

/** Sets every value of set `id` (`SETALL`). */
export function setAll(id: number, values: readonly number[], context: CallContext): void {
  const bytes = new Uint8Array(new Uint16Array(values).buffer);
  if (libc().semctl(id, 0, SETALL, bytes) === -1) throw lastError("semctl", context);
}

let cachedLimits: SemaphoreLimits | undefined;

/** semvmx, read once per process. */
export function semaphoreMax(): number {
  return (cachedLimits ??= readSemaphoreLimits()).maxValue;
}

/** semopm, read once per process. */
export function operationsMax(): number {
  return (cachedLimits ??= readSemaphoreLimits()).maxOpsPerCall;
}

/** The system's semaphore limits, read now (`semctl(IPC_INFO)`). */
export function readSemaphoreLimits(): SemaphoreLimits {
  const info = readLimits(SEMAPHORE_SET, sysvLayouts().seminfo, "semaphore");
  return {
    maxSets: info.semmni,
    maxPerSet: info.semmsl,
    maxTotal: info.semmns,
    maxOpsPerCall: info.semopm,
    maxValue: info.semvmx,
  };
}
