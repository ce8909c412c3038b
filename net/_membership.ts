/**
 * How multicast requests become the C structs the kernel takes: group and
 * source addresses checked, interfaces (an address, a name, an index)
 * resolved, and `ip_mreqn`, `ip_mreq_source`, `ipv6_mreq` and
 * `group_source_req` encoded.
 *
 * @module
 */

import { checkOptions, checkUint32, describeValue } from "../ipc/_checks.ts";
import { netLayouts } from "../endian/libc_net.ts";
import { hostByteOrder } from "../endian/byte_order.ts";
import { checkInterfaceName } from "./_checks.ts";
import { addressFamily, inetPton } from "./inet.ts";
import { interfaceIndex } from "./interfaces.ts";
import type { SocketAddress } from "./address.ts";
import { sockaddrAccess } from "./_sockaddr.ts";
import type {
  Ipv6MembershipRequest,
  MembershipRequest,
  SourceMembershipRequest,
} from "./socket_options.ts";

const littleEndian = hostByteOrder === "little";

/** Checks a multicast group address of a family and returns its bytes. */
export function checkGroupAddress(
  value: unknown,
  what: string,
  family: "ipv4" | "ipv6",
): Uint8Array {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string: got ${describeValue(value)}`);
  }
  const bytes = parseFamily(value, what, family);
  const multicast = family === "ipv4" ? (bytes[0]! & 0xf0) === 0xe0 : bytes[0] === 0xff;
  if (!multicast) {
    throw new RangeError(
      `${what} must be an ${
        family === "ipv4"
          ? "IPv4 multicast address (224.0.0.0/4)"
          : "IPv6 multicast address (ff00::/8)"
      }: got ${describeValue(value)}`,
    );
  }
  return bytes;
}

function parseFamily(value: string, what: string, family: "ipv4" | "ipv6"): Uint8Array {
  try {
    return inetPton(family, value);
  } catch {
    throw new RangeError(
      `${what} must be a numeric ${family === "ipv4" ? "IPv4" : "IPv6"} address: got ${
        describeValue(value)
      }`,
    );
  }
}

/** Resolves an IPv4 interface reference to the `imr_address` and `imr_ifindex` of an `ip_mreqn`. */
export function ipv4Interface(
  value: unknown,
  what: string,
): { address: Uint8Array; index: number } {
  if (value === undefined) return { address: new Uint8Array(4), index: 0 };
  if (typeof value === "number") {
    return { address: new Uint8Array(4), index: checkUint32(value, what) };
  }
  if (typeof value !== "string") {
    throw new TypeError(
      `${what} must be an IPv4 address, an interface name or an interface index: got ${
        describeValue(value)
      }`,
    );
  }
  const family = addressFamily(value);
  if (family === "ipv4") return { address: inetPton("ipv4", value), index: 0 };
  if (family === "ipv6") {
    throw new RangeError(
      `${what} must be an IPv4 address, an interface name or an index: got ${
        describeValue(value)
      }, an IPv6 address`,
    );
  }
  return { address: new Uint8Array(4), index: interfaceIndex(checkInterfaceName(value, what)) };
}

/** Resolves an IPv6 interface reference (name or index) to an index. */
export function ipv6Interface(value: unknown, what: string): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return checkUint32(value, what);
  return interfaceIndex(checkInterfaceName(value, what));
}

/** Encodes the `struct ip_mreqn` of `IP_ADD_MEMBERSHIP` and `IP_DROP_MEMBERSHIP`. */
export function mreqn(value: unknown, what: string): Uint8Array {
  const request = checkOptions(value as MembershipRequest, what);
  const group = checkGroupAddress(request.group, `${what}.group`, "ipv4");
  const iface = ipv4Interface(request.interface, `${what}.interface`);
  return netLayouts().ip_mreqn.encode({
    imr_multiaddr: group,
    imr_address: iface.address,
    imr_ifindex: iface.index,
  });
}

/** Encodes the `struct ip_mreq_source` of `IP_ADD_SOURCE_MEMBERSHIP` and `IP_DROP_SOURCE_MEMBERSHIP`. */
export function mreqSource(value: unknown, what: string): Uint8Array {
  const request = checkOptions(value as SourceMembershipRequest, what);
  const group = checkGroupAddress(request.group, `${what}.group`, "ipv4");
  if (typeof request.source !== "string") {
    throw new TypeError(
      `${what}.source must be an IPv4 address: got ${describeValue(request.source)}`,
    );
  }
  const source = parseFamily(request.source, `${what}.source`, "ipv4");
  let iface: Uint8Array = new Uint8Array(4);
  if (request.interface !== undefined) {
    if (typeof request.interface !== "string") {
      throw new TypeError(
        `${what}.interface must be an IPv4 address: got ${describeValue(request.interface)}`,
      );
    }
    iface = parseFamily(request.interface, `${what}.interface`, "ipv4");
  }
  return netLayouts().ip_mreq_source.encode({
    imr_multiaddr: group,
    imr_interface: iface,
    imr_sourceaddr: source,
  });
}

/** Encodes the `struct ipv6_mreq` of `IPV6_JOIN_GROUP` and `IPV6_LEAVE_GROUP`. */
export function ipv6Mreq(value: unknown, what: string): Uint8Array {
  const request = checkOptions(value as Ipv6MembershipRequest, what);
  const group = checkGroupAddress(request.group, `${what}.group`, "ipv6");
  return netLayouts().ipv6_mreq.encode({
    ipv6mr_multiaddr: group,
    ipv6mr_interface: ipv6Interface(request.interface, `${what}.interface`),
  });
}

/**
 * Encodes a `struct group_source_req` (RFC 3678) for
 * `MCAST_JOIN_SOURCE_GROUP` and `MCAST_LEAVE_SOURCE_GROUP`.
 */
export function groupSourceReq(
  index: number,
  group: SocketAddress,
  source: SocketAddress,
): Uint8Array {
  const layout = netLayouts().group_source_req;
  const out = new Uint8Array(layout.size);
  new DataView(out.buffer).setUint32(layout.offsetOf("gsr_interface"), index, littleEndian);
  out.set(sockaddrAccess.bytes(group), layout.offsetOf("gsr_group"));
  out.set(sockaddrAccess.bytes(source), layout.offsetOf("gsr_source"));
  return out;
}
