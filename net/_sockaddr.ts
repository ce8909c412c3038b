/**
 * The private side of `SocketAddress`: the encoded `sockaddr` of an address
 * (made once, shared, never handed out) and the decoding of the addresses
 * that `recvfrom` and `accept4` fill in, with a small cache so that a
 * datagram from a peer already seen costs no allocation. `address.ts` fills
 * in the parts of {@linkcode sockaddrAccess} that need its private fields
 * when it loads; the socket files read it.
 *
 * @module
 */

import { hostByteOrder } from "../endian/byte_order.ts";
import { netLayouts } from "../endian/libc_net.ts";
import type { AddressFamily, SocketAddress } from "./address.ts";
import { AF_INET, AF_INET6 } from "./constants.ts";
import { inetNtop, inetPton } from "./inet.ts";

/** The values of a trusted (already checked) construction of a `SocketAddress`. */
export interface AddressParts {
  readonly family: AddressFamily;
  readonly address: string;
  readonly port: number;
  readonly flowlabel: number;
  readonly scopeId: number;
  readonly sockaddr: Uint8Array | undefined;
}

/** What the socket files need from `SocketAddress` and cannot get publicly. */
export interface SockaddrAccess {
  /** The address's encoded `sockaddr_in` or `sockaddr_in6`: shared, read-only by contract. */
  bytes(address: SocketAddress): Uint8Array;
  /**
   * Decodes a `sockaddr` that the kernel filled in.
   *
   * @param buffer The `sockaddr_storage` buffer.
   * @param length The `socklen_t` the kernel wrote back.
   * @returns The address, possibly one already seen (addresses are immutable).
   * @throws {RangeError} For a family other than AF_INET and AF_INET6, or a short length.
   */
  decode(buffer: Uint8Array, length: number): SocketAddress;
  /** Makes an address of parts already checked, without checking them again. */
  create(parts: AddressParts): SocketAddress;
}

/** `bytes` and `create` are filled in by `address.ts` when it loads. */
export const sockaddrAccess: SockaddrAccess = {
  bytes(): Uint8Array {
    throw new Error("address.ts is not loaded");
  },
  decode: decodeSockaddr,
  create(): SocketAddress {
    throw new Error("address.ts is not loaded");
  },
};

/** Size of `struct sockaddr_storage`: room for any address the kernel writes back. */
export const SOCKADDR_STORAGE_SIZE = 128;

const littleEndian = hostByteOrder === "little";

/** Encodes the `sockaddr_in` or `sockaddr_in6` of an address. */
export function encodeSockaddr(address: SocketAddress): Uint8Array {
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
      address = sockaddrAccess.create({
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
    lastIpv6 = sockaddrAccess.create({
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
