/**
 * The private side of UDP sockets: the socket options set at creation, the
 * receive buffer shared by every socket, the checks of send payloads and
 * receive options, what a receive returns, and the errors of sends and
 * receives.
 *
 * @module
 */

import { EAGAIN } from "../ipc/_errnos.ts";
import {
  checkBoolean,
  checkBytes,
  checkInt32,
  checkOptions,
  checkSafeInteger,
} from "../ipc/_checks.ts";
import { MSG_TRUNC } from "./constants.ts";
import { sizeOf } from "./_socket.ts";
import { errnoCode, ErrnoError } from "../ipc/errno.ts";
import type { SocketAddress } from "./address.ts";
import { errnoCallError } from "./_socket.ts";
import type { ReceiveOptions, SendOptions, UdpSocketOptions } from "./udp_socket_types.ts";
import type { UdpSocket } from "./udp_socket.ts";

/** The largest UDP payload (65535 minus the IPv4 and UDP headers). */
export const MAX_UDP_PAYLOAD = 65507;

const DEFAULT_MAX_SIZE = 65536;
/** One receive buffer for the whole process: calls run one at a time on the main thread. */
const scratch = new Uint8Array(DEFAULT_MAX_SIZE);
const scratchLength = BigInt(DEFAULT_MAX_SIZE);
/** The arguments of one receive, from {@linkcode receiveArgs}. */
export interface ReceiveArgs {
  /** Where to receive. */
  buffer: Uint8Array;
  /** Its length, as a bigint. */
  length: bigint;
  /** The recv flags, MSG_TRUNC included. */
  flags: number;
  /** Whether a longer datagram may be cut (reported). */
  allowTruncated: boolean;
}

/** Reused by every receive: callers copy the fields out before anything else runs. */
const args: ReceiveArgs = {
  buffer: scratch,
  length: scratchLength,
  flags: MSG_TRUNC,
  allowTruncated: false,
};

/** The bytes of a send: the data itself, or the record encoded with `options.layout`. */
export function payload<V>(data: V, options: SendOptions<V> | undefined): Uint8Array {
  let bytes: Uint8Array;
  if (options !== undefined && options !== null && options.layout !== undefined) {
    bytes = options.layout.encode(data);
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    bytes = checkBytes(data, "data (without options.layout)");
  }
  if (bytes.length > MAX_UDP_PAYLOAD) {
    throw new RangeError(
      `A UDP datagram holds at most ${MAX_UDP_PAYLOAD} bytes: got ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * The buffer, its length as a bigint, the recv flags and allowTruncated of
 * a receive, checked. The object returned is shared: read it at once.
 */
export function receiveArgs(options: ReceiveOptions<unknown> | undefined): ReceiveArgs {
  if (options === undefined) {
    args.buffer = scratch;
    args.length = scratchLength;
    args.flags = MSG_TRUNC;
    args.allowTruncated = false;
    return args;
  }
  checkOptions(options);
  const flags = options.flags === undefined
    ? MSG_TRUNC
    : checkInt32(options.flags, "options.flags") | MSG_TRUNC;
  const allow = options.allowTruncated === undefined
    ? false
    : checkBoolean(options.allowTruncated, "options.allowTruncated");
  let buffer: Uint8Array = scratch;
  let length = scratchLength;
  if (options.buffer !== undefined) {
    buffer = checkBytes(options.buffer, "options.buffer");
    if (options.maxSize !== undefined) {
      throw new TypeError("Give options.buffer or options.maxSize, not both");
    }
    length = sizeOf(buffer.length);
  } else if (options.maxSize !== undefined) {
    const max = checkSafeInteger(options.maxSize, "options.maxSize", 1, DEFAULT_MAX_SIZE);
    buffer = scratch.subarray(0, max);
    length = sizeOf(max);
  }
  args.buffer = buffer;
  args.length = length;
  args.flags = flags;
  args.allowTruncated = allow;
  return args;
}

/**
 * What a receive returns of a datagram of `size` bytes received into
 * `buffer` (truncation already checked): a copy of its bytes, a view of the
 * caller's buffer, or the record decoded with `options.layout`.
 */
export function receivedPayload<V>(
  buffer: Uint8Array,
  size: number,
  from: SocketAddress | undefined,
  options: ReceiveOptions<V> | undefined,
): V {
  const kept = size > buffer.length ? buffer.length : size;
  if (options === undefined) return buffer.slice(0, kept) as V;
  const layout = options.layout;
  if (layout !== undefined) {
    try {
      return layout.decode(buffer.subarray(0, kept));
    } catch (error) {
      throw new RangeError(
        `Cannot decode the ${size}-byte datagram${from ? ` from ${from}` : ""} as ${layout.name}: ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
  }
  return (options.buffer !== undefined ? buffer.subarray(0, kept) : buffer.slice(0, kept)) as V;
}

/** The error of a datagram longer than the buffer, without `allowTruncated` (EMSGSIZE). */
export function truncatedError(
  size: number,
  bufferSize: number,
  from: SocketAddress | undefined,
  what: string,
): ErrnoError {
  return new ErrnoError(90, {
    syscall: "recvfrom",
    action: `receive a datagram${from ? ` from ${from}` : ""} on ${what}`,
    reason:
      `it was ${size} bytes, more than the ${bufferSize}-byte buffer; its tail is lost (pass a larger buffer or maxSize, or allowTruncated)`,
    details: { size, bufferSize, from: from && String(from) },
  });
}

/** The error of a failed send of `size` bytes from socket `what` (to `to`, or to its peer). */
export function sendError(
  errno: number,
  to: SocketAddress | undefined,
  size: number,
  what: string,
): ErrnoError {
  const reasons: Record<string, string> = {
    EACCES: "it is a broadcast address and SO_BROADCAST is off (set options.broadcast)",
    EMSGSIZE: `the ${size}-byte datagram is too long for the socket or the path`,
    EDESTADDRREQ: "the socket is not connected: give an address (sendTo)",
    ECONNREFUSED: "the peer refused an earlier datagram (nothing listens on its port)",
  };
  return new ErrnoError(errno, {
    syscall: to ? "sendto" : "send",
    action: `send a datagram${to ? ` to ${to}` : ""} from ${what}`,
    reason: reasons[errnoCode(errno)],
    details: { to: to && String(to), size },
  });
}

/** The error of a failed receive on socket `what`, connected to `remote` or not. */
export function receiveError(
  errno: number,
  what: string,
  remote: SocketAddress | undefined,
): ErrnoError {
  if (errno === EAGAIN) {
    return new ErrnoError(errno, {
      syscall: "recvfrom",
      action: `receive on ${what}`,
      reason: "nothing came within the socket's SO_RCVTIMEO",
    });
  }
  const error = errnoCallError(errno, "recvfrom", `receive on ${what}`);
  if (error.code === "ECONNREFUSED" && remote) {
    return new ErrnoError(errno, {
      syscall: "recvfrom",
      action: `receive on ${what}`,
      reason: `the peer ${remote} refused an earlier datagram (nothing listens on its port)`,
    });
  }
  return error;
}

/** Sets the socket options of {@linkcode UdpSocketOptions} on a new socket, before any bind. */
export function applyOptions(socket: UdpSocket, o: UdpSocketOptions): void {
  if (o.reuseAddress !== undefined) socket.setOption("SO_REUSEADDR", o.reuseAddress);
  if (o.reusePort !== undefined) socket.setOption("SO_REUSEPORT", o.reusePort);
  if (o.broadcast !== undefined) socket.setOption("SO_BROADCAST", o.broadcast);
  if (o.ipv6Only !== undefined) {
    if (socket.family !== "ipv6") {
      throw new TypeError("options.ipv6Only applies to IPv6 sockets only");
    }
    socket.setOption("IPV6_V6ONLY", o.ipv6Only);
  }
  if (o.receiveBufferSize !== undefined) socket.setOption("SO_RCVBUF", o.receiveBufferSize);
  if (o.sendBufferSize !== undefined) socket.setOption("SO_SNDBUF", o.sendBufferSize);
  if (o.ttl !== undefined) {
    if (socket.family === "ipv4") socket.setOption("IP_TTL", o.ttl);
    else socket.setOption("IPV6_UNICAST_HOPS", checkSafeInteger(o.ttl, "options.ttl", 1, 255));
  }
  const v4 = socket.family === "ipv4";
  if (o.multicastTtl !== undefined) {
    if (v4) socket.setOption("IP_MULTICAST_TTL", o.multicastTtl);
    else {socket.setOption(
        "IPV6_MULTICAST_HOPS",
        checkSafeInteger(o.multicastTtl, "options.multicastTtl", 0, 255),
      );}
  }
  if (o.multicastLoop !== undefined) {
    socket.setOption(v4 ? "IP_MULTICAST_LOOP" : "IPV6_MULTICAST_LOOP", o.multicastLoop);
  }
  if (o.multicastInterface !== undefined) socket.setMulticastInterface(o.multicastInterface);
}
