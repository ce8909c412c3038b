/**
 * Multicast membership: any-source joins (`IP_ADD_MEMBERSHIP` with an
 * `ip_mreqn`, `IPV6_JOIN_GROUP`) and source-specific ones
 * (`IP_ADD_SOURCE_MEMBERSHIP` with an `ip_mreq_source` when the interface
 * is given by address, `MCAST_JOIN_SOURCE_GROUP` with a `group_source_req`
 * when it is given by name or index, and for IPv6), and leaving them.
 *
 * @module
 */

import { checkOptions } from "../ipc/_checks.ts";
import { type AddressFamily, SocketAddress } from "./address.ts";
import {
  IPPROTO_IP,
  IPPROTO_IPV6,
  MCAST_JOIN_SOURCE_GROUP,
  MCAST_LEAVE_SOURCE_GROUP,
} from "./constants.ts";
import { checkGroupAddress, groupSourceReq, ipv4Interface, ipv6Interface } from "./_membership.ts";
import { type Subject, writeOption, writeRaw } from "./_socket_options.ts";
import type { GroupOptions } from "./udp_socket_types.ts";

/**
 * Joins or leaves a multicast group on socket `fd`.
 *
 * @param fd The socket.
 * @param family Its family.
 * @param group The group.
 * @param options The interface, and the source for source-specific multicast.
 * @param how Join or leave, and the socket's name for messages.
 */
export function changeMembership(
  fd: number,
  family: AddressFamily,
  group: string,
  options: GroupOptions | undefined,
  how: { readonly join: boolean; readonly what: Subject },
): void {
  const o = checkOptions(options);
  const { join, what } = how;
  if (family === "ipv4") {
    if (o.source === undefined) {
      writeOption(fd, join ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP", {
        group,
        interface: o.interface,
      }, what);
      return;
    }
    const iface = o.interface;
    if (
      iface === undefined ||
      (typeof iface === "string" && ipv4Interface(iface, "options.interface").index === 0)
    ) {
      writeOption(fd, join ? "IP_ADD_SOURCE_MEMBERSHIP" : "IP_DROP_SOURCE_MEMBERSHIP", {
        group,
        source: o.source,
        interface: iface as string | undefined,
      }, what);
      return;
    }
    const index = ipv4Interface(iface, "options.interface").index;
    sourceGroup(fd, family, IPPROTO_IP, index, group, o.source, how);
    return;
  }
  if (o.source === undefined) {
    writeOption(fd, join ? "IPV6_JOIN_GROUP" : "IPV6_LEAVE_GROUP", {
      group,
      interface: o.interface,
    }, what);
    return;
  }
  sourceGroup(
    fd,
    family,
    IPPROTO_IPV6,
    ipv6Interface(o.interface, "options.interface"),
    group,
    o.source,
    how,
  );
}

/** `MCAST_JOIN_SOURCE_GROUP` or `MCAST_LEAVE_SOURCE_GROUP`. */
function sourceGroup(
  fd: number,
  family: AddressFamily,
  level: number,
  index: number,
  group: string,
  source: unknown,
  how: { readonly join: boolean; readonly what: Subject },
): void {
  checkGroupAddress(group, "group", family);
  if (typeof source !== "string") {
    throw new TypeError(`options.source must be an address string: got ${typeof source}`);
  }
  const bytes = groupSourceReq(
    index,
    new SocketAddress({ address: group, family }),
    new SocketAddress({ address: source, family }),
  );
  const name = how.join ? "MCAST_JOIN_SOURCE_GROUP" : "MCAST_LEAVE_SOURCE_GROUP";
  writeRaw(
    fd,
    level,
    how.join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP,
    bytes,
    how.what,
    `${name} (group ${group}, source ${source})`,
  );
}
