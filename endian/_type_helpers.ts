/**
 * Helpers shared by the field type files: ABI-dependent types, and the
 * check of an array's length.
 *
 * @module
 */

import type { Abi } from "./abi.ts";
import { checkSafeInteger } from "./integers.ts";
import type { AbiType, Type } from "./types.ts";

/** An ABI-dependent type named `name`, which `pick` resolves for an ABI. */
export function abiDependent<V>(name: string, pick: (abi: Abi) => Type<V>): AbiType<V> {
  return Object.freeze({ name, resolve: pick });
}

/** Checks the length of an array type: an integer in [1, 2^31 - 1]. */
export function checkLength(length: number, what: string): number {
  return checkSafeInteger(length, what, 1, 2 ** 31 - 1);
}
