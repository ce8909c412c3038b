/**
 * The in-place views of a layout: a class per layout with one accessor per
 * field, nested views for structs and arrays, and writes that change
 * nothing unless the whole value is valid.
 *
 * @module
 */

import { describeValue } from "./integers.ts";
// layout.ts imports this file too: Layout is used only inside functions (a
// field that is itself a layout gets a nested view), so the cycle is safe.
import { type ArrayView, Layout, type ViewOf } from "./layout.ts";
import { isArrayType, isBytesType, type Type } from "./types.ts";
import type { FlexibleField, PlacedField } from "./_placement.ts";

/** Builds the class of a layout's views: one accessor per field on its prototype. */
export function makeViewClass(
  layout: Layout<unknown>,
  fixed: readonly PlacedField[],
  flexible: FlexibleField | undefined,
  le: boolean,
): new (bytes: Uint8Array, offset: number) => object {
  class View {
    readonly #bytes: Uint8Array;
    readonly #dataView: DataView;
    readonly #offset: number;
    constructor(bytes: Uint8Array, offset: number) {
      this.#bytes = bytes;
      this.#dataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.#offset = offset;
    }
    static bytes(v: View): Uint8Array {
      return v.#bytes;
    }
    static dataView(v: View): DataView {
      return v.#dataView;
    }
    static offset(v: View): number {
      return v.#offset;
    }
    toJSON(): unknown {
      return layout.decode(this.#bytes, this.#offset);
    }
  }
  for (const field of fixed) {
    if (field.reserved) continue;
    const { type, name } = field;
    const what = `${layout.name}.${name}`;
    Object.defineProperty(View.prototype, name, {
      enumerable: true,
      get(this: View) {
        return fieldView(
          type,
          View.bytes(this),
          View.dataView(this),
          View.offset(this) + field.offset,
          le,
        );
      },
      set(this: View, value: unknown) {
        writeChecked(
          type,
          View.dataView(this),
          View.offset(this) + field.offset,
          value,
          le,
          what,
        );
      },
    });
  }
  if (flexible) {
    Object.defineProperty(View.prototype, flexible.name, {
      enumerable: true,
      get(this: View) {
        return flexible.type.read(View.bytes(this).subarray(View.offset(this) + layout.size));
      },
      set() {
        throw new TypeError(
          `Cannot assign the flexible array member ${layout.name}.${flexible.name} through a view: encode the record`,
        );
      },
    });
  }
  return View;
}

let scratch = new DataView(new ArrayBuffer(64));

/**
 * Writes `value` with `type` so that nothing changes unless all of it is
 * valid: into scratch memory first (arrays, structs and types made by users
 * may write part of a value before they find a bad element), then copied.
 * Field types never call back into views, so one scratch buffer serves all.
 */
function writeChecked(
  type: Type<unknown>,
  view: DataView,
  offset: number,
  value: unknown,
  le: boolean,
  what: string,
): void {
  if (scratch.byteLength < type.size) {
    scratch = new DataView(new ArrayBuffer(Math.max(type.size, scratch.byteLength * 2)));
  }
  const target = new Uint8Array(view.buffer, view.byteOffset + offset, type.size);
  const staged = new Uint8Array(scratch.buffer, 0, type.size);
  staged.set(target); // a type that leaves some bytes alone leaves them as they were
  type.write(scratch, 0, value, le, what);
  target.set(staged);
}

/** What a view property shows: nested views for structs and arrays, live bytes for byte arrays. */
function fieldView(
  type: Type<unknown>,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  le: boolean,
): unknown {
  if (type instanceof Layout) return type.view(bytes, offset);
  if (isArrayType(type)) {
    return new FieldArrayView(type.element, type.length, bytes, view, offset, le);
  }
  if (isBytesType(type)) return bytes.subarray(offset, offset + type.size);
  return type.read(view, offset, le);
}

class FieldArrayView<E> implements ArrayView<E> {
  readonly length: number;
  readonly #element: Type<E>;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #offset: number;
  readonly #le: boolean;
  constructor(
    element: Type<E>,
    length: number,
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    le: boolean,
  ) {
    this.length = length;
    this.#element = element;
    this.#bytes = bytes;
    this.#view = view;
    this.#offset = offset;
    this.#le = le;
  }
  #at(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(
        `Index must be an integer in [0, ${this.length - 1}]: got ${describeValue(index)}`,
      );
    }
    return this.#offset + index * this.#element.size;
  }
  get(index: number): ViewOf<E> {
    return fieldView(this.#element, this.#bytes, this.#view, this.#at(index), this.#le) as ViewOf<
      E
    >;
  }
  set(index: number, value: E): void {
    writeChecked(this.#element, this.#view, this.#at(index), value, this.#le, `[${index}]`);
  }
  toArray(): E[] {
    const out: E[] = [];
    for (let i = 0; i < this.length; i++) {
      out.push(this.#element.read(this.#view, this.#at(i), this.#le));
    }
    return out;
  }
  *[Symbol.iterator](): Iterator<ViewOf<E>> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}
