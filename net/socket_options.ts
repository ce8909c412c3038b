/**
 * Socket options: a typed table of the common ones, each encoded as the C
 * type the kernel expects (`int`, `struct timeval`, `struct linger`,
 * `struct ip_mreqn`, `struct ip_mreq_source`, `struct ipv6_mreq`), and raw
 * `getsockopt`/`setsockopt` for anything else.
 *
 * Values are checked before the call: a boolean option takes a boolean, a
 * TTL an integer in [0, 255], a timeout a number of milliseconds; `NaN`,
 * `-0`, `1.5` and values out of range are errors, never truncated.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { checkFd } from "../ipc/_checks.ts";
import {
  codecs,
  readOption,
  readRawOption,
  writeOption,
  writeRawOption,
} from "./_socket_options.ts";

/**
 * A network interface: an IPv4 address of it (`"127.0.0.1"`), its name
 * (`"lo"`, looked up with `if_nametoindex`), or its index.
 */
export type InterfaceRef = string | number;

/** `SO_LINGER`: whether `close` waits for unsent data, and for how long. */
export interface LingerOption {
  /** True: `close` waits (up to `seconds`) for unsent data; with 0 seconds, it resets the connection. */
  readonly enabled: boolean;
  /** Seconds to wait, in [0, 2^31 - 1]. */
  readonly seconds: number;
}

/** An any-source IPv4 multicast membership (`struct ip_mreqn`). */
export interface MembershipRequest {
  /** The group, an IPv4 multicast address (`"224.2.2.2"`). */
  readonly group: string;
  /** The interface to join on. Default: the one the kernel routes the group to. */
  readonly interface?: InterfaceRef;
}

/** A source-specific IPv4 multicast membership (`struct ip_mreq_source`). */
export interface SourceMembershipRequest {
  /** The group, an IPv4 multicast address (`"232.1.1.1"`). */
  readonly group: string;
  /** The only source to receive from, an IPv4 address. */
  readonly source: string;
  /** The interface's IPv4 address. Default: the one the kernel routes the group to. */
  readonly interface?: string;
}

/** An IPv6 multicast membership (`struct ipv6_mreq`). */
export interface Ipv6MembershipRequest {
  /** The group, an IPv6 multicast address (`"ff02::1:3"`). */
  readonly group: string;
  /** The interface, by name or index. Default: the one the kernel routes the group to. */
  readonly interface?: string | number;
}

/** What {@linkcode getSocketOption} returns for each option of the table. */
export interface SocketOptionValues {
  /** `SOL_SOCKET, SO_REUSEADDR` (int). */
  SO_REUSEADDR: boolean;
  /** `SOL_SOCKET, SO_REUSEPORT` (int). */
  SO_REUSEPORT: boolean;
  /** `SOL_SOCKET, SO_BROADCAST` (int). */
  SO_BROADCAST: boolean;
  /** `SOL_SOCKET, SO_RCVBUF` (int): bytes, as the kernel holds it (twice what was set). */
  SO_RCVBUF: number;
  /** `SOL_SOCKET, SO_SNDBUF` (int): bytes, as the kernel holds it (twice what was set). */
  SO_SNDBUF: number;
  /** `SOL_SOCKET, SO_RCVTIMEO` (struct timeval): milliseconds, 0 for none; the kernel rounds up to its clock tick. */
  SO_RCVTIMEO: number;
  /** `SOL_SOCKET, SO_SNDTIMEO` (struct timeval): milliseconds, 0 for none; the kernel rounds up to its clock tick. */
  SO_SNDTIMEO: number;
  /** `SOL_SOCKET, SO_KEEPALIVE` (int). */
  SO_KEEPALIVE: boolean;
  /** `SOL_SOCKET, SO_LINGER` (struct linger). */
  SO_LINGER: LingerOption;
  /** `SOL_SOCKET, SO_ERROR` (int): the pending errno, 0 for none; reading clears it. */
  SO_ERROR: number;
  /** `SOL_SOCKET, SO_TYPE` (int): `SOCK_STREAM`, `SOCK_DGRAM`, ... */
  SO_TYPE: number;
  /** `IPPROTO_IP, IP_TTL` (int). */
  IP_TTL: number;
  /** `IPPROTO_IP, IP_MULTICAST_TTL` (int). */
  IP_MULTICAST_TTL: number;
  /** `IPPROTO_IP, IP_MULTICAST_LOOP` (int). */
  IP_MULTICAST_LOOP: boolean;
  /** `IPPROTO_IP, IP_MULTICAST_IF` (struct in_addr): the interface's address, `"0.0.0.0"` if none or chosen by index. */
  IP_MULTICAST_IF: string;
  /** `IPPROTO_IPV6, IPV6_V6ONLY` (int). */
  IPV6_V6ONLY: boolean;
  /** `IPPROTO_IPV6, IPV6_UNICAST_HOPS` (int). */
  IPV6_UNICAST_HOPS: number;
  /** `IPPROTO_IPV6, IPV6_MULTICAST_HOPS` (int). */
  IPV6_MULTICAST_HOPS: number;
  /** `IPPROTO_IPV6, IPV6_MULTICAST_LOOP` (int). */
  IPV6_MULTICAST_LOOP: boolean;
  /** `IPPROTO_IPV6, IPV6_MULTICAST_IF` (int): the interface's index, 0 if none. */
  IPV6_MULTICAST_IF: number;
  /** `IPPROTO_TCP, TCP_NODELAY` (int). */
  TCP_NODELAY: boolean;
  /** `IPPROTO_TCP, TCP_KEEPIDLE` (int): seconds. */
  TCP_KEEPIDLE: number;
  /** `IPPROTO_TCP, TCP_KEEPINTVL` (int): seconds. */
  TCP_KEEPINTVL: number;
  /** `IPPROTO_TCP, TCP_KEEPCNT` (int). */
  TCP_KEEPCNT: number;
}

/** What {@linkcode setSocketOption} takes for each option of the table. */
export interface SocketOptionInputs {
  /** `SOL_SOCKET, SO_REUSEADDR` (int). */
  SO_REUSEADDR: boolean;
  /** `SOL_SOCKET, SO_REUSEPORT` (int). */
  SO_REUSEPORT: boolean;
  /** `SOL_SOCKET, SO_BROADCAST` (int). */
  SO_BROADCAST: boolean;
  /** `SOL_SOCKET, SO_RCVBUF` (int): bytes, in [0, 2^31 - 1]. */
  SO_RCVBUF: number;
  /** `SOL_SOCKET, SO_SNDBUF` (int): bytes, in [0, 2^31 - 1]. */
  SO_SNDBUF: number;
  /** `SOL_SOCKET, SO_RCVTIMEO` (struct timeval): milliseconds (microsecond precision), 0 for none. */
  SO_RCVTIMEO: number;
  /** `SOL_SOCKET, SO_SNDTIMEO` (struct timeval): milliseconds (microsecond precision), 0 for none. */
  SO_SNDTIMEO: number;
  /** `SOL_SOCKET, SO_KEEPALIVE` (int). */
  SO_KEEPALIVE: boolean;
  /** `SOL_SOCKET, SO_LINGER` (struct linger). */
  SO_LINGER: LingerOption;
  /** `IPPROTO_IP, IP_TTL` (int): in [1, 255]. */
  IP_TTL: number;
  /** `IPPROTO_IP, IP_MULTICAST_TTL` (int): in [0, 255]. */
  IP_MULTICAST_TTL: number;
  /** `IPPROTO_IP, IP_MULTICAST_LOOP` (int). */
  IP_MULTICAST_LOOP: boolean;
  /** `IPPROTO_IP, IP_MULTICAST_IF` (struct ip_mreqn): by address, name or index. */
  IP_MULTICAST_IF: InterfaceRef;
  /** `IPPROTO_IP, IP_ADD_MEMBERSHIP` (struct ip_mreqn). */
  IP_ADD_MEMBERSHIP: MembershipRequest;
  /** `IPPROTO_IP, IP_DROP_MEMBERSHIP` (struct ip_mreqn). */
  IP_DROP_MEMBERSHIP: MembershipRequest;
  /** `IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP` (struct ip_mreq_source). */
  IP_ADD_SOURCE_MEMBERSHIP: SourceMembershipRequest;
  /** `IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP` (struct ip_mreq_source). */
  IP_DROP_SOURCE_MEMBERSHIP: SourceMembershipRequest;
  /** `IPPROTO_IPV6, IPV6_V6ONLY` (int). */
  IPV6_V6ONLY: boolean;
  /** `IPPROTO_IPV6, IPV6_JOIN_GROUP` (struct ipv6_mreq). */
  IPV6_JOIN_GROUP: Ipv6MembershipRequest;
  /** `IPPROTO_IPV6, IPV6_LEAVE_GROUP` (struct ipv6_mreq). */
  IPV6_LEAVE_GROUP: Ipv6MembershipRequest;
  /** `IPPROTO_IPV6, IPV6_UNICAST_HOPS` (int): in [-1, 255], -1 for the route's default. */
  IPV6_UNICAST_HOPS: number;
  /** `IPPROTO_IPV6, IPV6_MULTICAST_HOPS` (int): in [-1, 255], -1 for the default. */
  IPV6_MULTICAST_HOPS: number;
  /** `IPPROTO_IPV6, IPV6_MULTICAST_LOOP` (int). */
  IPV6_MULTICAST_LOOP: boolean;
  /** `IPPROTO_IPV6, IPV6_MULTICAST_IF` (int): the interface by name or index, 0 for the default. */
  IPV6_MULTICAST_IF: string | number;
  /** `IPPROTO_TCP, TCP_NODELAY` (int). */
  TCP_NODELAY: boolean;
  /** `IPPROTO_TCP, TCP_KEEPIDLE` (int): seconds, in [1, 32767]. */
  TCP_KEEPIDLE: number;
  /** `IPPROTO_TCP, TCP_KEEPINTVL` (int): seconds, in [1, 32767]. */
  TCP_KEEPINTVL: number;
  /** `IPPROTO_TCP, TCP_KEEPCNT` (int): in [1, 127]. */
  TCP_KEEPCNT: number;
}

/** The name of an option of the table that can be read. */
export type ReadableSocketOption = keyof SocketOptionValues;
/** The name of an option of the table that can be set. */
export type WritableSocketOption = keyof SocketOptionInputs;
/** The name of any option of the table. */
export type SocketOptionName = ReadableSocketOption | WritableSocketOption;

/** One row of {@linkcode socketOptions}. */
export interface SocketOptionInfo {
  /** The level (`SOL_SOCKET`, `IPPROTO_IP`, `IPPROTO_IPV6`, `IPPROTO_TCP`). */
  readonly level: number;
  /** The option's number. */
  readonly name: number;
  /** The C type of the value, as `setsockopt` takes it. */
  readonly cType: string;
  /** Whether it can be read (`getsockopt`). */
  readonly readable: boolean;
  /** Whether it can be set (`setsockopt`). */
  readonly writable: boolean;
}

/**
 * The typed socket options: level, number, C type and access of each.
 *
 * @example
 * ```ts
 * import { IPPROTO_IP, IP_MULTICAST_TTL, socketOptions } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(socketOptions.IP_MULTICAST_TTL, {
 *   level: IPPROTO_IP,
 *   name: IP_MULTICAST_TTL,
 *   cType: "int",
 *   readable: true,
 *   writable: true,
 * });
 * assert.equal(socketOptions.SO_LINGER.cType, "struct linger");
 * ```
 */
export const socketOptions: Readonly<Record<SocketOptionName, SocketOptionInfo>> = Object.freeze(
  Object.fromEntries(Object.entries(codecs).map(([k, v]) => [k, v.info])) as Record<
    SocketOptionName,
    SocketOptionInfo
  >,
);

/**
 * Reads an option of the table (`getsockopt`), decoded from its C type.
 * Most code calls the `getOption` method of a socket instead.
 *
 * @param fd The socket's fd.
 * @param name The option, such as `"SO_RCVBUF"`.
 * @returns The value, typed per option.
 * @throws {TypeError} If the option is not in the table or cannot be read.
 * @throws {ErrnoError} If `getsockopt` fails (`ENOPROTOOPT` for an option of another protocol, `EBADF`, `ENOTSOCK`).
 *
 * @example
 * ```ts
 * import { getSocketOption, UdpSocket } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using socket = new UdpSocket();
 * assert.equal(getSocketOption(socket.fd, "SO_BROADCAST"), false);
 * ```
 */
export function getSocketOption<N extends ReadableSocketOption>(
  fd: number,
  name: N,
): SocketOptionValues[N] {
  return readOption(checkFd(fd), name, undefined);
}

/**
 * Sets an option of the table (`setsockopt`), encoded as its C type.
 * Most code calls the `setOption` method of a socket instead.
 *
 * @param fd The socket's fd.
 * @param name The option, such as `"SO_BROADCAST"`.
 * @param value The value, typed per option and checked before the call.
 * @throws {TypeError} If the option is not in the table or cannot be set, or the value has the wrong type.
 * @throws {RangeError} If the value is out of the option's range.
 * @throws {ErrnoError} If `setsockopt` fails (`EADDRNOTAVAIL` for a bad multicast interface, `ENOPROTOOPT`, ...).
 *
 * @example
 * ```ts
 * import { getSocketOption, setSocketOption, UdpSocket } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using socket = new UdpSocket();
 * setSocketOption(socket.fd, "IP_MULTICAST_TTL", 4);
 * assert.equal(getSocketOption(socket.fd, "IP_MULTICAST_TTL"), 4);
 * assert.throws(() => setSocketOption(socket.fd, "IP_MULTICAST_TTL", 256), RangeError);
 * ```
 */
export function setSocketOption<N extends WritableSocketOption>(
  fd: number,
  name: N,
  value: SocketOptionInputs[N],
): void {
  writeOption(checkFd(fd), name, value, undefined);
}

/**
 * Reads any option as raw bytes (`getsockopt`).
 *
 * @param fd The socket's fd.
 * @param level The level (`SOL_SOCKET`, `IPPROTO_IP`, ...).
 * @param name The option's number.
 * @param size The room to give the kernel, in bytes (default 4, an `int`).
 * @returns The bytes the kernel wrote (it may write fewer than `size`).
 * @throws {RangeError} If an argument is out of range.
 * @throws {ErrnoError} If `getsockopt` fails.
 *
 * @example
 * ```ts
 * import { getSocketOptionRaw, SO_TYPE, SOCK_DGRAM, SOL_SOCKET, UdpSocket } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using socket = new UdpSocket();
 * const bytes = getSocketOptionRaw(socket.fd, SOL_SOCKET, SO_TYPE);
 * assert.equal(new DataView(bytes.buffer).getInt32(0, true), SOCK_DGRAM);
 * ```
 */
export function getSocketOptionRaw(fd: number, level: number, name: number, size = 4): Uint8Array {
  return readRawOption(checkFd(fd), level, name, size, undefined);
}

/**
 * Sets any option from raw bytes (`setsockopt`).
 *
 * @param fd The socket's fd.
 * @param level The level (`SOL_SOCKET`, `IPPROTO_IP`, ...).
 * @param name The option's number.
 * @param value The option's bytes, laid out as the kernel expects (an `endian` layout helps).
 * @throws {TypeError} If `value` is not a Uint8Array.
 * @throws {ErrnoError} If `setsockopt` fails.
 *
 * @example
 * ```ts
 * import { getSocketOption, IP_TTL, IPPROTO_IP, setSocketOptionRaw, UdpSocket } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using socket = new UdpSocket();
 * setSocketOptionRaw(socket.fd, IPPROTO_IP, IP_TTL, new Uint8Array(new Int32Array([7]).buffer));
 * assert.equal(getSocketOption(socket.fd, "IP_TTL"), 7);
 * ```
 */
export function setSocketOptionRaw(
  fd: number,
  level: number,
  name: number,
  value: Uint8Array,
): void {
  writeRawOption(checkFd(fd), level, name, value, undefined);
}
