/**
 * The parsing of address text: `host:port` and `[v6]:port` split into host
 * and port, and a numeric host (an IPv6 one with its zone) read into its
 * family, bytes and scope id with `inet_pton`.
 *
 * @module
 */

import { cString, libc } from "../ipc/_libc.ts";
import { checkUint32, describeValue } from "../ipc/_checks.ts";
import type { AddressFamily } from "./address.ts";
import { AF_INET, AF_INET6 } from "./constants.ts";
import { interfaceIndex } from "./interfaces.ts";

/** Splits `host:port`, `[v6]:port`, `[v6]`, `v4` or a bare `v6` (no port). */
export function splitHostPort(
  text: string,
): { host: string; port: string | undefined; bracketed: boolean } {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) {
      throw new RangeError(
        `Socket address ${describeValue(text)} opens a bracket but does not close it`,
      );
    }
    const rest = text.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) {
      throw new RangeError(
        `Socket address must be "[ipv6]:port": got ${describeValue(text)}`,
      );
    }
    return {
      host: text.slice(1, close),
      port: rest === "" ? undefined : rest.slice(1),
      bracketed: true,
    };
  }
  const colons = text.split(":").length - 1;
  if (colons === 1) {
    const i = text.indexOf(":");
    return { host: text.slice(0, i), port: text.slice(i + 1), bracketed: false };
  }
  // No colon: a bare IPv4 host. Several: a bare IPv6 host, which cannot carry a port.
  return { host: text, port: undefined, bracketed: false };
}

/** Parses a numeric host, with an optional IPv6 zone. */
export function parseHost(
  value: unknown,
  what: string,
  family: AddressFamily | undefined,
): { family: AddressFamily; bytes: Uint8Array; scopeId: number } {
  if (typeof value !== "string") {
    throw new TypeError(
      `${what} must be a numeric IPv4 or IPv6 address string: got ${describeValue(value)}`,
    );
  }
  if (family !== undefined && family !== "ipv4" && family !== "ipv6") {
    throw new RangeError(`Family must be "ipv4" or "ipv6": got ${describeValue(family)}`);
  }
  let host = value;
  let zone: string | undefined;
  const percent = value.indexOf("%");
  if (percent >= 0) {
    host = value.slice(0, percent);
    zone = value.slice(percent + 1);
  }
  const scratch = new Uint8Array(16);
  const c = host.includes("\0") ? undefined : cString(host, "Address");
  let found: AddressFamily | undefined;
  if (c && zone === undefined && libc().inet_pton(AF_INET, c, scratch) === 1) found = "ipv4";
  else if (c && libc().inet_pton(AF_INET6, c, scratch) === 1) found = "ipv6";
  if (!found) {
    throw new RangeError(
      `${what} must be a numeric ${
        family === "ipv4" ? "IPv4" : family === "ipv6" ? "IPv6" : "IPv4 or IPv6"
      } address: got ${describeValue(value)}`,
    );
  }
  if (family !== undefined && family !== found) {
    throw new RangeError(
      `${what} must be an ${family === "ipv4" ? "IPv4" : "IPv6"} address: got ${
        describeValue(value)
      }, an ${found === "ipv4" ? "IPv4" : "IPv6"} address`,
    );
  }
  let scopeId = 0;
  if (zone !== undefined) {
    if (zone === "") {
      throw new RangeError(`The zone of ${what} ${describeValue(value)} is empty`);
    }
    scopeId = /^[0-9]+$/.test(zone) ? checkUint32(Number(zone), "zone") : interfaceIndex(zone);
  }
  return {
    family: found,
    bytes: scratch.slice(0, found === "ipv4" ? 4 : 16),
    scopeId,
  };
}
