/**
 * Socket addresses: `inet_pton` and `inet_ntop` (the libc calls), the
 * `sockaddr_in` and `sockaddr_in6` structs through the layouts of `endian/`,
 * and parsing of `host:port` and `[v6]:port`.
 *
 * Hosts are numeric addresses, as `inet_pton` reads them: resolve names
 * first (`Deno.resolveDns`). An IPv6 address may carry a zone (`fe80::1%lo`
 * or `fe80::1%2`), which becomes its scope id.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { cString, libc } from "../ipc/_libc.ts";
import { checkOptions, checkUint32, describeValue } from "../ipc/_checks.ts";
import { hostByteOrder } from "../endian/byte_order.ts";
import { netLayouts } from "../endian/libc_net.ts";
import { checkPort } from "./_checks.ts";
import { sockaddrAccess } from "./_sockaddr.ts";
import { AF_INET, AF_INET6 } from "./constants.ts";
import { interfaceIndex } from "./interfaces.ts";

/** An IP address family: `"ipv4"` (`AF_INET`) or `"ipv6"` (`AF_INET6`). */
export type AddressFamily = "ipv4" | "ipv6";

/** The parts of a {@linkcode SocketAddress}. */
export interface SocketAddressInit {
  /** A numeric IPv4 or IPv6 address (`"127.0.0.1"`, `"::1"`, `"fe80::1%lo"`). */
  readonly address: string;
  /** The port, in [0, 65535]. Default: 0. */
  readonly port?: number;
  /** The family; default: the address's. Giving it makes an address of the other family an error. */
  readonly family?: AddressFamily;
  /** IPv6 flow label, in [0, 2^20 - 1]. Default: 0. */
  readonly flowlabel?: number;
  /** IPv6 scope id (an interface index), for link-local addresses. Default: the zone of `address`, or 0. */
  readonly scopeId?: number;
}

/** Anything that names a socket address: an address, its parts, or `"host:port"` / `"[v6]:port"` text. */
export type AddressLike = SocketAddress | SocketAddressInit | string;

/** Options of {@linkcode SocketAddress.parse} and {@linkcode SocketAddress.from}. */
export interface ParseAddressOptions {
  /** The port when the text has none. Without it, text without a port is an error. */
  readonly port?: number;
}

const textDecoder = new TextDecoder();
const littleEndian = hostByteOrder === "little";

/** The values a trusted (already checked) construction passes. */
interface Parts {
  readonly family: AddressFamily;
  readonly address: string;
  readonly port: number;
  readonly flowlabel: number;
  readonly scopeId: number;
  readonly sockaddr: Uint8Array | undefined;
}

let trusted: Parts | undefined;
let lastText: string | undefined;
let lastParsed: SocketAddress | undefined;

/**
 * An IPv4 or IPv6 socket address: a numeric host and a port, immutable.
 * What sockets take and give: the encoded `sockaddr` is made once per
 * address, so sending many datagrams to the same address costs nothing more.
 *
 * @example
 * ```ts
 * import { SocketAddress } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * const a = SocketAddress.parse("127.0.0.1:1989");
 * assert.equal(a.family, "ipv4");
 * assert.equal(a.port, 1989);
 * assert.equal(String(SocketAddress.parse("[::1]:80")), "[::1]:80");
 * assert.equal(new SocketAddress({ address: "::ffff:10.0.0.1", port: 7 }).toString(), "[::ffff:10.0.0.1]:7");
 * ```
 */
export class SocketAddress {
  /** `"ipv4"` or `"ipv6"`. */
  readonly family: AddressFamily;
  /** The host, in the canonical text of `inet_ntop` (`"::1"`, not `"0:0:0:0:0:0:0:1"`). */
  readonly address: string;
  /** The port. */
  readonly port: number;
  /** IPv6 flow label (0 for IPv4). */
  readonly flowlabel: number;
  /** IPv6 scope id: an interface index (0 for IPv4 and for addresses without a scope). */
  readonly scopeId: number;
  #sockaddr: Uint8Array | undefined;

  /**
   * Makes an address from its parts.
   *
   * @param init The numeric host, the port, and for IPv6 the flow label and scope id.
   * @throws {TypeError} If a part has the wrong type.
   * @throws {RangeError} If the host is not a numeric address (of `family`, when given), or a number is out of range.
   * @throws {ErrnoError} With code `ENODEV` if the zone names no interface.
   */
  constructor(init: SocketAddressInit) {
    if (trusted) {
      const parts = trusted;
      trusted = undefined;
      this.family = parts.family;
      this.address = parts.address;
      this.port = parts.port;
      this.flowlabel = parts.flowlabel;
      this.scopeId = parts.scopeId;
      this.#sockaddr = parts.sockaddr;
      Object.freeze(this);
      return;
    }
    checkOptions(init, "socket address");
    const port = init.port === undefined ? 0 : checkPort(init.port, "port");
    const host = parseHost(init.address, "address", init.family);
    let scopeId = host.scopeId;
    let flowlabel = 0;
    if (init.flowlabel !== undefined) {
      flowlabel = checkUint32(init.flowlabel, "flowlabel");
      if (flowlabel > 0xfffff) {
        throw new RangeError(`flowlabel must be an integer in [0, 1048575]: got ${flowlabel}`);
      }
    }
    if (init.scopeId !== undefined) scopeId = checkUint32(init.scopeId, "scopeId");
    if (host.family === "ipv4" && (flowlabel !== 0 || scopeId !== 0)) {
      throw new RangeError(
        `An IPv4 address has no flow label or scope id: got ${describeValue(init.address)}`,
      );
    }
    this.family = host.family;
    this.address = inetNtop(host.family, host.bytes);
    this.port = port;
    this.flowlabel = flowlabel;
    this.scopeId = scopeId;
    Object.freeze(this);
  }

  static {
    sockaddrAccess.bytes = (address) => address.#sockaddr ??= encodeSockaddr(address);
    sockaddrAccess.decode = decodeSockaddr;
  }

  /**
   * Parses `"host:port"`, `"[v6]:port"`, or a bare host when `options.port` is given.
   *
   * @param text The text: `"127.0.0.1:1989"`, `"[::1]:1989"`, `"[fe80::1%lo]:1989"`, `"::1"` (with a default port).
   * @param options The port to use when the text has none.
   * @returns The address.
   * @throws {TypeError} If `text` is not a string.
   * @throws {RangeError} If the host is not numeric, the port is not an integer in [0, 65535], or the port is missing.
   *
   * @example
   * ```ts
   * import { SocketAddress } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(SocketAddress.parse("[::1]:8080").port, 8080);
   * assert.equal(SocketAddress.parse("10.0.0.1", { port: 1989 }).port, 1989);
   * assert.throws(() => SocketAddress.parse("127.0.0.1:65536"), RangeError);
   * assert.throws(() => SocketAddress.parse("localhost:80"), RangeError);
   * ```
   */
  static parse(text: string, options?: ParseAddressOptions): SocketAddress {
    const { port: defaultPort } = checkOptions(options);
    if (typeof text !== "string") {
      throw new TypeError(`Socket address must be a string: got ${describeValue(text)}`);
    }
    const { host, port, bracketed } = splitHostPort(text);
    let portNumber: number;
    if (port === undefined) {
      if (defaultPort === undefined) {
        throw new RangeError(
          `Socket address must be "host:port" or "[ipv6]:port": got ${
            describeValue(text)
          }, which has no port`,
        );
      }
      portNumber = checkPort(defaultPort, "options.port");
    } else {
      if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) {
        throw new RangeError(
          `The port of socket address ${
            describeValue(text)
          } must be an integer in [0, 65535]: got ${describeValue(port)}`,
        );
      }
      portNumber = Number(port);
    }
    try {
      return new SocketAddress({
        address: host,
        port: portNumber,
        family: bracketed ? "ipv6" : undefined,
      });
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError) {
        throw new RangeError(
          `Socket address must be "host:port" or "[ipv6]:port" with a numeric host: got ${
            describeValue(text)
          } (${error.message})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Returns an address from anything that names one: a `SocketAddress`
   * (itself), its parts, or text for {@linkcode SocketAddress.parse}.
   *
   * @param value The address.
   * @param options The port to use when text has none.
   * @returns The address.
   * @throws {TypeError} If `value` is none of these.
   * @throws {RangeError} If the host or port is invalid.
   *
   * @example
   * ```ts
   * import { SocketAddress } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * const a = SocketAddress.from({ address: "127.0.0.1", port: 9 });
   * assert.equal(SocketAddress.from(a), a);
   * assert.ok(a.equals("127.0.0.1:9"));
   * ```
   */
  static from(value: AddressLike, options?: ParseAddressOptions): SocketAddress {
    if (value instanceof SocketAddress) return value;
    if (typeof value === "string") {
      // The text of the last call, most likely this one's too (a loop sending to "host:port").
      if (value === lastText && options === undefined) return lastParsed!;
      const address = SocketAddress.parse(value, options);
      if (options === undefined) {
        lastText = value;
        lastParsed = address;
      }
      return address;
    }
    if (value === null || typeof value !== "object") {
      throw new TypeError(
        `Socket address must be a SocketAddress, an object with address and port, or "host:port" text: got ${
          describeValue(value)
        }`,
      );
    }
    return new SocketAddress(value);
  }

  /**
   * Decodes a `struct sockaddr_in` or `struct sockaddr_in6`, as C holds it
   * (port and flow label in network byte order).
   *
   * @param bytes The struct's bytes (at least 16 for IPv4, 28 for IPv6).
   * @returns The address.
   * @throws {TypeError} If `bytes` is not a Uint8Array.
   * @throws {RangeError} If the family is neither AF_INET nor AF_INET6, or the bytes are too short.
   *
   * @example
   * ```ts
   * import { SocketAddress } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * const a = SocketAddress.parse("192.0.2.7:1989");
   * assert.ok(SocketAddress.fromSockaddr(a.toSockaddr()).equals(a));
   * ```
   */
  static fromSockaddr(bytes: Uint8Array): SocketAddress {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`Sockaddr bytes must be a Uint8Array: got ${describeValue(bytes)}`);
    }
    return decodeSockaddr(bytes, bytes.length);
  }

  /**
   * Encodes the address as C's `struct sockaddr_in` (16 bytes) or
   * `struct sockaddr_in6` (28 bytes), for a libc call of your own.
   *
   * @returns New bytes.
   *
   * @example
   * ```ts
   * import { SocketAddress } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * const bytes = SocketAddress.parse("127.0.0.1:1989").toSockaddr();
   * // sin_family (host order), sin_port (network order), sin_addr
   * assert.deepEqual(bytes.subarray(0, 8), new Uint8Array([2, 0, 0x07, 0xc5, 127, 0, 0, 1]));
   * ```
   */
  toSockaddr(): Uint8Array {
    return sockaddrAccess.bytes(this).slice();
  }

  /**
   * Tells whether another address is the same host, port, flow label and scope.
   *
   * @param other An address, its parts or its text.
   * @returns True if they are equal.
   */
  equals(other: AddressLike): boolean {
    const o = SocketAddress.from(other);
    return o.family === this.family && o.address === this.address && o.port === this.port &&
      o.flowlabel === this.flowlabel && o.scopeId === this.scopeId;
  }

  /**
   * Returns `"host:port"`, with IPv6 hosts in brackets and the scope id as a zone.
   *
   * @returns The text, which {@linkcode SocketAddress.parse} reads back.
   */
  toString(): string {
    if (this.family === "ipv4") return `${this.address}:${this.port}`;
    return `[${this.address}${this.scopeId ? `%${this.scopeId}` : ""}]:${this.port}`;
  }

  /**
   * Returns the parts, for `JSON.stringify`.
   *
   * @returns The family, host and port, and for IPv6 the flow label and scope id.
   */
  toJSON(): SocketAddressInit {
    return this.family === "ipv4"
      ? { family: this.family, address: this.address, port: this.port }
      : {
        family: this.family,
        address: this.address,
        port: this.port,
        flowlabel: this.flowlabel,
        scopeId: this.scopeId,
      };
  }
}

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

// ---- private ----------------------------------------------------------------

function familyNumber(family: AddressFamily | number): number {
  if (family === "ipv4" || family === AF_INET) return AF_INET;
  if (family === "ipv6" || family === AF_INET6) return AF_INET6;
  throw new RangeError(
    `Address family must be "ipv4", "ipv6", AF_INET (2) or AF_INET6 (10): got ${
      describeValue(family)
    }`,
  );
}

/** Splits `host:port`, `[v6]:port`, `[v6]`, `v4` or a bare `v6` (no port). */
function splitHostPort(
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
function parseHost(
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

function encodeSockaddr(address: SocketAddress): Uint8Array {
  const { sockaddr_in, sockaddr_in6 } = netLayouts();
  if (address.family === "ipv4") {
    return sockaddr_in.encode({
      sin_family: AF_INET,
      sin_port: address.port,
      sin_addr: inetPton(AF_INET, address.address),
      sin_zero: new Uint8Array(8),
    });
  }
  return sockaddr_in6.encode({
    sin6_family: AF_INET6,
    sin6_port: address.port,
    sin6_flowinfo: address.flowlabel,
    sin6_addr: inetPton(AF_INET6, address.address),
    sin6_scope_id: address.scopeId,
  });
}

// Addresses decoded recently: a datagram from a peer already seen costs no allocation.
const ipv4Cache = new Map<number, SocketAddress>();
const ipv4CacheLimit = 256;
let lastIpv4: SocketAddress | undefined;
let lastIpv4Host = 0;
let lastIpv4Port = -1;
let lastIpv6: SocketAddress | undefined;
let lastIpv6Bytes: Uint8Array | undefined;

function make(parts: Parts): SocketAddress {
  trusted = parts;
  return new SocketAddress(undefined as unknown as SocketAddressInit);
}

function decodeSockaddr(buffer: Uint8Array, length: number): SocketAddress {
  const family = littleEndian ? buffer[0]! | (buffer[1]! << 8) : (buffer[0]! << 8) | buffer[1]!;
  if (family === AF_INET && length >= 16) {
    const port = (buffer[2]! << 8) | buffer[3]!;
    const host = (buffer[4]! << 24) | (buffer[5]! << 16) | (buffer[6]! << 8) | buffer[7]!;
    // The peer of the last datagram, most likely this one's too: no lookup.
    if (host === lastIpv4Host && port === lastIpv4Port && lastIpv4) return lastIpv4;
    const cacheKey = (host >>> 0) * 65536 + port;
    let address = ipv4Cache.get(cacheKey);
    if (address === undefined) {
      if (ipv4Cache.size >= ipv4CacheLimit) ipv4Cache.clear();
      address = make({
        family: "ipv4",
        address: `${buffer[4]}.${buffer[5]}.${buffer[6]}.${buffer[7]}`,
        port,
        flowlabel: 0,
        scopeId: 0,
        sockaddr: buffer.slice(0, 16),
      });
      ipv4Cache.set(cacheKey, address);
    }
    lastIpv4 = address;
    lastIpv4Host = host;
    lastIpv4Port = port;
    return address;
  }
  if (family === AF_INET6 && length >= 28) {
    if (lastIpv6Bytes && lastIpv6) {
      let same = true;
      for (let i = 0; i < 28; i++) {
        if (lastIpv6Bytes[i] !== buffer[i]) {
          same = false;
          break;
        }
      }
      if (same) return lastIpv6;
    }
    const { sockaddr_in6 } = netLayouts();
    const s = sockaddr_in6.decode(buffer);
    const bytes = buffer.slice(0, 28);
    lastIpv6 = make({
      family: "ipv6",
      address: inetNtop(AF_INET6, s.sin6_addr),
      port: s.sin6_port,
      flowlabel: s.sin6_flowinfo & 0xfffff,
      scopeId: s.sin6_scope_id,
      sockaddr: bytes,
    });
    lastIpv6Bytes = bytes;
    return lastIpv6;
  }
  throw new RangeError(
    `Cannot decode a socket address of family ${family} and ${length} bytes: only AF_INET (16 bytes) and AF_INET6 (28 bytes) are supported`,
  );
}
