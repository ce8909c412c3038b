/**
 * Where a layout's fields go: each field resolved for the ABI and placed at
 * its offset, aligned as C aligns it (or not at all when packed), and the
 * struct's size with its trailing padding.
 *
 * @module
 */

import type { Abi } from "./abi.ts";
import { describeValue } from "./integers.ts";
import type { FieldInfo, FieldSpec } from "./layout.ts";
import {
  type AbiType,
  type FieldType,
  type FlexibleType,
  isAbiType,
  isFlexibleType,
  isReservedType,
  type ReservedType,
  type Type,
} from "./types.ts";

/** A field of the fixed part: its type resolved for the ABI, its offset. */
export interface PlacedField {
  readonly name: string;
  readonly offset: number;
  readonly type: Type<unknown>;
  readonly reserved: boolean;
}

/** A flexible array member: the last field, over the bytes after the fixed part. */
export interface FlexibleField {
  readonly name: string;
  readonly type: FlexibleType<unknown>;
}

/** The fields of a layout, placed. */
export interface Placement {
  /** The fields of the fixed part, in order. */
  readonly fixed: readonly PlacedField[];
  /** The flexible array member, if there is one. */
  readonly flexible: FlexibleField | undefined;
  /** Every field as `Layout.fields` shows it, frozen. */
  readonly infos: readonly FieldInfo[];
  /** `sizeof` the fixed part, with its trailing padding. */
  readonly size: number;
  /** `_Alignof` the struct (1 when packed). */
  readonly align: number;
}

/**
 * Checks a layout's field declarations and places them.
 *
 * @throws {TypeError} If `fields` is empty, a field is malformed or
 * repeated, or a field follows the flexible array member.
 */
export function placeFields(
  fields: readonly FieldSpec[],
  mode: { readonly name: string; readonly packed: boolean; readonly abi: Abi },
): Placement {
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new TypeError(
      `The fields of ${mode.name} must be a non-empty array of [name, type] pairs`,
    );
  }
  const fixed: PlacedField[] = [];
  const infos: FieldInfo[] = [];
  const seen = new Set<string>();
  let offset = 0;
  let align = 1;
  let flexible: FlexibleField | undefined;
  for (const [index, spec] of fields.entries()) {
    if (
      !Array.isArray(spec) || typeof spec[0] !== "string" || spec[1] === null ||
      typeof spec[1] !== "object"
    ) {
      throw new TypeError(
        `Field ${index} of ${mode.name} must be a [name, type] pair: got ${describeValue(spec)}`,
      );
    }
    const [name, declared] = spec;
    if (seen.has(name)) throw new TypeError(`${mode.name} declares field "${name}" twice`);
    seen.add(name);
    if (flexible) {
      throw new TypeError(
        `The flexible array member "${flexible.name}" must be the last field of ${mode.name}, but "${name}" follows it`,
      );
    }
    if (isFlexibleType(declared)) {
      flexible = { name, type: declared };
      infos.push({
        name,
        offset,
        size: 0,
        align: 1,
        type: declared.name,
        reserved: false,
        flexible: true,
      });
      continue;
    }
    const reserved = isReservedType(declared);
    const type = resolveType(reserved ? (declared as ReservedType).type : declared, mode.abi);
    const fieldAlign = mode.packed ? 1 : type.align;
    offset = alignUp(offset, fieldAlign);
    fixed.push({ name, offset, type, reserved });
    infos.push({
      name,
      offset,
      size: type.size,
      align: fieldAlign,
      type: type.name,
      reserved,
      flexible: false,
    });
    offset += type.size;
    align = Math.max(align, fieldAlign);
  }
  return {
    fixed,
    flexible,
    infos: Object.freeze(infos.map((f) => Object.freeze(f))),
    size: alignUp(offset, align),
    align,
  };
}

function alignUp(offset: number, align: number): number {
  return Math.ceil(offset / align) * align;
}

function resolveType(type: Type<unknown> | AbiType<unknown>, abi: Abi): Type<unknown> {
  return isAbiType(type as FieldType)
    ? (type as AbiType<unknown>).resolve(abi)
    : (type as Type<unknown>);
}
