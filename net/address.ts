/**
 * Socket addresses: a numeric host and a port, the `sockaddr_in` and
 * `sockaddr_in6` structs through the layouts of `endian/`, and parsing of
 * `host:port` and `[v6]:port`.
 *
 * Hosts are numeric addresses, as `inet_pton` reads them: resolve names
 * first (`Deno.resolveDns`). An IPv6 address may carry a zone (`fe80::1%lo`
 * or `fe80::1%2`), which becomes its scope id.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { checkOptions, checkUint32, describeValue } from "../ipc/_checks.ts";
import { checkPort } from "./_checks.ts";
import { parseHost, splitHostPort } from "./_parse.ts";
import { type AddressParts, encodeSockaddr, sockaddrAccess } from "./_sockaddr.ts";
import { inetNtop } from "./inet.ts";

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

let trusted: AddressParts | undefined;
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
    sockaddrAccess.create = (parts) => {
      trusted = parts;
      return new SocketAddress(undefined as unknown as SocketAddressInit);
    };
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
    return sockaddrAccess.decode(bytes, bytes.length);
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
