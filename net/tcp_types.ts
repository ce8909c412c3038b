/**
 * The types of TCP listeners and connections: the options of listening,
 * accepting, connecting, reads and writes, and the directions of a shutdown.
 *
 * @module
 */

import type { AddressFamily, AddressLike } from "./address.ts";

/** Options of {@linkcode TcpListener.listen}, applied before binding. */
export interface TcpListenOptions {
  /** The address family when the address is only `{ port }`. Default: `"ipv4"`. */
  readonly family?: AddressFamily;
  /** The most connections the kernel queues before `accept` takes them. Default: `SOMAXCONN` (capped by `net.core.somaxconn`). */
  readonly backlog?: number;
  /** `SO_REUSEADDR`: bind even while old connections on the port linger in TIME_WAIT. Default: true, as servers want. */
  readonly reuseAddress?: boolean;
  /** `SO_REUSEPORT`: several listeners on one port, the kernel balancing connections across them. */
  readonly reusePort?: boolean;
  /** `IPV6_V6ONLY`, for IPv6 listeners: refuse IPv4 clients. */
  readonly ipv6Only?: boolean;
  /** `TCP_NODELAY` for every accepted connection (Linux copies it from the listener). */
  readonly noDelay?: boolean;
  /** `SO_RCVBUF` in bytes, for the listener and the connections it accepts. */
  readonly receiveBufferSize?: number;
  /** `SO_SNDBUF` in bytes, for the listener and the connections it accepts. */
  readonly sendBufferSize?: number;
}

/** Options of {@linkcode TcpListener.accept}. */
export interface AcceptOptions {
  /** Cancels the wait: the call rejects with the signal's reason, and no connection is taken. */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms: a `TimeoutError` DOMException. */
  readonly timeout?: number;
}

/** Options of {@linkcode TcpConnection.connect} and {@linkcode TcpConnection.connectSync}. */
export interface TcpConnectOptions {
  /** Bind to this local address before connecting (a port of 0 lets the kernel choose). */
  readonly localAddress?: AddressLike;
  /** `TCP_NODELAY`: send small writes at once (no Nagle delay). */
  readonly noDelay?: boolean;
  /** `SO_KEEPALIVE`: probe an idle connection. */
  readonly keepAlive?: boolean;
  /** `SO_RCVBUF` in bytes. */
  readonly receiveBufferSize?: number;
  /** `SO_SNDBUF` in bytes. */
  readonly sendBufferSize?: number;
  /** Cancels the connect: it rejects with the signal's reason, and the socket is closed. */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms: a `TimeoutError` DOMException. Default: the kernel's (about two minutes). */
  readonly timeout?: number;
}

/** Options of async reads and writes. */
export interface TcpIoOptions {
  /** Cancels the wait: the call rejects with the signal's reason (bytes written before stay written). */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms of waiting: a `TimeoutError` DOMException. */
  readonly timeout?: number;
}

/** Options of sync calls that can wait. */
export interface TimeoutOptions {
  /** Gives up after this many ms of waiting: a `TimeoutError` DOMException. */
  readonly timeout?: number;
}

/** Which direction {@linkcode TcpConnection.shutdown} stops: `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`. */
export type ShutdownHow = "read" | "write" | "both";
