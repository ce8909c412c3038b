/**
 * Field types made of another type: fixed-length arrays of any type
 * ({@linkcode array}, like `int scores[4]`), and reserved space
 * ({@linkcode reserved}, like `__glibc_reserved`), which has the size and
 * alignment of the type it is declared with.
 *
 * @module
 */

import { describeValue } from "./integers.ts";
import {
  type AbiType,
  type ArrayType,
  type FieldType,
  isAbiType,
  type ReservedType,
  type Type,
} from "./types.ts";
import { abiDependent, checkLength } from "./_type_helpers.ts";

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
