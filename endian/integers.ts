/**
 * Fixed-width integers: ranges, checked conversions and C-style wrapping.
 *
 * Every public function of unixipc checks its integer arguments with these
 * before it makes a syscall, so that a value a C function would silently
 * truncate (a key past 32 bits, a negative size, `1.5`, `NaN`, `-0`) is an
 * error instead.
 *
 * @module
 */

/** A fixed-width integer type: its range, a checked conversion and a wrapping one. */
export interface IntegerType<T extends number | bigint> {
  /** C-like name: `"int32"`, `"uint16"`, ... */
  readonly name: string;
  /** Width in bits. */
  readonly bits: 8 | 16 | 32 | 64;
  /** Width in bytes. */
  readonly bytes: 1 | 2 | 4 | 8;
  /** Whether the type is signed (two's complement). */
  readonly signed: boolean;
  /** The smallest value. */
  readonly min: T;
  /** The largest value. */
  readonly max: T;
  /**
   * Checks that `value` is an integer of this type and returns it.
   *
   * @param value The value to check.
   * @param what What the value is, for the error message (`"key"`, `"options.mode"`).
   * @returns The value, as a `number` (8 to 32 bits) or a `bigint` (64 bits).
   * @throws {TypeError} If `value` is not a number (or, for 64 bits, a bigint).
   * @throws {RangeError} If `value` is NaN, infinite, fractional, `-0` or out of range.
   */
  check(value: unknown, what?: string): T;
  /**
   * Converts an integer to this type the way a C cast does: modulo 2^bits.
   *
   * @param value Any integer (a fraction is a RangeError: C would truncate it silently).
   * @returns The wrapped value.
   * @throws {TypeError} If `value` is neither a number nor a bigint.
   * @throws {RangeError} If `value` is not an integer.
   */
  wrap(value: number | bigint): T;
}

/** Describes a value for an error message: strings quoted, -0 spelled out. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Object.is(value, -0)) return "-0";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return String(value);
}

function rangeText(min: number | bigint, max: number | bigint): string {
  return `[${min}, ${max}]`;
}

/**
 * The error for an integer argument out of its type or range: a TypeError
 * for the wrong kind of value (anything but a number, and also a bigint when
 * `acceptsBigInt` is false), a RangeError for the wrong value.
 */
function integerError(
  value: unknown,
  what: string,
  typeName: string,
  min: number | bigint,
  max: number | bigint,
  acceptsBigInt: boolean,
): TypeError | RangeError {
  const expected = `${what} must be an integer in ${rangeText(min, max)} (${typeName})`;
  const rightKind = typeof value === "number" || (acceptsBigInt && typeof value === "bigint");
  if (!rightKind) return new TypeError(`${expected}: got ${describeValue(value)}`);
  const unsafe = acceptsBigInt && typeof value === "number" && Number.isInteger(value) &&
    !Number.isSafeInteger(value);
  return new RangeError(
    `${expected}: got ${describeValue(value)}${
      unsafe ? ", which a number cannot hold exactly: pass a bigint" : ""
    }`,
  );
}

function smallInteger(bits: 8 | 16 | 32, signed: boolean): IntegerType<number> {
  const name = `${signed ? "int" : "uint"}${bits}`;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const modulus = 2 ** bits;
  return Object.freeze({
    name,
    bits,
    bytes: (bits / 8) as 1 | 2 | 4,
    signed,
    min,
    max,
    check(value: unknown, what = "value"): number {
      // The fast path: an in-range number that is an integer and not -0.
      if (
        typeof value === "number" && value >= min && value <= max &&
        Math.floor(value) === value && (value !== 0 || 1 / value > 0)
      ) return value;
      throw integerError(value, what, name, min, max, false);
    },
    wrap(value: number | bigint): number {
      const n = Number(toIntegerBigInt(value) % BigInt(modulus));
      const u = n < 0 ? n + modulus : n;
      return signed && u > max ? u - modulus : u;
    },
  });
}

function largeInteger(signed: boolean): IntegerType<bigint> {
  const name = signed ? "int64" : "uint64";
  const min = signed ? -(2n ** 63n) : 0n;
  const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  return Object.freeze({
    name,
    bits: 64,
    bytes: 8,
    signed,
    min,
    max,
    check(value: unknown, what = "value"): bigint {
      if (typeof value === "bigint") {
        if (value >= min && value <= max) return value;
      } else if (
        typeof value === "number" && Number.isSafeInteger(value) && !Object.is(value, -0)
      ) {
        const big = BigInt(value);
        if (big >= min && big <= max) return big;
      }
      throw integerError(value, what, name, min, max, true);
    },
    wrap(value: number | bigint): bigint {
      const big = toIntegerBigInt(value);
      return signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big);
    },
  });
}

function toIntegerBigInt(value: number | bigint): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot convert ${describeValue(value)} to an integer: not a number`);
  }
  if (!Number.isInteger(value)) {
    throw new RangeError(`Cannot convert ${describeValue(value)} to an integer: not an integer`);
  }
  return BigInt(value);
}

/** Signed 8-bit integer, C `int8_t`. */
export const int8: IntegerType<number> = smallInteger(8, true);
/** Unsigned 8-bit integer, C `uint8_t`. */
export const uint8: IntegerType<number> = smallInteger(8, false);
/** Signed 16-bit integer, C `int16_t` (`short` on Linux). */
export const int16: IntegerType<number> = smallInteger(16, true);
/** Unsigned 16-bit integer, C `uint16_t`. */
export const uint16: IntegerType<number> = smallInteger(16, false);
/** Signed 32-bit integer, C `int32_t` (`int` on every ABI unixipc supports). */
export const int32: IntegerType<number> = smallInteger(32, true);
/** Unsigned 32-bit integer, C `uint32_t`. */
export const uint32: IntegerType<number> = smallInteger(32, false);
/** Signed 64-bit integer, C `int64_t`, as a bigint. */
export const int64: IntegerType<bigint> = largeInteger(true);
/** Unsigned 64-bit integer, C `uint64_t`, as a bigint. */
export const uint64: IntegerType<bigint> = largeInteger(false);

/**
 * Checks that `value` is a safe integer (a `number` that holds an integer
 * exactly) in `[min, max]`, and returns it.
 *
 * For 64-bit C quantities that a program handles as numbers: sizes, offsets,
 * message types (`long`), times.
 *
 * @param value The value to check.
 * @param what What the value is, for the error message.
 * @param min The smallest allowed value (default `Number.MIN_SAFE_INTEGER`).
 * @param max The largest allowed value (default `Number.MAX_SAFE_INTEGER`).
 * @returns The value.
 * @throws {TypeError} If `value` is not a number.
 * @throws {RangeError} If `value` is not an integer, is `-0`, or is out of range.
 *
 * @example
 * ```ts
 * import { checkSafeInteger } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkSafeInteger(8192, "size", 0), 8192);
 * assert.throws(() => checkSafeInteger(-1, "size", 0), RangeError);
 * ```
 */
export function checkSafeInteger(
  value: unknown,
  what: string,
  min: number = Number.MIN_SAFE_INTEGER,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (
    typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max &&
    !Object.is(value, -0)
  ) return value;
  const expected = `${what} must be an integer in ${rangeText(min, max)}`;
  if (typeof value !== "number") {
    throw new TypeError(`${expected}: got ${describeValue(value)}`);
  }
  throw new RangeError(`${expected}: got ${describeValue(value)}`);
}
