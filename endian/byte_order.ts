/**
 * Byte order: the host's, and the classic conversions to and from network
 * byte order (big-endian).
 *
 * @module
 */

import { describeValue, int64, uint16, uint32, uint64 } from "./integers.ts";

/** A byte order: `"little"` (least significant byte first) or `"big"` (network order). */
export type ByteOrder = "little" | "big";

/** The byte order of this host, found by looking at how a `Uint16Array` stores 1. */
export const hostByteOrder: ByteOrder = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  ? "little"
  : "big";

/** Network byte order: big-endian, as every Internet protocol header uses. */
export const networkByteOrder: ByteOrder = "big";

const swapNeeded = hostByteOrder !== networkByteOrder;

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function swap64(x: bigint): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, x, true);
  return view.getBigUint64(0, false);
}

/**
 * Host to network short: converts a uint16 from host to network byte order.
 *
 * @param hostShort A uint16 in host byte order.
 * @returns The same value in network byte order.
 * @throws {TypeError} If the argument is not a number.
 * @throws {RangeError} If it is not an integer in [0, 65535].
 *
 * @example
 * ```ts
 * import { hostByteOrder, htons } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(htons(0x1234), hostByteOrder === "little" ? 0x3412 : 0x1234);
 * ```
 */
export function htons(hostShort: number): number {
  const x = uint16.check(hostShort, "hostShort");
  return swapNeeded ? swap16(x) : x;
}

/**
 * Network to host short: converts a uint16 from network to host byte order.
 *
 * @param netShort A uint16 in network byte order.
 * @returns The same value in host byte order.
 * @throws {TypeError} If the argument is not a number.
 * @throws {RangeError} If it is not an integer in [0, 65535].
 *
 * @example
 * ```ts
 * import { htons, ntohs } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ntohs(htons(1989)), 1989);
 * ```
 */
export function ntohs(netShort: number): number {
  const x = uint16.check(netShort, "netShort");
  return swapNeeded ? swap16(x) : x;
}

/**
 * Host to network long: converts a uint32 from host to network byte order.
 *
 * @param hostLong A uint32 in host byte order.
 * @returns The same value in network byte order.
 * @throws {TypeError} If the argument is not a number.
 * @throws {RangeError} If it is not an integer in [0, 4294967295].
 *
 * @example
 * ```ts
 * import { hostByteOrder, htonl } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(htonl(0x12345678), hostByteOrder === "little" ? 0x78563412 : 0x12345678);
 * ```
 */
export function htonl(hostLong: number): number {
  const x = uint32.check(hostLong, "hostLong");
  return swapNeeded ? swap32(x) : x;
}

/**
 * Network to host long: converts a uint32 from network to host byte order.
 *
 * @param netLong A uint32 in network byte order.
 * @returns The same value in host byte order.
 * @throws {TypeError} If the argument is not a number.
 * @throws {RangeError} If it is not an integer in [0, 4294967295].
 *
 * @example
 * ```ts
 * import { htonl, ntohl } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ntohl(htonl(0xdeadbeef)), 0xdeadbeef);
 * ```
 */
export function ntohl(netLong: number): number {
  const x = uint32.check(netLong, "netLong");
  return swapNeeded ? swap32(x) : x;
}

/**
 * Host to network, 64 bits (`htobe64`): converts a uint64 from host to network byte order.
 *
 * @param hostValue A uint64 in host byte order (a bigint, or a safe integer number).
 * @returns The same value in network byte order, as a bigint.
 * @throws {TypeError} If the argument is neither a bigint nor a number.
 * @throws {RangeError} If it is not an integer in [0, 2^64 - 1].
 *
 * @example
 * ```ts
 * import { htonll, ntohll } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ntohll(htonll(0x0102030405060708n)), 0x0102030405060708n);
 * ```
 */
export function htonll(hostValue: bigint | number): bigint {
  const x = uint64.check(hostValue, "hostValue");
  return swapNeeded ? swap64(x) : x;
}

/**
 * Network to host, 64 bits (`be64toh`): converts a uint64 from network to host byte order.
 *
 * @param netValue A uint64 in network byte order (a bigint, or a safe integer number).
 * @returns The same value in host byte order, as a bigint.
 * @throws {TypeError} If the argument is neither a bigint nor a number.
 * @throws {RangeError} If it is not an integer in [0, 2^64 - 1].
 *
 * @example
 * ```ts
 * import { htonll, ntohll } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(htonll(ntohll(1n)), 1n);
 * ```
 */
export function ntohll(netValue: bigint | number): bigint {
  const x = uint64.check(netValue, "netValue");
  return swapNeeded ? swap64(x) : x;
}

/**
 * Reverses the byte order of a signed or unsigned integer of the given width,
 * like `bswap_16`, `bswap_32` and `bswap_64`.
 *
 * @param value The integer (a number for 16 and 32 bits, a bigint for 64).
 * @param bits The width: 16, 32 or 64.
 * @returns The value with its bytes reversed, unsigned.
 * @throws {TypeError} If the value has the wrong type for its width.
 * @throws {RangeError} If it does not fit in `bits` bits, signed or unsigned.
 *
 * @example
 * ```ts
 * import { byteSwap } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(byteSwap(0x1234, 16), 0x3412);
 * assert.equal(byteSwap(-1, 32), 0xffffffff);
 * ```
 */
export function byteSwap(value: number, bits: 16 | 32): number;
/**
 * Reverses the byte order of a signed or unsigned 64-bit integer, like `bswap_64`.
 *
 * @param value The integer, a bigint.
 * @param bits 64.
 * @returns The value with its bytes reversed, unsigned.
 * @throws {TypeError} If the value is not a bigint or a safe integer number.
 * @throws {RangeError} If it does not fit in 64 bits, signed or unsigned.
 */
export function byteSwap(value: bigint, bits: 64): bigint;
export function byteSwap(value: number | bigint, bits: 16 | 32 | 64): number | bigint {
  if (bits === 64) {
    const x = typeof value === "bigint" && value < 0n
      ? int64.check(value, "value")
      : uint64.check(value, "value");
    return swap64(BigInt.asUintN(64, x));
  }
  if (bits !== 16 && bits !== 32) {
    throw new RangeError(`Bits must be 16, 32 or 64: got ${describeValue(bits)}`);
  }
  if (typeof value !== "number") {
    throw new TypeError(
      `Value must be a number for a ${bits}-bit swap (a bigint for 64 bits): got ${
        describeValue(value)
      }`,
    );
  }
  const min = -(2 ** (bits - 1));
  const max = 2 ** bits - 1;
  if (!Number.isInteger(value) || value < min || value > max || Object.is(value, -0)) {
    throw new RangeError(
      `Value must be an integer in [${min}, ${max}]: got ${describeValue(value)}`,
    );
  }
  return bits === 16 ? swap16(value & 0xffff) : swap32(value >>> 0);
}
