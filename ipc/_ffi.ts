/**
 * The FFI under Deno: `Deno.dlopen` and native pointers. The npm build puts
 * `_ffi.node.ts` (koffi, under Node) in this file's place; both export the
 * same functions, and nothing but `ipc/_libc.ts` imports either.
 *
 * @module
 */

import type { Declaration, Pointer } from "./_native_types.ts";

/**
 * Opens a library and binds the declared functions, by the table's keys.
 * An `optional` function the library lacks is null.
 *
 * @throws {Error} Without `--allow-ffi`, or if the library cannot be opened, saying which.
 */
export function bindLibrary(
  path: string,
  symbols: Readonly<Record<string, Declaration>>,
): Record<string, unknown> {
  try {
    return Deno.dlopen(path, symbols as Deno.ForeignLibraryInterface).symbols;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new Error(
        `Cannot open libc (${path}): unixipc needs --allow-ffi (which grants full access to the process)`,
        { cause: error },
      );
    }
    throw new Error(`Cannot open libc (${path}): ${(error as Error).message}`, { cause: error });
  }
}

/** Deno's own pointer object for one of ours (the same value, seen as Deno types it). */
function native(pointer: Pointer): Deno.PointerObject {
  return pointer as unknown as Deno.PointerObject;
}

/** The address of a buffer's first byte. Costs about a microsecond: keep it off hot paths. */
export function pointerOf(buffer: Uint8Array): Pointer {
  return Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>) as unknown as Pointer;
}

/** A pointer's address as a bigint (0n for NULL). */
export function addressOf(pointer: Pointer): bigint {
  return pointer === null ? 0n : Deno.UnsafePointer.value(native(pointer));
}

/** The pointer at an address (NULL for 0n). */
export function pointerAt(address: bigint): Pointer {
  return Deno.UnsafePointer.create(address) as unknown as Pointer;
}

/**
 * Native memory as an ArrayBuffer, without copying. The buffer is valid only
 * while the memory is: see {@linkcode detachView}.
 */
export function nativeMemory(pointer: Pointer, length: number): ArrayBuffer {
  if (pointer === null) throw new TypeError("Cannot view memory at NULL");
  return Deno.UnsafePointerView.getArrayBuffer(native(pointer), length);
}

/**
 * Makes a buffer from {@linkcode nativeMemory}, and every view over it,
 * unusable (length 0), so that it can outlive the memory.
 *
 * @returns True: Deno's buffers can always be detached.
 */
export function detachView(buffer: ArrayBuffer): boolean {
  structuredClone(buffer, { transfer: [buffer] });
  return true;
}

/** Copies `target.length` bytes from native memory at `pointer + offset`. */
export function copyFromNative(pointer: Pointer, target: Uint8Array, offset = 0): void {
  if (pointer === null) throw new TypeError("Cannot read memory at NULL");
  new Deno.UnsafePointerView(native(pointer)).copyInto(
    target as Uint8Array<ArrayBuffer>,
    offset,
  );
}

/** Reads a NUL-terminated string from native memory. */
export function readCString(pointer: Pointer, offset = 0): string {
  if (pointer === null) throw new TypeError("Cannot read a string at NULL");
  return Deno.UnsafePointerView.getCString(native(pointer), offset);
}

/** Reads the pointer stored in native memory at `pointer + offset`. */
export function readPointer(pointer: Pointer, offset = 0): Pointer {
  if (pointer === null) throw new TypeError("Cannot read memory at NULL");
  return new Deno.UnsafePointerView(native(pointer)).getPointer(offset) as unknown as Pointer;
}

/**
 * How many calls the runtime's blocking pool can run at once, for the
 * budget of calls parked on it. Deno's pool grows on demand (up to 512
 * threads), but 32 or more pending calls stall its file I/O.
 */
export const blockingPoolSize = 32;
