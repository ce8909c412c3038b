/**
 * The private link between TCP connections and the code that makes them:
 * how a listener (or a connect) wraps a connected fd whose peer it already
 * knows. Filled in by `tcp_connection.ts` when it loads.
 *
 * @module
 */

import type { SocketAddress } from "./address.ts";
import type { TcpConnection } from "./tcp_connection.ts";

/** What the listener needs from `TcpConnection` and cannot get publicly. */
export interface TcpAccess {
  /** Wraps a connected fd whose peer is known (accept, connect). */
  adopt(fd: number, peer: SocketAddress): TcpConnection;
}

/** Filled in by `tcp_connection.ts` when it loads. */
export const tcpAccess: TcpAccess = {
  adopt(): TcpConnection {
    throw new Error("tcp_connection.ts is not loaded");
  },
};
