/**
 * Field types for numbers: the fixed-width integers of `integers.ts` (`i8`
 * ... `u64`), the floats (`f32`, `f64`), and {@linkcode withByteOrder} for a
 * field whose byte order is not its layout's.
 *
 * @module
 */

import type { ByteOrder } from "./byte_order.ts";
import {
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
import type { Type } from "./types.ts";

/** How a DataView reads each number type, by name. */
const reads = {
  int8: (v: DataView, o: number) => v.getInt8(o),
  uint8: (v: DataView, o: number) => v.getUint8(o),
  int16: (v: DataView, o: number, le: boolean) => v.getInt16(o, le),
  uint16: (v: DataView, o: number, le: boolean) => v.getUint16(o, le),
  int32: (v: DataView, o: number, le: boolean) => v.getInt32(o, le),
  uint32: (v: DataView, o: number, le: boolean) => v.getUint32(o, le),
  float: (v: DataView, o: number, le: boolean) => v.getFloat32(o, le),
  double: (v: DataView, o: number, le: boolean) => v.getFloat64(o, le),
} as const;

/** How a DataView writes each number type, by name. */
const writes = {
  int8: (v: DataView, o: number, x: number) => v.setInt8(o, x),
  uint8: (v: DataView, o: number, x: number) => v.setUint8(o, x),
  int16: (v: DataView, o: number, x: number, le: boolean) => v.setInt16(o, x, le),
  uint16: (v: DataView, o: number, x: number, le: boolean) => v.setUint16(o, x, le),
  int32: (v: DataView, o: number, x: number, le: boolean) => v.setInt32(o, x, le),
  uint32: (v: DataView, o: number, x: number, le: boolean) => v.setUint32(o, x, le),
  float: (v: DataView, o: number, x: number, le: boolean) => v.setFloat32(o, x, le),
  double: (v: DataView, o: number, x: number, le: boolean) => v.setFloat64(o, x, le),
} as const;

/** A field of a number type: `check` vets a value before it is written. */
function numberField(
  name: keyof typeof reads,
  size: 1 | 2 | 4 | 8,
  check: (value: unknown, what: string) => number,
): Type<number> {
  const set = writes[name];
  return Object.freeze({
    name,
    size,
    align: size,
    read: reads[name],
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      set(view, offset, check(value, what), le);
    },
  });
}

function integerField(type: IntegerType<number>): Type<number> {
  const name = type.name as keyof typeof reads;
  return numberField(name, type.bytes, (value, what) => type.check(value, what));
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
export const f32: Type<number> = numberField("float", 4, checkNumber);
/** `double` as a layout field. */
export const f64: Type<number> = numberField("double", 8, checkNumber);

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
