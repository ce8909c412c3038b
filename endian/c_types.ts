/**
 * Field types for the C types whose width is the ABI's: `long`,
 * `unsigned long`, `size_t`, `ssize_t`, `time_t` (as numbers) and pointers
 * (as bigints). Each is resolved to a fixed-size type when a layout is built
 * for an ABI.
 *
 * @module
 */

import type { Abi } from "./abi.ts";
import { checkSafeInteger, uint64 } from "./integers.ts";
import { i32, i64, u32, u64 } from "./number_types.ts";
import type { AbiType, Type } from "./types.ts";
import { abiDependent } from "./_type_helpers.ts";

/**
 * A 64-bit C integer handled as a JS number: values must be safe integers
 * when written, and a value read that a number cannot hold exactly is a
 * RangeError (never a rounded number).
 */
function safeInteger64(name: string, signed: boolean): Type<number> {
  const min = signed ? Number.MIN_SAFE_INTEGER : 0;
  const big = signed ? i64 : u64;
  return Object.freeze({
    name,
    size: 8,
    align: 8,
    read(view: DataView, offset: number, le: boolean): number {
      const value = big.read(view, offset, le);
      const n = Number(value);
      if (!Number.isSafeInteger(n)) {
        throw new RangeError(
          `Cannot read ${name} ${value} as a number: it is past 2^53; read it as an int64 or uint64 field`,
        );
      }
      return n;
    },
    write(view: DataView, offset: number, value: unknown, le: boolean, what: string): void {
      big.write(view, offset, BigInt(checkSafeInteger(value, what, min)), le, what);
    },
  });
}

/** A C integer type, as a number, whose width (4 or 8 bytes) `widthOf` gives for an ABI. */
function abiInteger(
  name: string,
  signed: boolean,
  widthOf: (abi: Abi) => 4 | 8,
): AbiType<number> {
  return abiDependent(name, (abi) => {
    if (widthOf(abi) === 8) return safeInteger64(name, signed);
    return { ...(signed ? i32 : u32), name };
  });
}

/** C `long`, as a number (8 bytes on LP64 ABIs). */
export const cLong: AbiType<number> = abiInteger("long", true, (abi) => abi.long);
/** C `unsigned long`, as a number. */
export const cUlong: AbiType<number> = abiInteger("unsigned long", false, (abi) => abi.long);
/** C `size_t`, as a number. */
export const cSizeT: AbiType<number> = abiInteger("size_t", false, (abi) => abi.pointer);
/** C `ssize_t`, as a number. */
export const cSsizeT: AbiType<number> = abiInteger("ssize_t", true, (abi) => abi.pointer);
/** C `time_t`, as a number of seconds. */
export const cTimeT: AbiType<number> = abiInteger("time_t", true, (abi) => abi.timeT);
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
