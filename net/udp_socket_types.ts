/**
 * The types of UDP sockets: the socket options set when one is created, the
 * options of sends and receives (records through an `endian` layout), the
 * datagram a receive gives, and the options of multicast joins.
 *
 * @module
 */

import type { AddressFamily, SocketAddress } from "./address.ts";
import type { InterfaceRef } from "./socket_options.ts";

/** Options of {@linkcode UdpSocket} and {@linkcode UdpSocket.bind}, applied before binding. */
export interface UdpSocketOptions {
  /** The address family. Default: the bound address's, else `"ipv4"`. */
  readonly family?: AddressFamily;
  /** `SO_REUSEADDR`: share the port with other sockets that set it (several multicast receivers). */
  readonly reuseAddress?: boolean;
  /** `SO_REUSEPORT`: balance datagrams across sockets bound to the same address and port. */
  readonly reusePort?: boolean;
  /** `SO_BROADCAST`: allow sending to broadcast addresses (without it, EACCES). */
  readonly broadcast?: boolean;
  /** `IPV6_V6ONLY`, for IPv6 sockets: no IPv4-mapped addresses. */
  readonly ipv6Only?: boolean;
  /** `SO_RCVBUF` in bytes (the kernel doubles it). */
  readonly receiveBufferSize?: number;
  /** `SO_SNDBUF` in bytes (the kernel doubles it). */
  readonly sendBufferSize?: number;
  /** `IP_TTL` or `IPV6_UNICAST_HOPS` of outgoing unicast datagrams, in [1, 255]. */
  readonly ttl?: number;
  /** `IP_MULTICAST_TTL` or `IPV6_MULTICAST_HOPS`, in [0, 255]. Default (the kernel's): 1, this network only. */
  readonly multicastTtl?: number;
  /** `IP_MULTICAST_LOOP` or `IPV6_MULTICAST_LOOP`: deliver our multicast to local sockets too. Default (the kernel's): true. */
  readonly multicastLoop?: boolean;
  /** `IP_MULTICAST_IF` or `IPV6_MULTICAST_IF`: the interface outgoing multicast leaves by. */
  readonly multicastInterface?: InterfaceRef;
}

/**
 * How a record becomes a datagram and back: an `endian` layout
 * (`packed()` for wire formats, `struct()` for a C struct of this host), or
 * anything else with the same two methods.
 */
export interface RecordLayout<V> {
  /** A name for messages (`"struct msg_st"`). */
  readonly name: string;
  /** Encodes a record into bytes; throws on a value that does not fit. */
  encode(value: V): Uint8Array;
  /** Decodes bytes into a record; throws (RangeError) on bytes that are too short. */
  decode(bytes: Uint8Array): V;
}

/** Options of sends. */
export interface SendOptions<V = unknown> {
  /** A layout to encode the value with (`endian`'s `packed()` or `struct()`); without it, the value is bytes. */
  readonly layout?: RecordLayout<V>;
  /** Raw `MSG_*` flags to add (`MSG_DONTROUTE`, `MSG_CONFIRM`). */
  readonly flags?: number;
  /** Cancels an async send that waits for room in the send buffer (rare for UDP). */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms of waiting for room: a `TimeoutError` DOMException. */
  readonly timeout?: number;
}

/** Options of receives. */
export interface ReceiveOptions<V = unknown> {
  /** A layout to decode the datagram with; without it, the datagram is bytes. */
  readonly layout?: RecordLayout<V>;
  /** Receive into this buffer (the bytes returned are a view of it). Default: a new copy of each datagram. */
  readonly buffer?: Uint8Array;
  /** The largest datagram to accept, in bytes, when no buffer is given. Default: 65536. */
  readonly maxSize?: number;
  /**
   * What to do with a datagram longer than the buffer (the kernel drops
   * its tail): false (default) throws an `ErrnoError` with code EMSGSIZE
   * that says how long it was; true returns the head with `truncated: true`.
   */
  readonly allowTruncated?: boolean;
  /** Raw `MSG_*` flags to add (`MSG_PEEK`). */
  readonly flags?: number;
  /** Cancels an async receive: it rejects with the signal's reason and takes nothing. */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms: a `TimeoutError` DOMException, nothing taken. */
  readonly timeout?: number;
}

/** A datagram received, with the address it came from. */
export interface Datagram<T = Uint8Array> {
  /** The payload: bytes, or the record decoded with `options.layout`. */
  readonly data: T;
  /** The sender's address. */
  readonly from: SocketAddress;
  /** The datagram's real length in bytes (more than the bytes kept if it was truncated). */
  readonly size: number;
  /** True if the datagram was longer than the buffer and its tail was dropped (only with `allowTruncated`). */
  readonly truncated: boolean;
}

/** Options of multicast membership changes. */
export interface GroupOptions {
  /** The interface: an IPv4 address of it, its name, or its index. Default: the kernel's choice (by route). */
  readonly interface?: InterfaceRef;
  /** Receive only from this source (source-specific multicast, `IP_ADD_SOURCE_MEMBERSHIP` / `MCAST_JOIN_SOURCE_GROUP`). */
  readonly source?: string;
}
