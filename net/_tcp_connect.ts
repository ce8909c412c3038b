/**
 * The steps of a TCP connect: a non-blocking socket with its options, the
 * `connect` that starts, the outcome of one in progress (`SO_ERROR`), and
 * the connected socket put in blocking mode and wrapped.
 *
 * @module
 */

import { EINPROGRESS, EINTR } from "../ipc/_errnos.ts";
import { errnoCell, libc } from "../ipc/_libc.ts";
import { F_SETFL } from "../ipc/constants.ts";
import { SocketAddress } from "./address.ts";
import {
  bindSocket,
  closeQuietly,
  errnoCallError,
  lastErrno,
  openSocket,
  sockaddrOf,
} from "./_socket.ts";
import { SOCK_NONBLOCK, SOCK_STREAM } from "./constants.ts";
import { readOption, writeOption } from "./_socket_options.ts";
import { tcpAccess } from "./_tcp.ts";
import type { TcpConnection } from "./tcp_connection.ts";
import type { TcpConnectOptions } from "./tcp_types.ts";

/** Opens a non-blocking socket, sets options, binds, and starts connecting. */
export function startConnect(
  target: SocketAddress,
  o: TcpConnectOptions,
): { fd: number; inProgress: boolean } {
  const local = o.localAddress === undefined ? undefined : SocketAddress.from(o.localAddress);
  if (local && local.family !== target.family) {
    throw new RangeError(
      `options.localAddress ${local} and the address ${target} must be of the same family`,
    );
  }
  const fd = openSocket(target.family, SOCK_STREAM, SOCK_NONBLOCK, "a TCP socket");
  try {
    const what = `the TCP socket connecting to ${target}`;
    if (o.noDelay !== undefined) writeOption(fd, "TCP_NODELAY", o.noDelay, what);
    if (o.keepAlive !== undefined) writeOption(fd, "SO_KEEPALIVE", o.keepAlive, what);
    if (o.receiveBufferSize !== undefined) writeOption(fd, "SO_RCVBUF", o.receiveBufferSize, what);
    if (o.sendBufferSize !== undefined) writeOption(fd, "SO_SNDBUF", o.sendBufferSize, what);
    if (local) bindSocket(fd, local, what);
    const sockaddr = sockaddrOf(target);
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      if (libc().connect(fd, sockaddr, sockaddr.length) === 0) return { fd, inProgress: false };
      const errno = errnoNow[0]!;
      if (errno === EINPROGRESS) return { fd, inProgress: true };
      if (errno !== EINTR) throw errnoCallError(errno, "connect", `connect to ${target}`);
    }
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
}

/**
 * Puts a connected socket in blocking mode (sync calls then block in the
 * kernel, as in C; async ones pass MSG_DONTWAIT) and wraps it.
 */
export function connected(fd: number, target: SocketAddress): TcpConnection {
  // F_SETFL changes only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and O_NONBLOCK, none set but the last.
  if (libc().fcntl(fd, F_SETFL, 0) === -1) {
    const error = errnoCallError(lastErrno(), "fcntl", `connect to ${target}`);
    closeQuietly(fd);
    throw error;
  }
  return tcpAccess.adopt(fd, target);
}

/** Reads the outcome of a connect that was in progress (`SO_ERROR`); closes the fd on failure. */
export function finishConnect(fd: number, target: SocketAddress): void {
  let errno: number;
  try {
    errno = readOption(fd, "SO_ERROR", `the TCP socket connecting to ${target}`);
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
  if (errno !== 0) {
    closeQuietly(fd);
    throw errnoCallError(errno, "connect", `connect to ${target}`, { address: String(target) });
  }
}
