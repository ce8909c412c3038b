/**
 * The FFI under Node: koffi. The npm build puts this file in `_ffi.ts`'s
 * place (Deno never loads it); it exports the same functions.
 *
 * koffi 3 represents a pointer as a bigint (its address) or null, which is
 * what {@linkcode Pointer} is here. Its sync calls leave errno as the call
 * set it, so `errnoCell()` reads the thread's errno as under Deno; its async
 * calls run on libuv's thread pool, where errno is lost, as on Deno's pool.
 *
 * @module
 */

import koffi from "koffi";
import process from "node:process";
import type { Declaration, NativeType, Pointer } from "./_native_types.ts";

const koffiTypes: Readonly<Record<NativeType, string>> = {
  i16: "int16_t",
  i32: "int32_t",
  u32: "uint32_t",
  i64: "int64_t",
  u64: "uint64_t",
  isize: "intptr_t",
  usize: "uintptr_t",
  pointer: "void *",
  buffer: "void *",
};

/** Results koffi gives as a number when it fits, which the table promises as bigints. */
const wideResults: ReadonlySet<NativeType> = new Set(["i64", "u64", "isize", "usize"]);

type KoffiFunction = ((...args: unknown[]) => unknown) & {
  async: (...args: unknown[]) => void;
};

/**
 * Opens a library and binds the declared functions, by the table's keys.
 * An `optional` function the library lacks is null.
 *
 * @throws {Error} If the library cannot be opened, saying which.
 */
export function bindLibrary(
  path: string,
  symbols: Readonly<Record<string, Declaration>>,
): Record<string, unknown> {
  let library: ReturnType<typeof koffi.load>;
  try {
    library = koffi.load(path);
  } catch (error) {
    throw new Error(`Cannot open libc (${path}): ${(error as Error).message}`, { cause: error });
  }
  const bound: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(symbols)) {
    let native: KoffiFunction;
    try {
      native = library.func(
        declaration.name ?? key,
        koffiTypes[declaration.result],
        declaration.parameters.map((type) => koffiTypes[type]),
      ) as KoffiFunction;
    } catch (error) {
      if (declaration.optional) {
        bound[key] = null;
        continue;
      }
      throw new Error(`Cannot bind ${declaration.name ?? key} in libc (${path})`, {
        cause: error,
      });
    }
    const wide = wideResults.has(declaration.result);
    bound[key] = declaration.nonblocking
      ? asyncCall(native, wide)
      : wide
      ? bigintCall(native, declaration.parameters.length)
      : native;
  }
  return bound;
}

/** The call with its result as a bigint; by arity, so that no call spreads an array. */
function bigintCall(native: KoffiFunction, arity: number): unknown {
  const big = (value: unknown) => BigInt(value as number | bigint);
  switch (arity) {
    case 0:
      return () => big(native());
    case 1:
      return (a: unknown) => big(native(a));
    case 2:
      return (a: unknown, b: unknown) => big(native(a, b));
    case 3:
      return (a: unknown, b: unknown, c: unknown) => big(native(a, b, c));
    case 4:
      return (a: unknown, b: unknown, c: unknown, d: unknown) => big(native(a, b, c, d));
    default:
      return (...args: unknown[]) => big(native(...args));
  }
}

/** The call on libuv's thread pool, as a promise. */
function asyncCall(native: KoffiFunction, wide: boolean): unknown {
  return (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      native.async(...args, (error: unknown, result: unknown) => {
        if (error) reject(error);
        else resolve(wide ? BigInt(result as number | bigint) : result);
      });
    });
}

/** The address of a buffer's first byte. */
export function pointerOf(buffer: Uint8Array): Pointer {
  return koffi.address(buffer) as unknown as Pointer;
}

/** A pointer's address as a bigint (0n for NULL). */
export function addressOf(pointer: Pointer): bigint {
  return pointer === null ? 0n : pointer as unknown as bigint;
}

/** The pointer at an address (NULL for 0n). */
export function pointerAt(address: bigint): Pointer {
  return address === 0n ? null : address as unknown as Pointer;
}

/**
 * Native memory as an ArrayBuffer, without copying. The buffer is valid only
 * while the memory is: see {@linkcode detachView}.
 */
export function nativeMemory(pointer: Pointer, length: number): ArrayBuffer {
  if (pointer === null) throw new TypeError("Cannot view memory at NULL");
  return koffi.view(pointer, length);
}

/**
 * Would make a buffer from {@linkcode nativeMemory} unusable; Node cannot
 * detach koffi's external buffers (a transfer copies them), so the caller
 * must keep the memory mapped while the buffer lives.
 *
 * @returns False: not detached.
 */
export function detachView(_buffer: ArrayBuffer): boolean {
  return false;
}

/** Copies `target.length` bytes from native memory at `pointer + offset`. */
export function copyFromNative(pointer: Pointer, target: Uint8Array, offset = 0): void {
  if (pointer === null) throw new TypeError("Cannot read memory at NULL");
  if (target.length === 0) return;
  target.set(new Uint8Array(koffi.view(addressOf(pointer) + BigInt(offset), target.length)));
}

/** Reads a NUL-terminated string from native memory. */
export function readCString(pointer: Pointer, offset = 0): string {
  if (pointer === null) throw new TypeError("Cannot read a string at NULL");
  return koffi.decode(pointer, offset, "char", -1) as string;
}

/** Reads the pointer stored in native memory at `pointer + offset`. */
export function readPointer(pointer: Pointer, offset = 0): Pointer {
  if (pointer === null) throw new TypeError("Cannot read memory at NULL");
  return (koffi.decode(pointer, offset, "void *") ?? null) as Pointer;
}

/**
 * How many calls libuv's thread pool runs at once (`UV_THREADPOOL_SIZE`,
 * default 4): koffi's async calls share it with Node's file system, DNS and
 * crypto work, so the budget of calls parked on it stays below this.
 */
export const blockingPoolSize: number = Math.max(
  1,
  Math.min(1024, Number(process.env.UV_THREADPOOL_SIZE) || 4),
);
