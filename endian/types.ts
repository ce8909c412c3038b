/**
 * What a field type is: the interfaces that every layout field implements
 * (fixed-size, ABI-dependent, flexible, reserved), and the guards that tell
 * them apart. The field types themselves are in `number_types.ts`,
 * `c_types.ts`, `byte_array_types.ts` and `array_types.ts`.
 *
 * @module
 */

import type { Abi } from "./abi.ts";

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
