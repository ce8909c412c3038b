/**
 * Struct layouts: an ordered list of typed fields, laid out either natively
 * (C alignment and padding, host byte order: for structs passed to libc) or
 * packed (no padding, an explicit byte order: for wire formats).
 *
 * A layout knows the size, alignment and offset of every field; it encodes a
 * plain object into bytes, decodes bytes into a plain object, and gives a
 * typed view for reading and writing fields in place.
 *
 * @module
 */

import { type Abi, requireHostAbi } from "./abi.ts";
import type { ByteOrder } from "./byte_order.ts";
import { describeValue } from "./integers.ts";
import type { FieldType, ReservedType, Type, ValueOfType } from "./types.ts";
import { makeViewClass } from "./_layout_view.ts";
import { type FlexibleField, type PlacedField, placeFields } from "./_placement.ts";

/** A field declaration: its name and its type, in C order. */
export type FieldSpec = readonly [name: string, type: FieldType];

/** The plain-object value of a layout declared with `fields` (reserved fields left out). */
export type ValueOf<F extends readonly FieldSpec[]> = {
  -readonly [E in F[number] as E[1] extends ReservedType ? never : E[0]]: ValueOfType<E[1]>;
};

/** Where a field sits in a layout. */
export interface FieldInfo {
  /** The field's name. */
  readonly name: string;
  /** Byte offset from the start of the struct (`offsetof`). */
  readonly offset: number;
  /** Size in bytes (`sizeof`); 0 for a flexible array member. */
  readonly size: number;
  /** Alignment in bytes (1 in packed layouts). */
  readonly align: number;
  /** The C type, as spelled in messages (`"uint32"`, `"char[32]"`). */
  readonly type: string;
  /** True for reserved space, which values do not show. */
  readonly reserved: boolean;
  /** True for a flexible array member (the last field, of variable length). */
  readonly flexible: boolean;
}

/** Options of {@linkcode struct}. */
export interface StructOptions {
  /** A name for messages and for `Layout.name`, such as `"struct msg_st"`. */
  readonly name?: string;
  /** The ABI to lay the struct out for. Default: the host's. */
  readonly abi?: Abi;
}

/** Options of {@linkcode packed}. */
export interface PackedOptions {
  /** A name for messages and for `Layout.name`. */
  readonly name?: string;
  /** The byte order of every field. Default: `"big"`, network byte order. */
  readonly byteOrder?: ByteOrder;
  /** The ABI that sizes C types such as `long` (rarely wanted on a wire). Default: the host's. */
  readonly abi?: Abi;
}

/** A typed, in-place view of a struct in memory: reading a property reads memory, assigning writes it. */
export type StructView<V> = { -readonly [K in keyof V]: ViewOf<V[K]> };

/** What a view shows for a field of value type `T`. */
export type ViewOf<T> = T extends Uint8Array ? Uint8Array
  : T extends readonly (infer E)[] ? ArrayView<E>
  : T extends Record<string, unknown> ? StructView<T>
  : T;

/** An in-place view of an array field. */
export interface ArrayView<E> extends Iterable<ViewOf<E>> {
  /** The number of elements. */
  readonly length: number;
  /** Reads element `index` (a nested view for structs and arrays). */
  get(index: number): ViewOf<E>;
  /** Writes element `index`, checked before anything is written. */
  set(index: number, value: E): void;
  /** Reads every element into a plain array. */
  toArray(): E[];
}

/**
 * The layout of a struct: fields, offsets, size, and conversions between
 * plain objects and bytes. Made by {@linkcode struct} or {@linkcode packed}.
 *
 * A layout is itself a field type, so layouts nest.
 */
export class Layout<V> implements Type<V> {
  /** The struct's name, for messages. */
  readonly name: string;
  /** `sizeof` the struct: the fixed part, with its trailing padding. */
  readonly size: number;
  /** `_Alignof` the struct (1 when packed). */
  readonly align: number;
  /** The byte order of every field. */
  readonly byteOrder: ByteOrder;
  /** True for a packed layout (no padding). */
  readonly packed: boolean;
  /** The ABI that sized the C types in it. */
  readonly abi: Abi;
  /** Every field, in order, with its offset and size. */
  readonly fields: readonly FieldInfo[];

  readonly #littleEndian: boolean;
  readonly #fixed: readonly PlacedField[];
  readonly #flexible: FlexibleField | undefined;
  #viewClass: (new (bytes: Uint8Array, offset: number) => object) | undefined;

  /** Use {@linkcode struct} or {@linkcode packed}. */
  constructor(fields: readonly FieldSpec[], mode: {
    name: string;
    packed: boolean;
    byteOrder: ByteOrder;
    abi: Abi;
  }) {
    const placement = placeFields(fields, mode);
    this.name = mode.name;
    this.packed = mode.packed;
    this.byteOrder = mode.byteOrder;
    this.abi = mode.abi;
    this.#littleEndian = mode.byteOrder === "little";
    this.align = placement.align;
    this.size = placement.size;
    this.fields = placement.infos;
    this.#fixed = placement.fixed;
    this.#flexible = placement.flexible;
  }

  /**
   * Returns a field's offset (`offsetof`).
   *
   * @param field The field's name.
   * @returns Its byte offset.
   * @throws {TypeError} If the layout has no such field.
   */
  offsetOf(field: keyof V & string): number {
    const info = this.fields.find((f) => f.name === field);
    if (!info) throw new TypeError(`${this.name} has no field "${String(field)}"`);
    return info.offset;
  }

  /**
   * Returns how many bytes `value` takes when encoded: `size`, plus the
   * flexible array member if there is one.
   *
   * @param value The value to measure.
   * @returns Its encoded size in bytes.
   */
  sizeOf(value: V): number {
    if (!this.#flexible) return this.size;
    const tail = fieldValue(value, this.#flexible.name, this.name);
    return this.size + this.#flexible.type.sizeOf(tail, `${this.name}.${this.#flexible.name}`);
  }

  /**
   * Encodes a plain object into new bytes.
   *
   * @param value An object with every (non-reserved) field.
   * @returns `sizeOf(value)` bytes, padding and reserved fields zeroed.
   * @throws {TypeError} If the value or a field has the wrong type or is missing.
   * @throws {RangeError} If a field's value does not fit its type.
   */
  encode(value: V): Uint8Array {
    const out = new Uint8Array(this.sizeOf(value));
    this.#writeAll(new DataView(out.buffer), 0, value, this.name);
    if (this.#flexible) {
      this.#flexible.type.write(
        out.subarray(this.size),
        (value as Record<string, unknown>)[this.#flexible.name],
      );
    }
    return out;
  }

  /**
   * Encodes a plain object into `target` at `offset`. Nothing is written
   * unless the whole value is valid and fits.
   *
   * @param value An object with every (non-reserved) field.
   * @param target The bytes to write into.
   * @param offset Where the struct starts in `target`.
   * @returns The number of bytes written.
   * @throws {TypeError} If the value or a field has the wrong type or is missing.
   * @throws {RangeError} If a field does not fit, or the struct does not fit in `target`.
   */
  encodeInto(value: V, target: Uint8Array, offset = 0): number {
    checkTarget(target, offset, this.sizeOf(value), this.name);
    const bytes = this.encode(value);
    target.set(bytes, offset);
    return bytes.length;
  }

  /**
   * Decodes bytes into a plain object. With a flexible array member, every
   * byte after the fixed part belongs to it.
   *
   * @param bytes The bytes.
   * @param offset Where the struct starts in `bytes`.
   * @returns A new plain object.
   * @throws {RangeError} If `bytes` holds fewer than `size` bytes from `offset`.
   */
  decode(bytes: Uint8Array, offset = 0): V {
    checkTarget(bytes, offset, this.size, this.name);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = this.read(view, offset);
    if (this.#flexible) {
      (out as Record<string, unknown>)[this.#flexible.name] = this.#flexible.type.read(
        bytes.subarray(offset + this.size),
      );
    }
    return out;
  }

  /**
   * Returns a view that reads and writes the struct's fields in place.
   * Assigning a field checks the value before writing anything.
   *
   * @param bytes The memory the struct lives in.
   * @param offset Where the struct starts in `bytes`.
   * @returns The view; nested structs and arrays give nested views.
   * @throws {RangeError} If `bytes` holds fewer than `size` bytes from `offset`.
   */
  view(bytes: Uint8Array, offset = 0): StructView<V> {
    checkTarget(bytes, offset, this.size, this.name);
    this.#viewClass ??= makeViewClass(this, this.#fixed, this.#flexible, this.#littleEndian);
    return new this.#viewClass(bytes, offset) as StructView<V>;
  }

  /**
   * Reads the fixed part from a DataView: the field-type interface, for
   * nesting. Most code wants {@linkcode Layout.decode}.
   *
   * @param view The memory.
   * @param offset Where the struct starts.
   * @returns The value.
   */
  read(view: DataView, offset: number): V {
    const out: Record<string, unknown> = {};
    const le = this.#littleEndian;
    for (const field of this.#fixed) {
      if (!field.reserved) out[field.name] = field.type.read(view, offset + field.offset, le);
    }
    return out as V;
  }

  /**
   * Writes the fixed part into a DataView: the field-type interface, for
   * nesting. Most code wants {@linkcode Layout.encode}.
   *
   * @param view The memory.
   * @param offset Where the struct starts.
   * @param value The value.
   * @param _littleEndian Ignored: a layout keeps its own byte order.
   * @param what The path of this struct, for error messages.
   */
  write(
    view: DataView,
    offset: number,
    value: unknown,
    _littleEndian: boolean,
    what: string,
  ): void {
    if (this.#flexible) {
      throw new TypeError(
        `${this.name} has a flexible array member and cannot be nested in ${what}`,
      );
    }
    this.#writeAll(view, offset, value, what);
  }

  #writeAll(view: DataView, offset: number, value: unknown, what: string): void {
    if (value === null || typeof value !== "object") {
      throw new TypeError(
        `${what} must be an object with the fields of ${this.name}: got ${describeValue(value)}`,
      );
    }
    const le = this.#littleEndian;
    // Zero everything first: padding and reserved fields must not carry stale bytes.
    new Uint8Array(view.buffer, view.byteOffset + offset, this.size).fill(0);
    for (const field of this.#fixed) {
      if (field.reserved) continue;
      const fieldWhat = `${what}.${field.name}`;
      field.type.write(
        view,
        offset + field.offset,
        fieldValue(value, field.name, what),
        le,
        fieldWhat,
      );
    }
  }
}

function fieldValue(value: unknown, name: string, what: string): unknown {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${what} must be an object: got ${describeValue(value)}`);
  }
  if (!(name in value)) throw new TypeError(`${what} has no field "${name}"`);
  return (value as Record<string, unknown>)[name];
}

function checkTarget(bytes: Uint8Array, offset: number, size: number, name: string): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`The bytes for ${name} must be a Uint8Array: got ${describeValue(bytes)}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || Object.is(offset, -0)) {
    const message = `The offset of ${name} must be a non-negative integer: got ${
      describeValue(offset)
    }`;
    throw typeof offset === "number" ? new RangeError(message) : new TypeError(message);
  }
  if (offset + size > bytes.length) {
    throw new RangeError(
      `${name} needs ${size} bytes at offset ${offset}, but the buffer holds ${bytes.length}`,
    );
  }
}

/**
 * Declares a struct laid out as C lays it out: each field aligned to its
 * type, padding between fields and at the end, the host's byte order (or
 * the given ABI's). For structs passed to libc and shared with C programs
 * on the same host.
 *
 * @param fields `[name, type]` pairs, in C order.
 * @param options A name for messages, and the ABI (default: the host's).
 * @returns The layout.
 * @throws {TypeError} If a field is malformed, repeated, or a flexible member is not last.
 *
 * @example
 * ```ts
 * import { chars, cLong, i32, struct } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * // struct msg_st { long mtype; char name[32]; int math; int chinese; };
 * const MsgSt = struct([
 *   ["mtype", cLong],
 *   ["name", chars(32)],
 *   ["math", i32],
 *   ["chinese", i32],
 * ], { name: "struct msg_st" });
 * assert.equal(MsgSt.size, 48);
 * assert.equal(MsgSt.offsetOf("math"), 40);
 * const bytes = MsgSt.encode({ mtype: 1, name: "Alan", math: 90, chinese: 85 });
 * assert.deepEqual(MsgSt.decode(bytes), { mtype: 1, name: "Alan", math: 90, chinese: 85 });
 * ```
 */
export function struct<const F extends readonly FieldSpec[]>(
  fields: F,
  options: StructOptions = {},
): Layout<ValueOf<F>> {
  const abi = options.abi ?? requireHostAbi();
  return new Layout<ValueOf<F>>(fields, {
    name: options.name ?? "struct",
    packed: false,
    byteOrder: abi.byteOrder,
    abi,
  });
}

/**
 * Declares a packed layout: fields one after another with no padding, in an
 * explicit byte order (big-endian, network order, by default). For wire
 * formats shared with other hosts.
 *
 * @param fields `[name, type]` pairs, in order.
 * @param options A name, the byte order (default `"big"`), and the ABI for C types.
 * @returns The layout.
 * @throws {TypeError} If a field is malformed, repeated, or a flexible member is not last.
 *
 * @example
 * ```ts
 * import { flexibleChars, packed, u32 } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * // struct msg_st { uint32_t math; uint32_t chinese; uint8_t name[]; } __attribute__((packed));
 * const Record = packed([["math", u32], ["chinese", u32], ["name", flexibleChars()]]);
 * const wire = Record.encode({ math: 90, chinese: 85, name: "Al" });
 * assert.deepEqual(wire, new Uint8Array([0, 0, 0, 90, 0, 0, 0, 85, 65, 108, 0]));
 * ```
 */
export function packed<const F extends readonly FieldSpec[]>(
  fields: F,
  options: PackedOptions = {},
): Layout<ValueOf<F>> {
  const byteOrder = options.byteOrder ?? "big";
  if (byteOrder !== "big" && byteOrder !== "little") {
    throw new TypeError(`Byte order must be "big" or "little": got ${describeValue(byteOrder)}`);
  }
  return new Layout<ValueOf<F>>(fields, {
    name: options.name ?? "packed struct",
    packed: true,
    byteOrder,
    abi: options.abi ?? requireHostAbi(),
  });
}
