/**
 * Numeric addresses in text and in bytes: `inet_pton` and `inet_ntop` (the
 * libc calls), and the family of an address in text.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { cString, libc } from "../ipc/_libc.ts";
import { describeValue } from "../ipc/_checks.ts";
import type { AddressFamily } from "./address.ts";
import { parseHost } from "./_parse.ts";
import { AF_INET, AF_INET6 } from "./constants.ts";

const textDecoder = new TextDecoder();

/**
 * Converts an IPv4 or IPv6 address from text to its network-order bytes
 * (`inet_pton`).
 *
 * @param family `"ipv4"`, `"ipv6"`, `AF_INET` or `AF_INET6`.
 * @param text The address, numeric (`"192.0.2.1"`, `"2001:db8::1"`).
 * @returns 4 bytes for IPv4, 16 for IPv6.
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If the family is unknown or `text` is not an address of that family.
 *
 * @example
 * ```ts
 * import { inetPton } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(inetPton("ipv4", "127.0.0.1"), new Uint8Array([127, 0, 0, 1]));
 * assert.equal(inetPton("ipv6", "::1")[15], 1);
 * assert.throws(() => inetPton("ipv4", "256.0.0.1"), RangeError);
 * ```
 */
export function inetPton(family: AddressFamily | number, text: string): Uint8Array {
  const af = familyNumber(family);
  if (typeof text !== "string") {
    throw new TypeError(`Address must be a string: got ${describeValue(text)}`);
  }
  const out = new Uint8Array(af === AF_INET ? 4 : 16);
  const result = text.includes("\0") ? 0 : libc().inet_pton(af, cString(text, "Address"), out);
  if (result !== 1) {
    throw new RangeError(
      `Address must be a numeric ${af === AF_INET ? "IPv4" : "IPv6"} address: got ${
        describeValue(text)
      }`,
    );
  }
  return out;
}

/**
 * Converts an IPv4 or IPv6 address from network-order bytes to text
 * (`inet_ntop`).
 *
 * @param family `"ipv4"`, `"ipv6"`, `AF_INET` or `AF_INET6`.
 * @param bytes 4 bytes for IPv4, 16 for IPv6.
 * @returns The canonical text (`"::1"`, `"::ffff:10.0.0.1"`).
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 * @throws {RangeError} If the family is unknown or `bytes` has the wrong length.
 *
 * @example
 * ```ts
 * import { inetNtop } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(inetNtop("ipv4", new Uint8Array([10, 0, 0, 1])), "10.0.0.1");
 * const loopback = new Uint8Array(16);
 * loopback[15] = 1;
 * assert.equal(inetNtop("ipv6", loopback), "::1");
 * ```
 */
export function inetNtop(family: AddressFamily | number, bytes: Uint8Array): string {
  const af = familyNumber(family);
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Address bytes must be a Uint8Array: got ${describeValue(bytes)}`);
  }
  const length = af === AF_INET ? 4 : 16;
  if (bytes.length !== length) {
    throw new RangeError(
      `An ${af === AF_INET ? "IPv4" : "IPv6"} address is ${length} bytes: got ${bytes.length}`,
    );
  }
  if (af === AF_INET) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const out = new Uint8Array(46);
  if (libc().inet_ntop(af, bytes, out, out.length) === null) {
    throw new RangeError(`Cannot convert ${describeValue(bytes)} to an IPv6 address`);
  }
  return textDecoder.decode(out.subarray(0, out.indexOf(0)));
}

/**
 * Tells the family of a numeric address in text.
 *
 * @param text An address such as `"10.0.0.1"`, `"::1"` or `"fe80::1%lo"`.
 * @returns `"ipv4"`, `"ipv6"`, or undefined if it is not a numeric address (a host name, an interface name).
 *
 * @example
 * ```ts
 * import { addressFamily } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(addressFamily("127.0.0.1"), "ipv4");
 * assert.equal(addressFamily("::1"), "ipv6");
 * assert.equal(addressFamily("lo"), undefined);
 * ```
 */
export function addressFamily(text: string): AddressFamily | undefined {
  try {
    return parseHost(text, "address", undefined).family;
  } catch {
    return undefined;
  }
}

function familyNumber(family: AddressFamily | number): number {
  if (family === "ipv4" || family === AF_INET) return AF_INET;
  if (family === "ipv6" || family === AF_INET6) return AF_INET6;
  throw new RangeError(
    `Address family must be "ipv4", "ipv6", AF_INET (2) or AF_INET6 (10): got ${
      describeValue(family)
    }`,
  );
}
