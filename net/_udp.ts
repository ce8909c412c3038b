/**
 * The private side of UDP sockets: the receive buffer shared by every
 * socket, and the checks of send payloads and receive options.
 *
 * @module
 */

import {
  checkBoolean,
  checkBytes,
  checkInt32,
  checkOptions,
  checkSafeInteger,
} from "../ipc/_checks.ts";
import { MSG_TRUNC } from "./constants.ts";
import { sizeOf } from "./_socket.ts";
import type { ReceiveOptions, SendOptions } from "./udp_socket.ts";

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
