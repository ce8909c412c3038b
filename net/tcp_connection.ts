/**
 * TCP connections: connect (with a timeout and an AbortSignal), read and
 * write sync or async, web streams, shutdown, close.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { libc } from "../ipc/_libc.ts";
import { forget, waitFor } from "../ipc/_poller.ts";
import { FdHandle } from "../ipc/fd.ts";
import {
  checkBoolean,
  checkBytes,
  checkFd,
  checkInt32,
  checkOptions,
  checkSafeInteger,
} from "../ipc/_checks.ts";
import { type AddressFamily, type AddressLike, SocketAddress } from "./address.ts";
import {
  asyncSignal,
  bindSocket,
  closedError,
  closeQuietly,
  deadlineOf,
  EAGAIN,
  EINPROGRESS,
  EINTR,
  errnoCallError,
  lastErrno,
  openSocket,
  sockaddrOf,
  socketName,
  socketReasons,
  syncTimeout,
  waitUntil,
} from "./_socket.ts";
import { SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_NONBLOCK, SOCK_STREAM } from "./constants.ts";
import type {
  ReadableSocketOption,
  SocketOptionInputs,
  SocketOptionValues,
  WritableSocketOption,
} from "./socket_options.ts";
import { readOption, readRaw, writeOption, writeRaw } from "./_socket_options.ts";
import { tcpAccess } from "./_tcp.ts";

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

/** Options of the {@linkcode TcpConnection} constructor, which adopts a connected fd. */
export interface TcpConnectionOptions {
  /** The fd is already O_NONBLOCK: skip the fcntl calls. */
  readonly nonblocking?: boolean;
}

/** Which direction {@linkcode TcpConnection.shutdown} stops: `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`. */
export type ShutdownHow = "read" | "write" | "both";

const connectionReasons: Readonly<Record<string, string>> = Object.freeze({
  ...socketReasons,
  EPIPE: "the connection is closed for writing (the peer closed it, or it was shut down)",
  ECONNRESET: "the peer reset the connection",
  ETIMEDOUT: "the peer stopped answering (connection timed out)",
});

/**
 * A TCP connection: a connected stream socket, from
 * {@linkcode TcpConnection.connect} or a listener's `accept`. Reads and
 * writes block the thread (`readSync`, `writeSync`) or wait without
 * blocking the event loop and without holding a thread (`read`, `write`);
 * `readable` and `writable` are web streams over the same bytes.
 *
 * @example
 * ```ts
 * import { TcpConnection, TcpListener } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using listener = TcpListener.listen("127.0.0.1:0");
 * const accepted = listener.accept({ timeout: 5000 });
 * using client = await TcpConnection.connect(listener.localAddress, { timeout: 5000 });
 * using server = await accepted;
 * await client.write(new TextEncoder().encode("hello"));
 * const buffer = new Uint8Array(16);
 * const n = await server.read(buffer, { timeout: 5000 });
 * assert.equal(new TextDecoder().decode(buffer.subarray(0, n!)), "hello");
 * ```
 */
export class TcpConnection {
  readonly #handle: FdHandle;
  readonly #fd: number;
  readonly #remote: SocketAddress;
  #local: SocketAddress | undefined;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;
  #readEnded = false;
  #writeEnded = false;

  /**
   * Adopts a connected stream socket's fd (one inherited from a parent
   * process, say); the connection owns it from then on and closes it.
   * Most code gets connections from {@linkcode TcpConnection.connect} or
   * `TcpListener.accept`.
   *
   * @param fd A connected `SOCK_STREAM` socket.
   * @param options Whether the fd is already O_NONBLOCK.
   * @throws {RangeError} If `fd` is not a non-negative int32.
   * @throws {ErrnoError} If the fd is not open.
   */
  constructor(fd: number, options?: TcpConnectionOptions) {
    checkFd(fd);
    const o = checkOptions(options);
    const nonblocking = o.nonblocking === undefined
      ? false
      : checkBoolean(o.nonblocking, "options.nonblocking");
    const peer = adopting ?? socketName(fd, "peer", `the TCP connection on fd ${fd}`);
    adopting = undefined;
    this.#fd = fd;
    this.#remote = peer;
    this.#handle = new FdHandle(fd, {
      description: `the TCP connection with ${peer}`,
      nonblocking,
      reasons: connectionReasons,
      briefWaits: true,
    });
  }

  static {
    tcpAccess.adopt = adopt;
  }

  /**
   * Connects to a TCP server without blocking the event loop: a
   * non-blocking `connect`, then a wait for the socket to become writable.
   *
   * @param address The server: `"127.0.0.1:1989"`, `"[::1]:1989"`, a `SocketAddress`.
   * @param options A local address to bind first, socket options, a signal and a timeout.
   * @returns The connection.
   * @throws {RangeError} If the address or an option is invalid.
   * @throws {ErrnoError} ECONNREFUSED if nothing listens there, ENETUNREACH, ETIMEDOUT, ...
   * @throws {DOMException} The signal's reason when it aborts; a `TimeoutError` when the timeout passes.
   *
   * @example
   * ```ts
   * import { TcpConnection, TcpListener } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * const listener = TcpListener.listen("127.0.0.1:0");
   * const port = listener.localAddress.port;
   * listener.close();
   * await assert.rejects(TcpConnection.connect(`127.0.0.1:${port}`), { code: "ECONNREFUSED" });
   * ```
   */
  static async connect(address: AddressLike, options?: TcpConnectOptions): Promise<TcpConnection> {
    const o = checkOptions(options);
    const target = SocketAddress.from(address);
    const signal = asyncSignal(o);
    signal?.throwIfAborted();
    const fd = startConnect(target, o);
    if (fd.inProgress) {
      try {
        await waitFor(fd.fd, "write", signal);
      } catch (error) {
        forget(fd.fd, error);
        closeQuietly(fd.fd);
        throw error;
      }
      finishConnect(fd.fd, target);
    }
    return adopt(fd.fd, target);
  }

  /**
   * Connects to a TCP server, blocking the thread until it answers or the
   * timeout passes.
   *
   * @param address The server.
   * @param options A local address to bind first, socket options, a timeout.
   * @returns The connection.
   * @throws {RangeError} If the address or an option is invalid.
   * @throws {ErrnoError} ECONNREFUSED if nothing listens there, ENETUNREACH, ETIMEDOUT, ...
   * @throws {DOMException} A `TimeoutError` when the timeout passes.
   */
  static connectSync(address: AddressLike, options?: TcpConnectOptions): TcpConnection {
    const o = checkOptions(options);
    const target = SocketAddress.from(address);
    const ms = syncTimeout(o);
    const fd = startConnect(target, o);
    if (fd.inProgress) {
      try {
        waitUntil(fd.fd, "write", deadlineOf(ms), () => `connect to ${target}`, ms);
      } catch (error) {
        closeQuietly(fd.fd);
        throw error;
      }
      finishConnect(fd.fd, target);
    }
    return adopt(fd.fd, target);
  }

  /**
   * The fd.
   *
   * @throws {ErrnoError} EBADF once the connection is closed.
   */
  get fd(): number {
    return this.#handle.fd;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#handle.closed;
  }

  /** `"ipv4"` or `"ipv6"`. */
  get family(): AddressFamily {
    return this.remoteAddress.family;
  }

  /**
   * The local address (`getsockname`).
   *
   * @throws {ErrnoError} EBADF once the connection is closed.
   */
  get localAddress(): SocketAddress {
    return this.#local ??= socketName(this.#open("getsockname"), "local", this.#what());
  }

  /**
   * The peer's address (it stays known after close).
   */
  get remoteAddress(): SocketAddress {
    return this.#remote;
  }

  /**
   * Reads into `buffer`, blocking the thread until some bytes come, the
   * peer ends its side, or the timeout passes.
   *
   * @param buffer Where to read (at least 1 byte).
   * @param options A timeout.
   * @returns The number of bytes read (at most `buffer.length`), or null once the peer has shut down its side.
   * @throws {ErrnoError} ECONNRESET if the peer reset the connection; EBADF once closed.
   * @throws {DOMException} A `TimeoutError` when the timeout passes.
   */
  readSync(buffer: Uint8Array, options?: TimeoutOptions): number | null {
    if (options !== undefined) {
      const ms = syncTimeout(checkOptions(options));
      if (ms >= 0) {
        waitUntil(this.#handle.fd, "read", deadlineOf(ms), () => `read from ${this.#what()}`, ms);
      }
    }
    return this.#handle.readSync(buffer);
  }

  /**
   * Reads into `buffer` without blocking the event loop.
   *
   * @param buffer Where to read (at least 1 byte).
   * @param options A signal and a timeout (nothing is read when they end the wait).
   * @returns The number of bytes read, or null once the peer has shut down its side.
   * @throws {ErrnoError} ECONNRESET if the peer reset the connection; EBADF if closed meanwhile.
   * @throws {DOMException} The signal's reason when it aborts; a `TimeoutError` when the timeout passes.
   */
  read(buffer: Uint8Array, options?: TcpIoOptions): Promise<number | null> {
    return this.#handle.read(buffer, options);
  }

  /**
   * Writes all of `data`, blocking the thread until the kernel has taken
   * every byte.
   *
   * @param data The bytes.
   * @param options A timeout for the waits for room.
   * @returns `data.length`.
   * @throws {ErrnoError} EPIPE once the peer has closed or the write side is shut down; ECONNRESET.
   * @throws {DOMException} A `TimeoutError` when the timeout passes (bytes written before stay written).
   */
  writeSync(data: Uint8Array, options?: TimeoutOptions): number {
    if (options === undefined) return this.#handle.writeSync(data);
    const ms = syncTimeout(checkOptions(options));
    if (ms < 0) return this.#handle.writeSync(data);
    checkBytes(data, "data");
    const deadline = deadlineOf(ms);
    let offset = 0;
    while (offset < data.length) {
      waitUntil(this.#handle.fd, "write", deadline, () => `write to ${this.#what()}`, ms);
      const n = this.#writeSome(data.subarray(offset));
      offset += n;
    }
    return data.length;
  }

  /**
   * Writes all of `data` without blocking the event loop. Writes are
   * queued: one completes before the next starts, so bytes never
   * interleave.
   *
   * @param data The bytes.
   * @param options A signal and a timeout (bytes written before they end the wait stay written).
   * @returns `data.length`.
   * @throws {ErrnoError} EPIPE once the peer has closed or the write side is shut down; ECONNRESET.
   */
  write(data: Uint8Array, options?: TcpIoOptions): Promise<number> {
    return this.#handle.write(data, options);
  }

  /**
   * The bytes the peer sends, as a byte stream (BYOB readers welcome). It
   * ends when the peer shuts down its side, or when the connection is
   * closed.
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= new ReadableStream({
      type: "bytes",
      autoAllocateChunkSize: 65536,
      pull: async (controller) => {
        const request = controller.byobRequest!;
        const view = request.view!;
        let n: number | null;
        try {
          n = await this.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
        } catch (error) {
          if (!this.closed) throw error;
          n = null;
        }
        if (n === null) {
          controller.close();
          request.respond(0);
          this.#readEnded = true;
          if (this.#writeEnded) this.close();
        } else {
          request.respond(n);
        }
      },
      cancel: () => {
        this.#readEnded = true;
        if (this.#writeEnded) this.close();
      },
    });
  }

  /**
   * A stream that writes every chunk in full. Closing it shuts down the
   * write side (the peer reads the end); aborting it closes the
   * connection. Once both streams have ended, the connection closes.
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream({
      write: async (chunk) => {
        await this.write(chunk);
      },
      close: () => {
        if (!this.closed) this.shutdown("write");
        this.#writeEnded = true;
        if (this.#readEnded) this.close();
      },
      abort: () => this.close(),
    });
  }

  /**
   * Shuts down one or both directions (`shutdown`): after `"write"`, the
   * peer reads the end of the stream, and this side can still read.
   *
   * @param how `"write"` (default, `SHUT_WR`), `"read"` (`SHUT_RD`) or `"both"` (`SHUT_RDWR`).
   * @throws {RangeError} If `how` is none of these.
   * @throws {ErrnoError} ENOTCONN if the peer has gone; EBADF once closed.
   */
  shutdown(how: ShutdownHow = "write"): void {
    const code = how === "write"
      ? SHUT_WR
      : how === "read"
      ? SHUT_RD
      : how === "both"
      ? SHUT_RDWR
      : -1;
    if (code < 0) {
      throw new RangeError(`how must be "read", "write" or "both": got ${JSON.stringify(how)}`);
    }
    if (libc().shutdown(this.#open("shutdown"), code) === -1) {
      throw errnoCallError(lastErrno(), "shutdown", `shut down ${this.#what()}`);
    }
  }

  /**
   * Reads a socket option of the table (`getsockopt`).
   *
   * @param name The option, such as `"TCP_NODELAY"`.
   * @returns Its value, typed per option.
   * @throws {TypeError} If the option is not in the table or cannot be read.
   * @throws {ErrnoError} If `getsockopt` fails.
   */
  getOption<N extends ReadableSocketOption>(name: N): SocketOptionValues[N] {
    return readOption(this.#open("getsockopt"), name, this.#what());
  }

  /**
   * Sets a socket option of the table (`setsockopt`).
   *
   * @param name The option, such as `"TCP_NODELAY"`.
   * @param value Its value, checked and encoded as its C type.
   * @throws {TypeError} If the option is not in the table, cannot be set, or the value has the wrong type.
   * @throws {RangeError} If the value is out of range.
   * @throws {ErrnoError} If `setsockopt` fails.
   *
   * @example
   * ```ts
   * import { TcpConnection, TcpListener } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * using listener = TcpListener.listen("127.0.0.1:0");
   * using client = TcpConnection.connectSync(listener.localAddress);
   * using server = listener.acceptSync();
   * client.setOption("TCP_NODELAY", true);
   * client.setOption("SO_LINGER", { enabled: true, seconds: 0 });
   * assert.equal(client.getOption("TCP_NODELAY"), true);
   * assert.deepEqual(client.getOption("SO_LINGER"), { enabled: true, seconds: 0 });
   * ```
   */
  setOption<N extends WritableSocketOption>(name: N, value: SocketOptionInputs[N]): void {
    writeOption(this.#open("setsockopt"), name, value, this.#what());
  }

  /**
   * Reads any option as raw bytes (`getsockopt`).
   *
   * @param level The level.
   * @param name The option's number.
   * @param size Room for the value, in bytes (default 4).
   * @returns The bytes the kernel wrote.
   * @throws {ErrnoError} If `getsockopt` fails.
   */
  getRawOption(level: number, name: number, size = 4): Uint8Array {
    return readRaw(
      this.#open("getsockopt"),
      checkInt32(level, "level"),
      checkInt32(name, "name"),
      checkSafeInteger(size, "size", 0, 65536),
      this.#what(),
      `option ${name} at level ${level}`,
    );
  }

  /**
   * Sets any option from raw bytes (`setsockopt`).
   *
   * @param level The level.
   * @param name The option's number.
   * @param value The bytes.
   * @throws {ErrnoError} If `setsockopt` fails.
   */
  setRawOption(level: number, name: number, value: Uint8Array): void {
    writeRaw(
      this.#open("setsockopt"),
      checkInt32(level, "level"),
      checkInt32(name, "name"),
      checkBytes(value, "value"),
      this.#what(),
      `option ${name} at level ${level}`,
    );
  }

  /**
   * Closes the connection. Pending reads and writes reject with EBADF; a
   * stream waiting to read ends. Calling it again does nothing.
   */
  close(): void {
    this.#handle.close();
  }

  /** Closes the connection: `using connection = ...` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  #open(syscall: string): number {
    if (this.#handle.closed) throw closedError(syscall, `use ${this.#what()}`);
    return this.#fd;
  }

  #what(): string {
    return `the TCP connection with ${this.#remote}`;
  }

  #writeSome(data: Uint8Array): number {
    const n = libc().write(this.#open("write"), data, BigInt(data.length));
    if (n >= 0n) return Number(n);
    const errno = lastErrno();
    if (errno === EINTR || errno === EAGAIN) return 0;
    throw errnoCallError(errno, "write", `write to ${this.#what()}`);
  }
}

/** The peer of the connection being adopted by `adopt`, read by the constructor. */
let adopting: SocketAddress | undefined;

/** Wraps a connected, O_NONBLOCK fd whose peer is known (connect, accept). */
function adopt(fd: number, peer: SocketAddress): TcpConnection {
  adopting = peer;
  try {
    return new TcpConnection(fd, { nonblocking: true });
  } finally {
    adopting = undefined;
  }
}

/** Opens a non-blocking socket, sets options, binds, and starts connecting. */
function startConnect(
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
    for (;;) {
      if (libc().connect(fd, sockaddr, sockaddr.length) === 0) return { fd, inProgress: false };
      const errno = lastErrno();
      if (errno === EINPROGRESS) return { fd, inProgress: true };
      if (errno !== EINTR) throw errnoCallError(errno, "connect", `connect to ${target}`);
    }
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
}

/** Reads the outcome of a connect that was in progress (`SO_ERROR`); closes the fd on failure. */
function finishConnect(fd: number, target: SocketAddress): void {
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
