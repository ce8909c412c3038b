/**
 * What the libc table declares, in the FFI's own terms, and the pointer type:
 * shared by `_libc.ts` and each runtime's `_ffi` module.
 *
 * @module
 */

/** A C type as the table names it (Deno's FFI names, which `_ffi.node.ts` maps to koffi's). */
export type NativeType =
  | "i16"
  | "i32"
  | "u32"
  | "i64"
  | "u64"
  | "isize"
  | "usize"
  | "pointer"
  | "buffer";

/** One libc function of the table. */
export interface Declaration {
  /** The symbol, when the key is a twin (`read_i32` for `read`). */
  readonly name?: string;
  readonly parameters: readonly NativeType[];
  readonly result: NativeType;
  /** Runs on a thread of the runtime's blocking pool; returns a promise. */
  readonly nonblocking?: boolean;
  /** Null when this libc lacks it, instead of an error. */
  readonly optional?: boolean;
}

declare const pointerBrand: unique symbol;

/** A native pointer: opaque (an object under Deno, a bigint under Node); null is C's NULL. */
export type Pointer = { readonly [pointerBrand]: "Pointer" } | null;

type Wide = "i64" | "u64" | "isize" | "usize";

/** What JavaScript passes for a parameter of type `T`. */
type ArgumentOf<T extends NativeType> = T extends Wide ? number | bigint
  : T extends "pointer" ? Pointer
  : T extends "buffer" ? ArrayBufferView | null
  : number;

/** What JavaScript gets back for a result of type `T`: 64-bit integers always as bigints. */
type ResultOf<T extends NativeType> = T extends Wide ? bigint : T extends "pointer" ? Pointer
: number;

type ArgumentsOf<P extends readonly NativeType[]> = { -readonly [K in keyof P]: ArgumentOf<P[K]> };

/** The JavaScript function of a declaration. */
export type ForeignFunction<D extends Declaration> = (
  ...args: ArgumentsOf<D["parameters"]>
) => D extends { readonly nonblocking: true } ? Promise<ResultOf<D["result"]>>
  : ResultOf<D["result"]>;

/** The functions of a table, optional ones nullable. */
export type ForeignFunctions<S extends Readonly<Record<string, Declaration>>> = {
  readonly [K in keyof S]: S[K] extends { readonly optional: true } ? ForeignFunction<S[K]> | null
    : ForeignFunction<S[K]>;
};
