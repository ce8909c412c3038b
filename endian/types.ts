/**
 * Field types for struct layouts: fixed-width integers (from
 * `integers.ts`), floats, C types whose width depends on the ABI, char
 * arrays holding strings, byte arrays, arrays and reserved space.
 *
 * @module
 */

import type { Abi } from "./abi.ts";
import type { ByteOrder } from "./byte_order.ts";
import {
  checkSafeInteger,
  describeValue,
  int16,
  int32,
  int64,
  int8,
  type IntegerType,
  uint16,
  uint32,
  uint64,
  uint8,
} from "./integers.ts";

/**
 * A field type of fixed size: how many bytes it takes, its C alignment, and
 * how a value of type `V` is read from and written to memory.
 */
export interface Type<V> {
  /** The C spelling, for messages: `"uint32"`, `"char[32]"`, `"struct sembuf"`. */
  readonly name: string;
  /** `sizeof`, in bytes. */
  readonly size: number;
  /** `_Alignof`, in bytes (1 inside packed layouts). */
  readonly align: number;
  /**
   * Reads a value.
   *
   * @param view The memory.
   * @param offset Byte offset of the field.
   * @param littleEndian Byte order of the enclosing layout.
   */
  read(view: DataView, offset: number, littleEndian: boolean): V;
  /**
   * Checks and writes a value.
   *
   * @param view The memory.
   * @param offset Byte offset of the field.
   * @param value The value; checked before anything is written.
   * @param littleEndian Byte order of the enclosing layout.
   * @param what The field's path, for error messages (`"msg.name"`).
   * @throws {TypeError} If the value has the wrong type.
   * @throws {RangeError} If the value does not fit.
   */
  write(view: DataView, offset: number, value: unknown, littleEndian: boolean, what: string): void;
}

/** A C type whose size depends on the ABI (`long`, `size_t`, `time_t`): resolved when a layout is built. */
export interface AbiType<V> {
  /** The C spelling, for messages. */
  readonly name: string;
  /** The concrete type on an ABI. */
  resolve(abi: Abi): Type<V>;
}

/**
 * A flexible array member (`uint8_t name[]`): the last field of a layout, of
 * variable length, taking whatever bytes follow the fixed part.
 */
export interface FlexibleType<V> {
  /** The C spelling, for messages. */
  readonly name: string;
  /** Always true: marks a flexible array member. */
  readonly flexible: true;
  /** Checks a value and returns how many bytes it takes. */
  sizeOf(value: unknown, what: string): number;
  /** Reads the value from all the bytes given. */
  read(bytes: Uint8Array): V;
  /** Writes the value (already measured with `sizeOf`) at the start of `bytes`. */
  write(bytes: Uint8Array, value: V): void;
}

/** Reserved space: bytes a layout zeroes and never shows in its values. */
export interface ReservedType {
  /** The C spelling, for messages. */
  readonly name: string;
  /** Always true: marks reserved space. */
  readonly reserved: true;
  /** Size and alignment of the space, or the ABI-dependent type that has them. */
  readonly type: Type<unknown> | AbiType<unknown>;
}

/** Anything that can be declared as a layout field. */
export type FieldType =
  | Type<unknown>
  | AbiType<unknown>
  | FlexibleType<unknown>
  | ReservedType;

/** The value type of a field type. */
export type ValueOfType<T> = T extends Type<infer V> ? V
  : T extends AbiType<infer V> ? V
  : T extends FlexibleType<infer V> ? V
  : never;

/** A fixed-length array type, made by {@linkcode array}. */
export interface ArrayType<V> extends Type<V[]> {
  /** Marks an array type. */
  readonly kind: "array";
  /** The element type. */
  readonly element: Type<V>;
  /** The number of elements. */
  readonly length: number;
}

/** A fixed-size byte array type, made by {@linkcode bytes}. */
export interface BytesType extends Type<Uint8Array> {
  /** Marks a byte array type. */
  readonly kind: "bytes";
}

/** True when `type` is a fixed-length array type. */
export function isArrayType(type: Type<unknown>): type is ArrayType<unknown> {
  return (type as Partial<ArrayType<unknown>>).kind === "array";
}

/** True when `type` is a fixed-size byte array type. */
export function isBytesType(type: Type<unknown>): type is BytesType {
  return (type as Partial<BytesType>).kind === "bytes";
}

/** True when `type` is an ABI-dependent type. */
export function isAbiType(type: FieldType): type is AbiType<unknown> {
  return "resolve" in type;
}

/** True when `type` is a flexible array member. */
export function isFlexibleType(type: FieldType): type is FlexibleType<unknown> {
  return "flexible" in type;
}

/** True when `type` is reserved space. */
export function isReservedType(type: FieldType): type is ReservedType {
  return "reserved" in type;
}

// ---- integers and floats ----------------------------------------------------

function integerField(type: IntegerType<number>): Type<number> {
  const { name, bytes: size } = type;
  const reads = {
    int8: (v: DataView, o: number) => v.getInt8(o),
    uint8: (v: DataView, o: number) => v.getUint8(o),
    int16: (v: DataView, o: number, le: boolean) => v.getInt16(o, le),
    uint16: (v: DataView, o: number, le: boolean) => v.getUint16(o, le),
    int32: (v: DataView, o: number, le: boolean) => v.getInt32(o, le),
    uint32: (v: DataView, o: number, le: boolean) => v.getUint32(o, le),
  } as const;
  const writes = {
    int8: (v: DataView, o: number, x: number) => v.setInt8(o, x),
    uint8: (v: DataView, o: number, x: number) => v.setUint8(o, x),
    int16: (v: DataView, o: number, x: number, le: boolean) => v.setInt16(o, x, le),
    uint16: (v: DataView, o: number, x: number, le: boolean) => v.setUint16(o, x, le),
    int32: (v: DataView, o: number, x: number, le: boolean) => v.setInt32(o, x, le),
    uint32: (v: DataView, o: number, x: number, le: boolean) => v.setUint32(o, x, le),
  } as const;
  const read = reads[name as keyof typeof reads];
  const set = writes[name as keyof typeof writes];
  return Object.freeze({
    name,
    size,
    align: size,
    read,
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      set(view, offset, type.check(value, what), le);
    },
  });
}

function bigIntegerField(type: IntegerType<bigint>): Type<bigint> {
  const signed = type.signed;
  return Object.freeze({
    name: type.name,
    size: 8,
    align: 8,
    read(view: DataView, offset: number, le: boolean): bigint {
      return signed ? view.getBigInt64(offset, le) : view.getBigUint64(offset, le);
    },
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      const x = type.check(value, what);
      if (signed) view.setBigInt64(offset, x, le);
      else view.setBigUint64(offset, x, le);
    },
  });
}

/** `int8_t` as a layout field. */
export const i8: Type<number> = integerField(int8);
/** `uint8_t` as a layout field. */
export const u8: Type<number> = integerField(uint8);
/** `int16_t` as a layout field. */
export const i16: Type<number> = integerField(int16);
/** `uint16_t` as a layout field. */
export const u16: Type<number> = integerField(uint16);
/** `int32_t` (and C `int`) as a layout field. */
export const i32: Type<number> = integerField(int32);
/** `uint32_t` (and C `unsigned int`) as a layout field. */
export const u32: Type<number> = integerField(uint32);
/** `int64_t` as a layout field, a bigint. */
export const i64: Type<bigint> = bigIntegerField(int64);
/** `uint64_t` as a layout field, a bigint. */
export const u64: Type<bigint> = bigIntegerField(uint64);

/** `float` as a layout field. */
export const f32: Type<number> = Object.freeze({
  name: "float",
  size: 4,
  align: 4,
  read: (view: DataView, offset: number, le: boolean): number => view.getFloat32(offset, le),
  write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
    view.setFloat32(offset, checkNumber(value, what), le);
  },
});

/** `double` as a layout field. */
export const f64: Type<number> = Object.freeze({
  name: "double",
  size: 8,
  align: 8,
  read: (view: DataView, offset: number, le: boolean): number => view.getFloat64(offset, le),
  write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
    view.setFloat64(offset, checkNumber(value, what), le);
  },
});

function checkNumber(value: unknown, what: string): number {
  if (typeof value !== "number") {
    throw new TypeError(`${what} must be a number: got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Gives a field a fixed byte order whatever its layout's: `sin_port` is in
 * network byte order inside a native `struct sockaddr_in`.
 *
 * @param type A numeric field type.
 * @param byteOrder The byte order to always use.
 * @returns The field type.
 *
 * @example
 * ```ts
 * import { struct, u16, withByteOrder } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const s = struct([["port", withByteOrder(u16, "big")]]);
 * assert.deepEqual(s.encode({ port: 1989 }), new Uint8Array([0x07, 0xc5]));
 * ```
 */
export function withByteOrder<V>(type: Type<V>, byteOrder: ByteOrder): Type<V> {
  const le = byteOrder === "little";
  return Object.freeze({
    name: `${type.name} (${byteOrder}-endian)`,
    size: type.size,
    align: type.align,
    read: (view: DataView, offset: number): V => type.read(view, offset, le),
    write(view: DataView, offset: number, value: unknown, _le: boolean, what: string): void {
      type.write(view, offset, value, le, what);
    },
  });
}

// ---- C types whose width is the ABI's --------------------------------------

/**
 * A 64-bit C integer handled as a JS number: values must be safe integers
 * when written, and a value read that a number cannot hold exactly is a
 * RangeError (never a rounded number).
 */
function safeInteger64(name: string, signed: boolean): Type<number> {
  const min = signed ? Number.MIN_SAFE_INTEGER : 0;
  return Object.freeze({
    name,
    size: 8,
    align: 8,
    read(view: DataView, offset: number, le: boolean): number {
      const big = signed ? view.getBigInt64(offset, le) : view.getBigUint64(offset, le);
      const n = Number(big);
      if (!Number.isSafeInteger(n)) {
        throw new RangeError(
          `Cannot read ${name} ${big} as a number: it is past 2^53; read it as an int64 or uint64 field`,
        );
      }
      return n;
    },
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      const n = checkSafeInteger(value, what, min);
      if (signed) view.setBigInt64(offset, BigInt(n), le);
      else view.setBigUint64(offset, BigInt(n), le);
    },
  });
}

function abiDependent<V>(name: string, pick: (abi: Abi) => Type<V>): AbiType<V> {
  return Object.freeze({ name, resolve: pick });
}

function integerOfWidth(
  name: string,
  width: 4 | 8,
  signed: boolean,
): Type<number> {
  if (width === 8) return safeInteger64(name, signed);
  return { ...(signed ? i32 : u32), name };
}

/** C `long`, as a number (8 bytes on LP64 ABIs). */
export const cLong: AbiType<number> = abiDependent(
  "long",
  (abi) => integerOfWidth("long", abi.long, true),
);
/** C `unsigned long`, as a number. */
export const cUlong: AbiType<number> = abiDependent(
  "unsigned long",
  (abi) => integerOfWidth("unsigned long", abi.long, false),
);
/** C `size_t`, as a number. */
export const cSizeT: AbiType<number> = abiDependent(
  "size_t",
  (abi) => integerOfWidth("size_t", abi.pointer, false),
);
/** C `ssize_t`, as a number. */
export const cSsizeT: AbiType<number> = abiDependent(
  "ssize_t",
  (abi) => integerOfWidth("ssize_t", abi.pointer, true),
);
/** C `time_t`, as a number of seconds. */
export const cTimeT: AbiType<number> = abiDependent(
  "time_t",
  (abi) => integerOfWidth("time_t", abi.timeT, true),
);
/** A C pointer (`void *`, `uintptr_t`), as a bigint address. */
export const cPointer: AbiType<bigint> = abiDependent("void *", (abi) => {
  if (abi.pointer === 8) return { ...u64, name: "void *" };
  return Object.freeze({
    name: "void *",
    size: 4,
    align: 4,
    read: (view: DataView, offset: number, le: boolean): bigint =>
      BigInt(view.getUint32(offset, le)),
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      const x = uint64.check(value, what);
      if (x > 0xffffffffn) throw new RangeError(`${what} does not fit a 32-bit pointer: ${x}`);
      view.setUint32(offset, Number(x), le);
    },
  });
});

// ---- strings, bytes, arrays, reserved space ---------------------------------

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

function checkLength(length: number, what: string): number {
  return checkSafeInteger(length, what, 1, 2 ** 31 - 1);
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
      return decodeString(new Uint8Array(view.buffer, view.byteOffset + offset, length));
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
      const target = new Uint8Array(view.buffer, view.byteOffset + offset, length);
      target.set(bytes);
      target.fill(0, bytes.length);
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
      if (!(value instanceof Uint8Array)) {
        throw new TypeError(`${what} must be a Uint8Array: got ${describeValue(value)}`);
      }
      if (value.length > length) {
        throw new RangeError(
          `${what} is ${value.length} bytes, but ${name} holds at most ${length}`,
        );
      }
      const target = new Uint8Array(view.buffer, view.byteOffset + offset, length);
      target.set(value);
      target.fill(0, value.length);
    },
  });
}

/**
 * A fixed-length array of any type, like `int scores[4]` or
 * `struct sembuf ops[2]`, as a JS array of exactly `length` elements.
 *
 * @param element The element type (it may depend on the ABI).
 * @param length The number of elements.
 * @returns The field type.
 * @throws {RangeError} If `length` is not an integer in [1, 2^31 - 1].
 *
 * @example
 * ```ts
 * import { array, i32, struct } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const scores = struct([["scores", array(i32, 3)]]);
 * assert.equal(scores.size, 12);
 * assert.deepEqual(scores.decode(scores.encode({ scores: [1, 2, 3] })).scores, [1, 2, 3]);
 * ```
 */
export function array<V>(element: Type<V>, length: number): ArrayType<V>;
/**
 * A fixed-length array whose element type depends on the ABI, like
 * `long values[4]`: resolved when a layout is built.
 *
 * @param element The element type.
 * @param length The number of elements.
 * @returns The ABI-dependent field type.
 * @throws {RangeError} If `length` is not an integer in [1, 2^31 - 1].
 */
export function array<V>(element: Type<V> | AbiType<V>, length: number): AbiType<V[]>;
export function array<V>(
  element: Type<V> | AbiType<V>,
  length: number,
): ArrayType<V> | AbiType<V[]> {
  checkLength(length, "Array length");
  if (isAbiType(element as FieldType)) {
    const abiElement = element as AbiType<V>;
    return abiDependent(
      `${abiElement.name}[${length}]`,
      (abi) => fixedArray(abiElement.resolve(abi), length),
    );
  }
  return fixedArray(element as Type<V>, length);
}

function fixedArray<V>(element: Type<V>, length: number): ArrayType<V> {
  const stride = element.size;
  return Object.freeze({
    kind: "array",
    element,
    length,
    name: `${element.name}[${length}]`,
    size: stride * length,
    align: element.align,
    read(view: DataView, offset: number, le: boolean): V[] {
      const out = new Array<V>(length);
      for (let i = 0; i < length; i++) out[i] = element.read(view, offset + i * stride, le);
      return out;
    },
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      if (!Array.isArray(value)) {
        throw new TypeError(`${what} must be an array: got ${describeValue(value)}`);
      }
      if (value.length !== length) {
        throw new RangeError(
          `${what} must have exactly ${length} elements (${element.name}[${length}]): got ${value.length}`,
        );
      }
      for (let i = 0; i < length; i++) {
        element.write(view, offset + i * stride, value[i], le, `${what}[${i}]`);
      }
    },
  });
}

/**
 * Reserved space (`__glibc_reserved4`, `__pad`): zeroed when a layout is
 * written, absent from its values, with the size and alignment of `type`.
 *
 * @param type The C type that the space is declared with.
 * @returns The field type.
 *
 * @example
 * ```ts
 * import { cUlong, i32, reserved, struct } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const s = struct([["a", i32], ["__reserved", reserved(cUlong)]]);
 * assert.equal(s.size, 16);
 * assert.deepEqual(s.decode(s.encode({ a: 1 })), { a: 1 });
 * ```
 */
export function reserved(type: Type<unknown> | AbiType<unknown>): ReservedType {
  return Object.freeze({ name: `reserved ${type.name}`, reserved: true, type });
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
  const maxBytes = options.maxBytes === undefined
    ? Infinity
    : checkSafeInteger(options.maxBytes, "options.maxBytes", 0);
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
  const maxBytes = options.maxBytes === undefined
    ? Infinity
    : checkSafeInteger(options.maxBytes, "options.maxBytes", 0);
  return Object.freeze({
    name: "uint8_t[]",
    flexible: true,
    sizeOf(value: unknown, what: string): number {
      if (!(value instanceof Uint8Array)) {
        throw new TypeError(`${what} must be a Uint8Array: got ${describeValue(value)}`);
      }
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
