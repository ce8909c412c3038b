/**
 * Layouts of the socket structs that libc takes and fills: socket addresses
 * (`sockaddr_in`, `sockaddr_in6`, `sockaddr_un`, `sockaddr_storage`),
 * multicast requests (`ip_mreq`, `ip_mreqn`, `ip_mreq_source`, `ipv6_mreq`,
 * `group_req`, `group_source_req`) and `linger`. Ports are in network byte
 * order inside them, as in C; addresses are their raw network-order bytes.
 * Checked against gcc by `scripts/layout_probe.ts`.
 *
 * @module
 */

import { type Abi, requireHostAbi } from "./abi.ts";
import { reserved } from "./array_types.ts";
import { bytes } from "./byte_array_types.ts";
import { cUlong } from "./c_types.ts";
import { type Layout, struct } from "./layout.ts";
import { i32, u16, u32, withByteOrder } from "./number_types.ts";

/** `struct sockaddr`: the generic address header. */
export interface Sockaddr {
  /** Address family (`AF_INET`, ...). */
  sa_family: number;
  /** Family-specific bytes. */
  sa_data: Uint8Array;
}

/** `struct sockaddr_in`: an IPv4 address and port. */
export interface SockaddrIn {
  /** `AF_INET`. */
  sin_family: number;
  /** The port (stored in network byte order). */
  sin_port: number;
  /** The address, 4 bytes in network order. */
  sin_addr: Uint8Array;
  /** Zero padding. */
  sin_zero: Uint8Array;
}

/** `struct sockaddr_in6`: an IPv6 address, port, flow and scope. */
export interface SockaddrIn6 {
  /** `AF_INET6`. */
  sin6_family: number;
  /** The port (stored in network byte order). */
  sin6_port: number;
  /** Flow information (stored in network byte order). */
  sin6_flowinfo: number;
  /** The address, 16 bytes in network order. */
  sin6_addr: Uint8Array;
  /** Scope (interface index) of link-local addresses. */
  sin6_scope_id: number;
}

/** `struct sockaddr_un`: a Unix domain socket path. */
export interface SockaddrUn {
  /** `AF_UNIX`. */
  sun_family: number;
  /** The path bytes (a leading NUL makes an abstract name). */
  sun_path: Uint8Array;
}

/** `struct sockaddr_storage`: room for any socket address. */
export interface SockaddrStorage {
  /** Address family. */
  ss_family: number;
  /** The rest of the address. */
  __ss_padding: Uint8Array;
}

/** `struct ip_mreq`: join or leave an IPv4 group on an interface given by address. */
export interface IpMreq {
  /** The group, 4 bytes. */
  imr_multiaddr: Uint8Array;
  /** The interface's address, 4 bytes (0.0.0.0: let the kernel choose). */
  imr_interface: Uint8Array;
}

/** `struct ip_mreqn`: join or leave an IPv4 group on an interface given by address or index. */
export interface IpMreqn {
  /** The group, 4 bytes. */
  imr_multiaddr: Uint8Array;
  /** The interface's address, 4 bytes. */
  imr_address: Uint8Array;
  /** The interface's index (0: any). */
  imr_ifindex: number;
}

/** `struct ip_mreq_source`: source-specific IPv4 membership. */
export interface IpMreqSource {
  /** The group, 4 bytes. */
  imr_multiaddr: Uint8Array;
  /** The interface's address, 4 bytes. */
  imr_interface: Uint8Array;
  /** The source, 4 bytes. */
  imr_sourceaddr: Uint8Array;
}

/** `struct ipv6_mreq`: join or leave an IPv6 group. */
export interface Ipv6Mreq {
  /** The group, 16 bytes. */
  ipv6mr_multiaddr: Uint8Array;
  /** The interface's index (0: any). */
  ipv6mr_interface: number;
}

/** `struct group_req`: protocol-independent group membership (`MCAST_JOIN_GROUP`). */
export interface GroupReq {
  /** The interface's index. */
  gr_interface: number;
  /** The group, as a socket address. */
  gr_group: SockaddrStorage;
}

/** `struct group_source_req`: protocol-independent source-specific membership. */
export interface GroupSourceReq {
  /** The interface's index. */
  gsr_interface: number;
  /** The group, as a socket address. */
  gsr_group: SockaddrStorage;
  /** The source, as a socket address. */
  gsr_source: SockaddrStorage;
}

/** `struct linger`: the `SO_LINGER` option. */
export interface Linger {
  /** Non-zero: linger on close. */
  l_onoff: number;
  /** How long to linger, in seconds. */
  l_linger: number;
}

/** The socket layouts of one ABI. */
export interface NetLayouts {
  /** `struct sockaddr`. */
  readonly sockaddr: Layout<Sockaddr>;
  /** `struct sockaddr_in`. */
  readonly sockaddr_in: Layout<SockaddrIn>;
  /** `struct sockaddr_in6`. */
  readonly sockaddr_in6: Layout<SockaddrIn6>;
  /** `struct sockaddr_un`. */
  readonly sockaddr_un: Layout<SockaddrUn>;
  /** `struct sockaddr_storage`. */
  readonly sockaddr_storage: Layout<SockaddrStorage>;
  /** `struct ip_mreq`. */
  readonly ip_mreq: Layout<IpMreq>;
  /** `struct ip_mreqn`. */
  readonly ip_mreqn: Layout<IpMreqn>;
  /** `struct ip_mreq_source`. */
  readonly ip_mreq_source: Layout<IpMreqSource>;
  /** `struct ipv6_mreq`. */
  readonly ipv6_mreq: Layout<Ipv6Mreq>;
  /** `struct group_req`. */
  readonly group_req: Layout<GroupReq>;
  /** `struct group_source_req`. */
  readonly group_source_req: Layout<GroupSourceReq>;
  /** `struct linger`. */
  readonly linger: Layout<Linger>;
}

const cache = new Map<Abi, NetLayouts>();

/**
 * Returns the socket layouts of an ABI.
 *
 * @param abi The ABI (default: the host's).
 * @returns The layouts, built once per ABI.
 * @throws {Error} On a host that unixipc does not support, when no ABI is given.
 *
 * @example
 * ```ts
 * import { netLayouts } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const { sockaddr_in } = netLayouts();
 * const bytes = sockaddr_in.encode({
 *   sin_family: 2,
 *   sin_port: 1989,
 *   sin_addr: new Uint8Array([127, 0, 0, 1]),
 *   sin_zero: new Uint8Array(8),
 * });
 * assert.equal(bytes.length, 16);
 * assert.deepEqual(bytes.subarray(2, 8), new Uint8Array([0x07, 0xc5, 127, 0, 0, 1]));
 * ```
 */
export function netLayouts(abi: Abi = requireHostAbi()): NetLayouts {
  let layouts = cache.get(abi);
  if (!layouts) {
    layouts = buildNetLayouts(abi);
    cache.set(abi, layouts);
  }
  return layouts;
}

function buildNetLayouts(abi: Abi): NetLayouts {
  const inAddr = bytes(4, { align: 4 });
  const in6Addr = bytes(16, { align: 4 });
  const port = withByteOrder(u16, "big");

  const sockaddr = struct([
    ["sa_family", u16],
    ["sa_data", bytes(14)],
  ], { name: "struct sockaddr", abi });

  const sockaddr_in = struct([
    ["sin_family", u16],
    ["sin_port", port],
    ["sin_addr", inAddr],
    ["sin_zero", bytes(8)],
  ], { name: "struct sockaddr_in", abi });

  const sockaddr_in6 = struct([
    ["sin6_family", u16],
    ["sin6_port", port],
    ["sin6_flowinfo", withByteOrder(u32, "big")],
    ["sin6_addr", in6Addr],
    ["sin6_scope_id", u32],
  ], { name: "struct sockaddr_in6", abi });

  const sockaddr_un = struct([
    ["sun_family", u16],
    ["sun_path", bytes(108)],
  ], { name: "struct sockaddr_un", abi });

  const sockaddr_storage = struct([
    ["ss_family", u16],
    ["__ss_padding", bytes(128 - 2 - abi.long)],
    ["__ss_align", reserved(cUlong)],
  ], { name: "struct sockaddr_storage", abi });

  const ip_mreq = struct([
    ["imr_multiaddr", inAddr],
    ["imr_interface", inAddr],
  ], { name: "struct ip_mreq", abi });

  const ip_mreqn = struct([
    ["imr_multiaddr", inAddr],
    ["imr_address", inAddr],
    ["imr_ifindex", i32],
  ], { name: "struct ip_mreqn", abi });

  const ip_mreq_source = struct([
    ["imr_multiaddr", inAddr],
    ["imr_interface", inAddr],
    ["imr_sourceaddr", inAddr],
  ], { name: "struct ip_mreq_source", abi });

  const ipv6_mreq = struct([
    ["ipv6mr_multiaddr", in6Addr],
    ["ipv6mr_interface", u32],
  ], { name: "struct ipv6_mreq", abi });

  const group_req = struct([
    ["gr_interface", u32],
    ["gr_group", sockaddr_storage],
  ], { name: "struct group_req", abi });

  const group_source_req = struct([
    ["gsr_interface", u32],
    ["gsr_group", sockaddr_storage],
    ["gsr_source", sockaddr_storage],
  ], { name: "struct group_source_req", abi });

  const linger = struct([
    ["l_onoff", i32],
    ["l_linger", i32],
  ], { name: "struct linger", abi });

  return Object.freeze({
    sockaddr,
    sockaddr_in,
    sockaddr_in6,
    sockaddr_un,
    sockaddr_storage,
    ip_mreq,
    ip_mreqn,
    ip_mreq_source,
    ipv6_mreq,
    group_req,
    group_source_req,
    linger,
  });
}
