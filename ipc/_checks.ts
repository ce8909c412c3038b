/**
 * Argument checks shared by every module: each returns the checked value or
 * throws a TypeError (wrong kind) or RangeError (wrong value) that names the
 * argument, the value and what is allowed, before any syscall is made.
 *
 * @module
 */

import { checkSafeInteger, describeValue, int32, uint32 } from "../endian/integers.ts";

export { checkSafeInteger, describeValue };

/** An int32 argument (C `int`). */
export function checkInt32(value: unknown, what: string): number {
  return int32.check(value, what);
}

/** A uint32 argument (C `unsigned int`). */
export function checkUint32(value: unknown, what: string): number {
  return uint32.check(value, what);
}

/** A non-negative int32: ids, counts, fds. */
export function checkNonNegativeInt32(value: unknown, what: string): number {
  return checkSafeInteger(value, what, 0, int32.max);
}

/** A file descriptor: an int32 of at least 0. */
export function checkFd(value: unknown, what = "fd"): number {
  return checkSafeInteger(value, what, 0, int32.max);
}

/** A size or length in bytes, in `[min, max]`. */
export function checkSize(
  value: unknown,
  what: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  return checkSafeInteger(value, what, min, max);
}

/**
 * A System V key (`key_t`, a C `int`). The 32 bits may be given signed, as C
 * holds them, or unsigned, as `ipcs` prints them (0xdeadbeef): both name the
 * same key. Anything outside 32 bits is a RangeError.
 *
 * @returns The key as C holds it, an int32.
 */
export function checkKey(value: unknown, what = "key"): number {
  if (
    typeof value === "number" && Number.isInteger(value) && value >= int32.min &&
    value <= uint32.max && !Object.is(value, -0)
  ) {
    return value | 0;
  }
  const expected =
    `${what} must be an integer in [${int32.min}, ${uint32.max}] (32 bits, signed or unsigned)`;
  if (typeof value !== "number") throw new TypeError(`${expected}: got ${describeValue(value)}`);
  throw new RangeError(`${expected}: got ${describeValue(value)}`);
}

/** Permission bits: an integer in `[0, max]` (0o777 for IPC objects and FIFOs). */
export function checkMode(value: unknown, what = "mode", max = 0o777): number {
  if (
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max &&
    !Object.is(value, -0)
  ) {
    return value;
  }
  const expected = `${what} must be an integer in [0, 0o${max.toString(8)}]`;
  if (typeof value !== "number") throw new TypeError(`${expected}: got ${describeValue(value)}`);
  throw new RangeError(`${expected}: got ${describeValue(value)}`);
}

/** A timeout in milliseconds: a non-negative number, `Infinity` for none. */
export function checkTimeout(value: unknown, what = "timeout"): number {
  if (typeof value === "number" && value >= 0 && !Number.isNaN(value) && !Object.is(value, -0)) {
    return value;
  }
  const expected = `${what} must be a number of milliseconds, 0 or more (Infinity for none)`;
  if (typeof value !== "number") throw new TypeError(`${expected}: got ${describeValue(value)}`);
  throw new RangeError(`${expected}: got ${describeValue(value)}`);
}

/** A boolean. */
export function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${what} must be a boolean: got ${describeValue(value)}`);
  }
  return value;
}

/** A string. */
export function checkString(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string: got ${describeValue(value)}`);
  }
  return value;
}

/** A `Uint8Array`. */
export function checkBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array: got ${describeValue(value)}`);
  }
  return value;
}

/** An options object, or undefined (which gives `{}`). */
export function checkOptions<T extends object>(value: T | undefined, what = "options"): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object: got ${describeValue(value)}`);
  }
  return value;
}

/** An AbortSignal, or undefined. */
export function checkAbortSignal(value: unknown, what = "options.signal"): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) {
    throw new TypeError(`${what} must be an AbortSignal: got ${describeValue(value)}`);
  }
  return value;
}
