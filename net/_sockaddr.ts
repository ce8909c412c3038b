/**
 * The private side of `SocketAddress`: the encoded `sockaddr` of an address
 * (made once, shared, never handed out) and the decoding of the addresses
 * that `recvfrom` and `accept4` fill in, with a small cache so that a
 * datagram from a peer already seen costs no allocation. `address.ts` fills
 * this object in when it loads; the socket files read it.
 *
 * @module
 */

import type { SocketAddress } from "./address.ts";

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
}

/** Filled in by `address.ts` when it loads. */
export const sockaddrAccess: SockaddrAccess = {
  bytes(): Uint8Array {
    throw new Error("address.ts is not loaded");
  },
  decode(): SocketAddress {
    throw new Error("address.ts is not loaded");
  },
};

/** Size of `struct sockaddr_storage`: room for any address the kernel writes back. */
export const SOCKADDR_STORAGE_SIZE = 128;
