/**
 * The private link between the TCP listener and connections: how a
 * listener wraps an accepted fd whose peer it already knows. Filled in by
 * `tcp_connection.ts` when it loads.
 *
 * @module
 */

import type { SocketAddress } from "./address.ts";
import type { TcpConnection } from "./tcp_connection.ts";

/** What the listener needs from `TcpConnection` and cannot get publicly. */
export interface TcpAccess {
  /** Wraps a connected, O_NONBLOCK fd whose peer is known. */
  adopt(fd: number, peer: SocketAddress): TcpConnection;
}

/** Filled in by `tcp_connection.ts` when it loads. */
export const tcpAccess: TcpAccess = {
  adopt(): TcpConnection {
    throw new Error("tcp_connection.ts is not loaded");
  },
};
