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
import type { ReceiveOptions, SendOptions } from "./udp_socket.ts";

/** The largest UDP payload (65535 minus the IPv4 and UDP headers). */
export const MAX_UDP_PAYLOAD = 65507;

const DEFAULT_MAX_SIZE = 65536;
/** One receive buffer for the whole process: calls run one at a time on the main thread. */
const scratch = new Uint8Array(DEFAULT_MAX_SIZE);
const scratchLength = BigInt(DEFAULT_MAX_SIZE);
const sizeCache: bigint[] = [];

/** `n` as a bigint, for a `size_t` parameter; small ones cached. */
export function sizeOf(n: number): bigint {
  return n < 2048 ? (sizeCache[n] ??= BigInt(n)) : BigInt(n);
}

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

/** The buffer, its length as a bigint, the recv flags and allowTruncated of a receive. */
export function receiveArgs(
  options: ReceiveOptions<unknown> | undefined,
): [Uint8Array, bigint, number, boolean] {
  if (options === undefined) return [scratch, scratchLength, MSG_TRUNC, false];
  checkOptions(options);
  const flags = options.flags === undefined
    ? MSG_TRUNC
    : checkInt32(options.flags, "options.flags") | MSG_TRUNC;
  const allow = options.allowTruncated === undefined
    ? false
    : checkBoolean(options.allowTruncated, "options.allowTruncated");
  if (options.buffer !== undefined) {
    const buffer = checkBytes(options.buffer, "options.buffer");
    if (options.maxSize !== undefined) {
      throw new TypeError("Give options.buffer or options.maxSize, not both");
    }
    return [buffer, sizeOf(buffer.length), flags, allow];
  }
  if (options.maxSize !== undefined) {
    const max = checkSafeInteger(options.maxSize, "options.maxSize", 1, DEFAULT_MAX_SIZE);
    return [scratch.subarray(0, max), sizeOf(max), flags, allow];
  }
  return [scratch, scratchLength, flags, allow];
}
