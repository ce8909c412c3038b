/**
 * Socket constants with their Linux values (the same on x86_64 and
 * aarch64): address families, socket types, option levels and names,
 * message flags, shutdown modes. They keep their C spelling, so that code
 * ported from C reads the same; `tests/net/constants_test.ts` checks every
 * one against gcc's headers.
 *
 * Pure TypeScript: no FFI, no permission.
 *
 * @example
 * ```ts
 * import { AF_INET, IPPROTO_IP, IP_MULTICAST_TTL, SOCK_DGRAM } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(AF_INET, 2);
 * assert.equal(SOCK_DGRAM, 2);
 * assert.equal(IPPROTO_IP, 0);
 * assert.equal(IP_MULTICAST_TTL, 33);
 * ```
 *
 * @module
 */

// ---- address families -------------------------------------------------------

/** Unspecified address family. */
export const AF_UNSPEC = 0;
/** Unix domain sockets (`AF_LOCAL`). */
export const AF_UNIX = 1;
/** IPv4. */
export const AF_INET = 2;
/** IPv6. */
export const AF_INET6 = 10;

// ---- socket types -----------------------------------------------------------

/** A reliable byte stream (TCP). */
export const SOCK_STREAM = 1;
/** Datagrams (UDP). */
export const SOCK_DGRAM = 2;
/** Raw network protocol access. */
export const SOCK_RAW = 3;
/** Reliable datagrams. */
export const SOCK_RDM = 4;
/** Ordered, reliable datagrams over a connection. */
export const SOCK_SEQPACKET = 5;
/** Flag for `socket` and `accept4`: open the fd with `O_NONBLOCK`. */
export const SOCK_NONBLOCK = 0o4000;
/** Flag for `socket` and `accept4`: open the fd with `O_CLOEXEC`. */
export const SOCK_CLOEXEC = 0o2000000;

// ---- protocols (option levels) ----------------------------------------------

/** The socket level of `getsockopt`/`setsockopt`. */
export const SOL_SOCKET = 1;
/** IP (the level of `IP_*` options). */
export const IPPROTO_IP = 0;
/** ICMP. */
export const IPPROTO_ICMP = 1;
/** TCP (the level of `TCP_*` options). */
export const IPPROTO_TCP = 6;
/** UDP. */
export const IPPROTO_UDP = 17;
/** IPv6 (the level of `IPV6_*` options). */
export const IPPROTO_IPV6 = 41;
/** ICMPv6. */
export const IPPROTO_ICMPV6 = 58;
/** Raw IP packets. */
export const IPPROTO_RAW = 255;

// ---- SOL_SOCKET options -----------------------------------------------------

/** Record debugging information (int boolean). */
export const SO_DEBUG = 1;
/** Allow reuse of local addresses in `bind` (int boolean). */
export const SO_REUSEADDR = 2;
/** The socket type, read-only (int: `SOCK_STREAM`, ...). */
export const SO_TYPE = 3;
/** The pending socket error, read and cleared (int errno). */
export const SO_ERROR = 4;
/** Send only to directly connected hosts (int boolean). */
export const SO_DONTROUTE = 5;
/** Allow sending to broadcast addresses (int boolean). */
export const SO_BROADCAST = 6;
/** Send buffer size in bytes (int; the kernel doubles what is set). */
export const SO_SNDBUF = 7;
/** Receive buffer size in bytes (int; the kernel doubles what is set). */
export const SO_RCVBUF = 8;
/** Send keep-alive probes on a connection (int boolean). */
export const SO_KEEPALIVE = 9;
/** Leave out-of-band data inline (int boolean). */
export const SO_OOBINLINE = 10;
/** Linger on close while data remains to send (`struct linger`). */
export const SO_LINGER = 13;
/** Allow several sockets to bind the same address and port (int boolean). */
export const SO_REUSEPORT = 15;
/** Pass credentials on a Unix socket (int boolean). */
export const SO_PASSCRED = 16;
/** The peer's credentials on a Unix socket (`struct ucred`). */
export const SO_PEERCRED = 17;
/** Minimum bytes before a receive returns (int). */
export const SO_RCVLOWAT = 18;
/** Minimum bytes before a send goes out (int). */
export const SO_SNDLOWAT = 19;
/** Receive timeout of blocking calls (`struct timeval`). */
export const SO_RCVTIMEO = 20;
/** Send timeout of blocking calls (`struct timeval`). */
export const SO_SNDTIMEO = 21;
/** Bind the socket to a network device by name (char array). */
export const SO_BINDTODEVICE = 25;
/** Whether the socket listens, read-only (int boolean). */
export const SO_ACCEPTCONN = 30;
/** The socket's protocol, read-only (int). */
export const SO_PROTOCOL = 38;
/** The socket's domain, read-only (int). */
export const SO_DOMAIN = 39;

// ---- IPPROTO_IP options -----------------------------------------------------

/** Type-of-service byte of outgoing packets (int). */
export const IP_TOS = 1;
/** Time-to-live of outgoing unicast packets (int, 1-255). */
export const IP_TTL = 2;
/** The application supplies the IP header (int boolean). */
export const IP_HDRINCL = 3;
/** IP options of outgoing packets. */
export const IP_OPTIONS = 4;
/** Pass an `IP_PKTINFO` control message with received datagrams (int boolean). */
export const IP_PKTINFO = 8;
/** Path MTU discovery mode (int). */
export const IP_MTU_DISCOVER = 10;
/** Queue extended errors (int boolean). */
export const IP_RECVERR = 11;
/** Pass an `IP_TTL` control message with received datagrams (int boolean). */
export const IP_RECVTTL = 12;
/** The path MTU of a connected socket, read-only (int). */
export const IP_MTU = 14;
/** Allow binding to an address that is not (yet) local (int boolean). */
export const IP_FREEBIND = 15;
/** The interface of outgoing multicast (`struct ip_mreqn` to set, `struct in_addr` read). */
export const IP_MULTICAST_IF = 32;
/** Time-to-live of outgoing multicast (int, 0-255; default 1). */
export const IP_MULTICAST_TTL = 33;
/** Loop outgoing multicast back to local sockets (int boolean; default on). */
export const IP_MULTICAST_LOOP = 34;
/** Join a multicast group (`struct ip_mreqn`). */
export const IP_ADD_MEMBERSHIP = 35;
/** Leave a multicast group (`struct ip_mreqn`). */
export const IP_DROP_MEMBERSHIP = 36;
/** Unblock a source of a group joined for any source (`struct ip_mreq_source`). */
export const IP_UNBLOCK_SOURCE = 37;
/** Block a source of a group joined for any source (`struct ip_mreq_source`). */
export const IP_BLOCK_SOURCE = 38;
/** Join a group for one source (`struct ip_mreq_source`). */
export const IP_ADD_SOURCE_MEMBERSHIP = 39;
/** Leave a group joined for one source (`struct ip_mreq_source`). */
export const IP_DROP_SOURCE_MEMBERSHIP = 40;
/** Receive multicast of every group joined by any socket, not only this one's (int boolean; default on). */
export const IP_MULTICAST_ALL = 49;

// ---- IPPROTO_IPV6 options ---------------------------------------------------

/** Hop limit of outgoing unicast packets (int, -1 for the route's default). */
export const IPV6_UNICAST_HOPS = 16;
/** The interface of outgoing multicast (int interface index). */
export const IPV6_MULTICAST_IF = 17;
/** Hop limit of outgoing multicast (int, -1 for the default, 1). */
export const IPV6_MULTICAST_HOPS = 18;
/** Loop outgoing multicast back to local sockets (int boolean). */
export const IPV6_MULTICAST_LOOP = 19;
/** Join a multicast group (`struct ipv6_mreq`); `IPV6_ADD_MEMBERSHIP` in glibc. */
export const IPV6_JOIN_GROUP = 20;
/** Leave a multicast group (`struct ipv6_mreq`); `IPV6_DROP_MEMBERSHIP` in glibc. */
export const IPV6_LEAVE_GROUP = 21;
/** Restrict an `AF_INET6` socket to IPv6, no IPv4-mapped addresses (int boolean). */
export const IPV6_V6ONLY = 26;
/** Pass an `IPV6_PKTINFO` control message with received datagrams (int boolean). */
export const IPV6_RECVPKTINFO = 49;
/** The type of the `IPV6_PKTINFO` control message. */
export const IPV6_PKTINFO = 50;

// ---- protocol-independent multicast (RFC 3678), levels IPPROTO_IP and IPPROTO_IPV6 --

/** Join a group (`struct group_req`). */
export const MCAST_JOIN_GROUP = 42;
/** Block a source (`struct group_source_req`). */
export const MCAST_BLOCK_SOURCE = 43;
/** Unblock a source (`struct group_source_req`). */
export const MCAST_UNBLOCK_SOURCE = 44;
/** Leave a group (`struct group_req`). */
export const MCAST_LEAVE_GROUP = 45;
/** Join a group for one source (`struct group_source_req`). */
export const MCAST_JOIN_SOURCE_GROUP = 46;
/** Leave a group joined for one source (`struct group_source_req`). */
export const MCAST_LEAVE_SOURCE_GROUP = 47;

// ---- IPPROTO_TCP options ----------------------------------------------------

/** Send small segments at once, without Nagle's delay (int boolean). */
export const TCP_NODELAY = 1;
/** Maximum segment size (int). */
export const TCP_MAXSEG = 2;
/** Hold back partial frames until uncorked (int boolean). */
export const TCP_CORK = 3;
/** Idle seconds before the first keep-alive probe (int, 1-32767). */
export const TCP_KEEPIDLE = 4;
/** Seconds between keep-alive probes (int, 1-32767). */
export const TCP_KEEPINTVL = 5;
/** Unanswered probes before the connection is dropped (int, 1-127). */
export const TCP_KEEPCNT = 6;
/** SYN retransmits before a connect gives up (int). */
export const TCP_SYNCNT = 7;
/** Lifetime of orphaned FIN_WAIT2 sockets (int seconds). */
export const TCP_LINGER2 = 8;
/** Wake the listener only when data arrives (int seconds). */
export const TCP_DEFER_ACCEPT = 9;
/** Bound the advertised window (int). */
export const TCP_WINDOW_CLAMP = 10;
/** Connection information, read-only (`struct tcp_info`). */
export const TCP_INFO = 11;
/** Send ACKs at once (int boolean, not permanent). */
export const TCP_QUICKACK = 12;
/** Milliseconds unacknowledged data may wait before the connection is dropped (unsigned int). */
export const TCP_USER_TIMEOUT = 18;
/** TCP Fast Open on a listener (int: queue length). */
export const TCP_FASTOPEN = 23;

// ---- message flags (send, recv, sendmsg, recvmsg, msg_flags) -----------------

/** Out-of-band data. */
export const MSG_OOB = 0x1;
/** Look at the data without taking it. */
export const MSG_PEEK = 0x2;
/** Send only to directly connected hosts. */
export const MSG_DONTROUTE = 0x4;
/** In `msg_flags`: control data was cut for lack of room. */
export const MSG_CTRUNC = 0x8;
/** In `msg_flags`: the datagram was longer than the buffer. As a `recv` flag: return the real length. */
export const MSG_TRUNC = 0x20;
/** This call does not wait, whatever `O_NONBLOCK` says. */
export const MSG_DONTWAIT = 0x40;
/** End of record. */
export const MSG_EOR = 0x80;
/** Wait for the full request (stream sockets). */
export const MSG_WAITALL = 0x100;
/** Tell the link layer that the peer answered. */
export const MSG_CONFIRM = 0x800;
/** Receive from the error queue. */
export const MSG_ERRQUEUE = 0x2000;
/** Fail with EPIPE instead of raising SIGPIPE when the peer has gone. */
export const MSG_NOSIGNAL = 0x4000;
/** More data follows (cork this send). */
export const MSG_MORE = 0x8000;

// ---- shutdown ----------------------------------------------------------------

/** Stop receiving. */
export const SHUT_RD = 0;
/** Stop sending (the peer reads end of file). */
export const SHUT_WR = 1;
/** Stop both. */
export const SHUT_RDWR = 2;

// ---- limits and well-known addresses ----------------------------------------

/** The backlog `listen` uses when asked for more (the kernel caps it at `net.core.somaxconn`). */
export const SOMAXCONN = 4096;
/** Length of an IPv4 address in text, NUL included (`inet_ntop`). */
export const INET_ADDRSTRLEN = 16;
/** Length of an IPv6 address in text, NUL included (`inet_ntop`). */
export const INET6_ADDRSTRLEN = 46;
/** Length of an interface name, NUL included. */
export const IF_NAMESIZE = 16;
