/**
 * Application binary interfaces: what C types measure on each platform
 * unixipc supports, so that layouts of libc structs can be built for the host
 * or for another machine.
 *
 * @module
 */

import { type ByteOrder, hostByteOrder } from "./byte_order.ts";

/** An ABI: a platform's C data model. */
export interface Abi {
  /** `"linux-x86_64"` or `"linux-aarch64"`. */
  readonly name: AbiName;
  /** Operating system. */
  readonly os: "linux";
  /** CPU architecture. */
  readonly arch: "x86_64" | "aarch64";
  /** Byte order of native layouts. */
  readonly byteOrder: ByteOrder;
  /** `sizeof(long)`, also its alignment. */
  readonly long: 4 | 8;
  /** `sizeof(void *)`, `sizeof(size_t)`, also their alignment. */
  readonly pointer: 4 | 8;
  /** `sizeof(time_t)`, also its alignment. */
  readonly timeT: 4 | 8;
  /** Alignment of `int64_t` and `double` (4 on i386, 8 here). */
  readonly int64Align: 4 | 8;
}

/** Names of the ABIs unixipc knows. */
export type AbiName = "linux-x86_64" | "linux-aarch64";

/** Linux on x86_64 (LP64, little-endian). */
export const linuxX86_64: Abi = Object.freeze({
  name: "linux-x86_64",
  os: "linux",
  arch: "x86_64",
  byteOrder: "little",
  long: 8,
  pointer: 8,
  timeT: 8,
  int64Align: 8,
});

/** Linux on aarch64 (LP64, little-endian). */
export const linuxAarch64: Abi = Object.freeze({
  name: "linux-aarch64",
  os: "linux",
  arch: "aarch64",
  byteOrder: "little",
  long: 8,
  pointer: 8,
  timeT: 8,
  int64Align: 8,
});

/** Every ABI unixipc knows, by name. */
export const abis: Readonly<Record<AbiName, Abi>> = Object.freeze({
  "linux-x86_64": linuxX86_64,
  "linux-aarch64": linuxAarch64,
});

interface RuntimeGlobals {
  Deno?: { build: { os: string; arch: string } };
  process?: { platform: string; arch: string };
}

/** Finds the host's os and arch without any permission, under Deno or Node. */
function hostPlatform(): { os: string; arch: string } {
  const g = globalThis as unknown as RuntimeGlobals;
  if (g.Deno) return { os: g.Deno.build.os, arch: g.Deno.build.arch };
  if (g.process) {
    const arch = g.process.arch === "x64"
      ? "x86_64"
      : g.process.arch === "arm64"
      ? "aarch64"
      : g.process.arch;
    return { os: g.process.platform, arch };
  }
  return { os: "unknown", arch: "unknown" };
}

/**
 * The host's ABI, or `undefined` on a platform unixipc does not support
 * (layouts of libc structs then need an explicit ABI).
 */
export const hostAbi: Abi | undefined = (() => {
  const { os, arch } = hostPlatform();
  const abi = abis[`${os}-${arch}` as AbiName] as Abi | undefined;
  return abi && abi.byteOrder === hostByteOrder ? abi : undefined;
})();

/**
 * Returns the host's ABI.
 *
 * @returns The host ABI.
 * @throws {Error} On a platform unixipc does not support, naming it.
 *
 * @example
 * ```ts
 * import { requireHostAbi } from "@unixipc/unixipc/endian";
 *
 * console.log(requireHostAbi().name); // "linux-x86_64" on a PC
 * ```
 */
export function requireHostAbi(): Abi {
  if (hostAbi) return hostAbi;
  const { os, arch } = hostPlatform();
  throw new Error(
    `Cannot use native layouts on ${os}-${arch}: unixipc supports ${
      Object.keys(abis).join(" and ")
    }`,
  );
}
