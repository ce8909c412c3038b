/**
 * Argument checks of the net module: ports, interface names, address
 * families. Each returns the checked value or throws a TypeError (wrong kind)
 * or RangeError (wrong value) naming the argument, the value and what is
 * allowed.
 *
 * @module
 */

import { checkSafeInteger, checkString, describeValue } from "../ipc/_checks.ts";
import { IF_NAMESIZE } from "./constants.ts";

const encoder = new TextEncoder();

/** A port: an integer in [0, 65535]. */
export function checkPort(value: unknown, what = "port"): number {
  if (
    typeof value === "number" && value >= 0 && value <= 65535 && Math.floor(value) === value &&
    (value !== 0 || 1 / value > 0)
  ) return value;
  return checkSafeInteger(value, what, 0, 65535);
}

/** An interface name: a string of 1 to 15 bytes, no NUL. */
export function checkInterfaceName(value: unknown, what = "interface name"): string {
  const name = checkString(value, what);
  const length = encoder.encode(name).length;
  if (length === 0 || length >= IF_NAMESIZE || name.includes("\0")) {
    throw new RangeError(
      `${what} must be 1 to ${IF_NAMESIZE - 1} bytes long, without NUL: got ${
        describeValue(value)
      }`,
    );
  }
  return name;
}
