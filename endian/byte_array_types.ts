/**
 * Field types stored as bytes: char arrays holding UTF-8 strings
 * ({@linkcode chars}), byte arrays ({@linkcode bytes}), and the flexible
 * array members of each ({@linkcode flexibleChars},
 * {@linkcode flexibleBytes}) that end a variable-length record.
 *
 * @module
 */

import { checkSafeInteger, describeValue } from "./integers.ts";
import type { BytesType, FlexibleType, Type } from "./types.ts";
import { checkLength } from "./_type_helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options of {@linkcode chars}. */
export interface CharsOptions {
  /**
   * Whether the string must leave room for its terminating NUL (C strings,
   * the default), so `char[32]` holds at most 31 bytes. With `false`, the
   * string may fill the array, and a full array has no NUL.
   */
  readonly terminated?: boolean;
}

/**
 * A fixed-size `char` array holding a UTF-8 string, like `char name[32]`.
 *
 * Writing pads the rest of the array with NUL bytes; a string longer than
 * the array (counting its NUL unless `terminated: false`) is a RangeError,
 * never cut. Reading stops at the first NUL; bytes that are not UTF-8 are
 * read as U+FFFD (use {@linkcode bytes} for the raw bytes).
 *
 * @param length The array's length in bytes.
 * @param options Whether the array must hold a terminating NUL.
 * @returns The field type.
 * @throws {RangeError} If `length` is not an integer in [1, 2^31 - 1].
 *
 * @example
 * ```ts
 * import { chars, struct } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const name = struct([["name", chars(8)]]);
 * assert.deepEqual(name.decode(name.encode({ name: "Alan" })), { name: "Alan" });
 * assert.throws(() => name.encode({ name: "Alan Turing" }), RangeError);
 * ```
 */
export function chars(length: number, options: CharsOptions = {}): Type<string> {
  checkLength(length, "Char array length");
  const terminated = options.terminated ?? true;
  const capacity = terminated ? length - 1 : length;
  const name = `char[${length}]`;
  return Object.freeze({
    name,
    size: length,
    align: 1,
    read(view: DataView, offset: number): string {
      return decodeString(bytesAt(view, offset, length));
    },
    write(view: DataView, offset: number, value: unknown, _le: boolean, what: string): void {
      const bytes = encodeString(value, what);
      if (bytes.length > capacity) {
        throw new RangeError(
          `${what} is ${bytes.length} bytes in UTF-8, but ${name} holds at most ${capacity}${
            terminated ? " and its NUL" : ""
          }: ${describeValue(value)}`,
        );
      }
      writePadded(bytes, view, offset, length);
    },
  });
}

/** Options of {@linkcode bytes}. */
export interface BytesOptions {
  /** The alignment in native layouts (default 1): 4 for a `struct in_addr`. */
  readonly align?: 1 | 2 | 4 | 8 | 16;
}

/**
 * A fixed-size byte array, like `uint8_t data[16]`, as a `Uint8Array`.
 *
 * Reading copies the bytes out; writing takes at most `length` bytes and
 * zero-fills the rest. More bytes than the array holds is a RangeError.
 *
 * @param length The array's length in bytes.
 * @param options The alignment, for byte arrays that stand for aligned C types (`struct in_addr`).
 * @returns The field type.
 * @throws {RangeError} If `length` is not an integer in [1, 2^31 - 1], or the alignment is not a power of two up to 16.
 *
 * @example
 * ```ts
 * import { bytes, struct } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const addr = struct([["raw", bytes(4)]]);
 * assert.deepEqual(addr.encode({ raw: new Uint8Array([127, 0, 0, 1]) }), new Uint8Array([127, 0, 0, 1]));
 * ```
 */
export function bytes(length: number, options: BytesOptions = {}): BytesType {
  checkLength(length, "Byte array length");
  const align = options.align ?? 1;
  if (![1, 2, 4, 8, 16].includes(align)) {
    throw new RangeError(`Alignment must be 1, 2, 4, 8 or 16: got ${describeValue(align)}`);
  }
  const name = `uint8_t[${length}]`;
  return Object.freeze({
    kind: "bytes",
    name,
    size: length,
    align,
    read(view: DataView, offset: number): Uint8Array {
      return new Uint8Array(
        view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + length),
      );
    },
    write(view: DataView, offset: number, value: unknown, _le: boolean, what: string): void {
      checkBytes(value, what);
      if (value.length > length) {
        throw new RangeError(
          `${what} is ${value.length} bytes, but ${name} holds at most ${length}`,
        );
      }
      writePadded(value, view, offset, length);
    },
  });
}

/** Options of {@linkcode flexibleChars}. */
export interface FlexibleCharsOptions {
  /** The most bytes the string may take in UTF-8, NUL not counted. Default: no limit. */
  readonly maxBytes?: number;
}

/**
 * A flexible array member holding a NUL-terminated UTF-8 string, like the
 * `uint8_t name[]` that ends a wire record: the last field of a layout,
 * taking the bytes after the fixed part. Writing appends the string and one
 * NUL; reading stops at the first NUL or the end of the bytes.
 *
 * @param options The longest string allowed.
 * @returns The field type.
 *
 * @example
 * ```ts
 * import { flexibleChars, packed, u32 } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const rec = packed([["math", u32], ["name", flexibleChars()]]);
 * const wire = rec.encode({ math: 90, name: "Alan" });
 * assert.equal(wire.length, 4 + 4 + 1);
 * assert.deepEqual(rec.decode(wire), { math: 90, name: "Alan" });
 * ```
 */
export function flexibleChars(options: FlexibleCharsOptions = {}): FlexibleType<string> {
  const maxBytes = checkMaxBytes(options);
  return Object.freeze({
    name: "char[]",
    flexible: true,
    sizeOf(value: unknown, what: string): number {
      const bytes = encodeString(value, what);
      if (bytes.length > maxBytes) {
        throw new RangeError(
          `${what} is ${bytes.length} bytes in UTF-8, but at most ${maxBytes} are allowed`,
        );
      }
      return bytes.length + 1;
    },
    read: decodeString,
    write(target: Uint8Array, value: string): void {
      const bytes = encoder.encode(value);
      target.set(bytes);
      target[bytes.length] = 0;
    },
  });
}

/**
 * A flexible array member of raw bytes (`uint8_t data[]`): the last field of
 * a layout, taking every byte after the fixed part.
 *
 * @param options The most bytes allowed.
 * @returns The field type.
 *
 * @example
 * ```ts
 * import { flexibleBytes, packed, u16 } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const frame = packed([["kind", u16], ["payload", flexibleBytes()]]);
 * const wire = frame.encode({ kind: 1, payload: new Uint8Array([7, 8]) });
 * assert.deepEqual(wire, new Uint8Array([0, 1, 7, 8]));
 * ```
 */
export function flexibleBytes(
  options: { readonly maxBytes?: number } = {},
): FlexibleType<Uint8Array> {
  const maxBytes = checkMaxBytes(options);
  return Object.freeze({
    name: "uint8_t[]",
    flexible: true,
    sizeOf(value: unknown, what: string): number {
      checkBytes(value, what);
      if (value.length > maxBytes) {
        throw new RangeError(
          `${what} is ${value.length} bytes, but at most ${maxBytes} are allowed`,
        );
      }
      return value.length;
    },
    read: (bytes: Uint8Array): Uint8Array => bytes.slice(),
    write(target: Uint8Array, value: Uint8Array): void {
      target.set(value);
    },
  });
}

function encodeString(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string: got ${describeValue(value)}`);
  }
  if (!value.isWellFormed()) {
    // TextEncoder would write U+FFFD in its place: the string would change silently.
    throw new RangeError(
      `${what} must be valid Unicode, but it holds a lone surrogate: got ${describeValue(value)}`,
    );
  }
  const bytes = encoder.encode(value);
  if (bytes.includes(0)) {
    throw new RangeError(`${what} must not contain a NUL character: got ${describeValue(value)}`);
  }
  return bytes;
}

function decodeString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** The `length` bytes of `view` at `offset`, in place. */
function bytesAt(view: DataView, offset: number, length: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length);
}

/** Writes `source` into the `length` bytes at `offset`, and NUL bytes after it. */
function writePadded(source: Uint8Array, view: DataView, offset: number, length: number): void {
  const target = bytesAt(view, offset, length);
  target.set(source);
  target.fill(0, source.length);
}

function checkBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array: got ${describeValue(value)}`);
  }
}

/** The `maxBytes` option of a flexible array member: no limit by default. */
function checkMaxBytes(options: { readonly maxBytes?: number }): number {
  return options.maxBytes === undefined
    ? Infinity
    : checkSafeInteger(options.maxBytes, "options.maxBytes", 0);
}
