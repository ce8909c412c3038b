/**
 * The common core of the socket classes: opening, binding and naming
 * sockets, the scratch buffers of the hot paths, sync waits with a timeout,
 * and the errors every socket call shares.
 *
 * Sockets are opened with SOCK_CLOEXEC. UDP sockets and TCP connections
 * stay in blocking mode: sync calls block in the kernel (one syscall, as in
 * C), and async calls pass MSG_DONTWAIT and wait for readiness through the
 * process's poller (`ipc/_poller.ts`). Listeners and connects in progress
 * are O_NONBLOCK, since accept and connect have no per-call flag.
 *
 * @module
 */

import { EBADF } from "../ipc/_errnos.ts";
import { errnoError, lastErrno, lastError, libc } from "../ipc/_libc.ts";
import { forget, waitForSync } from "../ipc/_poller.ts";
import { checkAbortSignal, checkTimeout } from "../ipc/_checks.ts";
import { ErrnoError } from "../ipc/errno.ts";
import { type AddressFamily, type AddressLike, SocketAddress } from "./address.ts";
import { SOCKADDR_STORAGE_SIZE, sockaddrAccess } from "./_sockaddr.ts";
import { AF_INET, AF_INET6, SOCK_CLOEXEC } from "./constants.ts";

const sizeCache: bigint[] = [];
let lastSize = 65536;
let lastBigSize = 65536n;

/** `n` as a bigint, for a `size_t` parameter, without allocating on hot paths: small ones and the last large one cached. */
export function sizeOf(n: number): bigint {
  if (n < 2048) return sizeCache[n] ??= BigInt(n);
  if (n !== lastSize) {
    lastSize = n;
    lastBigSize = BigInt(n);
  }
  return lastBigSize;
}

/** The longest timer JavaScript runtimes keep exactly (2^31 - 1 ms). */
const maxTimeout = 0x7fffffff;

/** Words for the errno codes of socket calls, in the terms of a socket user. */
export const socketReasons: Readonly<Record<string, string>> = Object.freeze({
  EADDRINUSE: "the address is already in use",
  EADDRNOTAVAIL: "the address is not one of this host's",
  EACCES: "permission denied",
  ECONNREFUSED: "nothing listens there (connection refused)",
  ECONNRESET: "the peer reset the connection",
  EPIPE: "the connection is closed for writing (the peer has gone, or it was shut down)",
  ENETUNREACH: "the network is unreachable",
  EHOSTUNREACH: "the host is unreachable",
  ETIMEDOUT: "the connection timed out",
  EMFILE: "this process has too many open fds",
  ENFILE: "the system has too many open files",
  EMSGSIZE: "the datagram is too long",
  ENOTCONN: "the socket is not connected",
  EISCONN: "the socket is already connected",
  EAFNOSUPPORT: "the address's family does not match the socket's",
  EINVAL: "invalid argument (is the socket already bound, or shut down?)",
});

/** The `sockaddr_storage` that `recvfrom`, `accept4`, `getsockname` and `getpeername` fill in. */
export const addressBuffer: Uint8Array = new Uint8Array(SOCKADDR_STORAGE_SIZE);
/** The `socklen_t` that goes with {@linkcode addressBuffer}. */
export const addressLength: Uint32Array = new Uint32Array(1);
/** {@linkcode addressLength} as bytes, for a `buffer` parameter. */
export const addressLengthBytes: Uint8Array = new Uint8Array(addressLength.buffer);

/** Decodes what the kernel wrote in {@linkcode addressBuffer}. */
export function receivedAddress(): SocketAddress {
  return sockaddrAccess.decode(addressBuffer, addressLength[0]!);
}

/** The encoded `sockaddr` of an address (shared: never write to it). */
export function sockaddrOf(address: SocketAddress): Uint8Array {
  return sockaddrAccess.bytes(address);
}

/** The `AF_*` number of a family. */
export function familyNumber(family: AddressFamily): number {
  return family === "ipv6" ? AF_INET6 : AF_INET;
}

/** Checks an address family option. */
export function checkFamily(value: unknown, what = "options.family"): AddressFamily {
  if (value === "ipv4" || value === "ipv6") return value;
  throw new (typeof value === "string" ? RangeError : TypeError)(
    `${what} must be "ipv4" or "ipv6": got ${
      typeof value === "string" ? JSON.stringify(value) : String(value)
    }`,
  );
}

/**
 * Opens a socket with SOCK_CLOEXEC (and `flags`).
 *
 * @param family Its family.
 * @param type `SOCK_DGRAM` or `SOCK_STREAM`.
 * @param flags More `SOCK_*` flags (`SOCK_NONBLOCK`).
 * @param what What it is, for messages: `"a UDP socket"`.
 * @returns The fd.
 */
export function openSocket(
  family: AddressFamily,
  type: number,
  flags: number,
  what: string,
): number {
  const fd = libc().socket(familyNumber(family), type | SOCK_CLOEXEC | flags, 0);
  if (fd === -1) {
    throw lastError("socket", {
      action: `create ${what} (${family === "ipv6" ? "IPv6" : "IPv4"})`,
      details: { family },
      reasons: socketReasons,
    });
  }
  return fd;
}

/** Binds `fd` to `address`; on failure closes nothing (the caller owns the fd). */
export function bindSocket(fd: number, address: SocketAddress, what: string): void {
  const sockaddr = sockaddrOf(address);
  if (libc().bind(fd, sockaddr, sockaddr.length) === -1) {
    throw lastError("bind", {
      action: `bind ${what} to ${address}`,
      details: { fd, address: String(address) },
      reasons: {
        ...socketReasons,
        EACCES: address.port !== 0 && address.port < 1024
          ? `ports below 1024 need privileges (CAP_NET_BIND_SERVICE)`
          : "permission denied",
        EINVAL: "the socket is already bound",
      },
    });
  }
}

/** The local (`getsockname`) or peer (`getpeername`) address of a socket. */
export function socketName(fd: number, which: "local" | "peer", what: string): SocketAddress {
  addressLength[0] = SOCKADDR_STORAGE_SIZE;
  const lib = libc();
  const call = which === "local" ? lib.getsockname : lib.getpeername;
  if (call(fd, addressBuffer, addressLengthBytes) === -1) {
    throw lastError(which === "local" ? "getsockname" : "getpeername", {
      action: `get the ${which === "local" ? "local" : "peer"} address of ${what}`,
      details: { fd },
      reasons: { ENOTCONN: "the socket is not connected" },
    });
  }
  return receivedAddress();
}

/** Closes an fd we opened but could not hand out; keeps the first error. */
export function closeQuietly(fd: number): void {
  libc().close(fd);
}

/** The error of a call on a closed socket. */
export function closedError(syscall: string, action: string): ErrnoError {
  return new ErrnoError(EBADF, { syscall, action, reason: "the socket is closed" });
}

/**
 * Closes the fd of a socket handle: ends the waits on it first (they reject
 * with EBADF, "the socket is closed"), then `close`. Linux releases the fd
 * even when close fails (EINTR, EIO): never retry.
 *
 * @param fd The fd, already marked closed in its handle.
 * @param syscall The call the pending waits were for, for their error.
 * @param action What they were doing, for their error (called only if something waits).
 */
export function closeSocket(fd: number, syscall: string, action: () => string): void {
  forget(fd, () => closedError(syscall, action()));
  libc().close(fd);
}

/** The error of a failed call, errno read at once. */
export function callError(
  syscall: string,
  action: string,
  details?: Record<string, unknown>,
): ErrnoError {
  return lastError(syscall, { action, details, reasons: socketReasons });
}

/** The error of a failed call whose errno was read already. */
export function errnoCallError(
  errno: number,
  syscall: string,
  action: string,
  details?: Record<string, unknown>,
): ErrnoError {
  return errnoError(errno, syscall, { action, details, reasons: socketReasons });
}

/** The options of calls that can wait. */
export interface Waits {
  readonly signal?: AbortSignal;
  readonly timeout?: number;
}

/** A sync timeout in ms from `options.timeout` (-1: none). */
export function syncTimeout(options: Waits | undefined): number {
  const timeout = options?.timeout;
  if (timeout === undefined || timeout === Infinity) return -1;
  const ms = checkTimeout(timeout, "options.timeout");
  if (ms > maxTimeout) {
    throw new RangeError(
      `options.timeout must be at most ${maxTimeout} ms (or Infinity): got ${ms}`,
    );
  }
  return Math.ceil(ms);
}

/** The signal of an async call: `signal` and `timeout` combined (undefined: wait for ever). */
export function asyncSignal(options: Waits | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  const signal = checkAbortSignal(options.signal);
  const ms = syncTimeout(options);
  if (ms < 0) return signal;
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** The error of a sync wait that timed out: the same kind as `AbortSignal.timeout` gives. */
export function timeoutError(action: string, ms: number): DOMException {
  return new DOMException(`Cannot ${action}: timed out after ${ms} ms`, "TimeoutError");
}

/** The deadline of a sync call with a timeout of `ms` (-1: none). */
export function deadlineOf(ms: number): number {
  return ms < 0 ? -1 : performance.now() + ms;
}

/**
 * Waits (blocking the thread) until `fd` is ready or the deadline passes.
 *
 * @param deadline From {@linkcode deadlineOf}; -1 waits for ever.
 * @param action What waits, for the message (made only on a timeout).
 * @param ms The whole timeout, for the message.
 * @throws {DOMException} A `TimeoutError` when the time is up.
 */
export function waitUntil(
  fd: number,
  interest: "read" | "write",
  deadline: number,
  action: () => string,
  ms: number,
): void {
  const left = deadline < 0 ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
  if (!waitForSync(fd, interest, left)) throw timeoutError(action(), ms);
}

/** The last errno, for callers that branch on EINTR and EAGAIN. */
export { lastErrno };

/**
 * The local address to bind to: an address, or `{ port }` alone for the
 * wildcard address of `family` (default IPv4).
 *
 * @param verb `"bind"` or `"listen"`, for the message of a family mismatch.
 */
export function localAddressFor(
  value: AddressLike | { readonly port: number },
  family: AddressFamily | undefined,
  verb = "bind",
): SocketAddress {
  if (
    value !== null && typeof value === "object" && !(value instanceof SocketAddress) &&
    (value as { address?: unknown }).address === undefined
  ) {
    const f = family === undefined ? "ipv4" : checkFamily(family);
    return new SocketAddress({
      address: f === "ipv6" ? "::" : "0.0.0.0",
      port: (value as { port: number }).port,
    });
  }
  const address = SocketAddress.from(value as AddressLike);
  if (family !== undefined && checkFamily(family) !== address.family) {
    throw new RangeError(
      `Cannot ${verb} with an ${family === "ipv6" ? "IPv6" : "IPv4"} socket on ${address}, an ${
        address.family === "ipv6" ? "IPv6" : "IPv4"
      } address`,
    );
  }
  return address;
}
