/**
 * TCP connections: connect (with a timeout and an AbortSignal), read and
 * write sync or async, web streams, shutdown, close.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { EAGAIN, EINTR } from "../ipc/_errnos.ts";
import { readableBytes } from "../ipc/_byte_stream.ts";
import { errnoCell, errnoError, type Libc, libc } from "../ipc/_libc.ts";
import { ErrnoError } from "../ipc/errno.ts";
import { F_GETFL, O_NONBLOCK } from "../ipc/constants.ts";
import { BriefWait, forget, waitFor, waitForSync } from "../ipc/_poller.ts";
import { checkBytes, checkFd, checkOptions } from "../ipc/_checks.ts";
import { type AddressFamily, type AddressLike, SocketAddress } from "./address.ts";
import {
  asyncSignal,
  closedError,
  closeQuietly,
  closeSocket,
  deadlineOf,
  errnoCallError,
  lastErrno,
  sizeOf,
  socketName,
  socketReasons,
  syncTimeout,
  waitUntil,
} from "./_socket.ts";
import { MSG_DONTWAIT, MSG_NOSIGNAL, SHUT_RD, SHUT_RDWR, SHUT_WR } from "./constants.ts";
import type {
  ReadableSocketOption,
  SocketOptionInputs,
  SocketOptionValues,
  WritableSocketOption,
} from "./socket_options.ts";
import { readOption, readRawOption, writeOption, writeRawOption } from "./_socket_options.ts";
import { tcpAccess } from "./_tcp.ts";
import { connected, finishConnect, startConnect } from "./_tcp_connect.ts";
import type { ShutdownHow, TcpConnectOptions, TcpIoOptions, TimeoutOptions } from "./tcp_types.ts";

/** Largest count passed to one recv or send: the kernel's own limit. */
const MAX_IO = 0x7ffff000;

/** The libc functions of the hot paths, looked up once. */
interface StreamCalls {
  readonly recv: Libc["recv"];
  readonly send: Libc["send"];
}

let calls: StreamCalls | undefined;

function streamCalls(): StreamCalls {
  const { recv, send } = libc();
  return { recv, send };
}

function noop(): void {}

function checkReadBuffer(buffer: Uint8Array): void {
  checkBytes(buffer, "buffer");
  if (buffer.length === 0) {
    throw new RangeError(
      "buffer must hold at least 1 byte: a read of 0 bytes cannot tell data from the end",
    );
  }
}

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
 * The fd stays in blocking mode: a sync call is one `recv` or `send`, as in
 * C. Async calls pass MSG_DONTWAIT and wait for readiness as
 * a `UdpSocket`'s do (the epoll thread, after a brief wait when the
 * peer answers fast). Sends pass MSG_NOSIGNAL: a peer that has gone is an
 * EPIPE error, never a SIGPIPE, whatever the runtime does with signals.
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
  #fd: number;
  readonly #remote: SocketAddress;
  /** True when the fd is in blocking mode (ours always are): EAGAIN in a sync call then means SO_RCVTIMEO/SO_SNDTIMEO. */
  readonly #blocking: boolean;
  readonly #brief = new BriefWait();
  #local: SocketAddress | undefined;
  #writeTail: Promise<unknown> | undefined;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;
  #readEnded = false;
  #writeEnded = false;

  /**
   * Adopts a connected stream socket's fd (one inherited from a parent
   * process, say); the connection owns it from then on and closes it. Its
   * flags are left as they are: blocking or not, both work. Most code gets
   * connections from {@linkcode TcpConnection.connect} or
   * `TcpListener.accept`.
   *
   * @param fd A connected `SOCK_STREAM` socket.
   * @throws {RangeError} If `fd` is not a non-negative int32.
   * @throws {ErrnoError} EBADF if the fd is not open, ENOTCONN if it is not connected, ENOTSOCK if not a socket.
   */
  constructor(fd: number) {
    checkFd(fd);
    const peer = adopting ?? socketName(fd, "peer", `the TCP connection on fd ${fd}`);
    let blocking = true;
    if (adopting === undefined) {
      const flags = libc().fcntl(fd, F_GETFL, 0);
      if (flags === -1) throw errnoCallError(lastErrno(), "fcntl", `adopt fd ${fd}`);
      blocking = (flags & O_NONBLOCK) === 0;
    }
    adopting = undefined;
    this.#fd = fd;
    this.#remote = peer;
    this.#blocking = blocking;
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
        forget(fd.fd, () => error);
        closeQuietly(fd.fd);
        throw error;
      }
      finishConnect(fd.fd, target);
    }
    return connected(fd.fd, target);
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
    return connected(fd.fd, target);
  }

  /**
   * The fd.
   *
   * @throws {ErrnoError} EBADF once the connection is closed.
   */
  get fd(): number {
    return this.#open("getsockname", "use");
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#fd < 0;
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
    return this.#local ??= socketName(this.#open("getsockname", "use"), "local", this.#what());
  }

  /**
   * The peer's address (it stays known after close).
   */
  get remoteAddress(): SocketAddress {
    return this.#remote;
  }

  /**
   * Reads into `buffer`, blocking the thread until some bytes come, the
   * peer ends its side, or the timeout passes (one `recv`, as in C).
   *
   * @param buffer Where to read (at least 1 byte).
   * @param options A timeout.
   * @returns The number of bytes read (at most `buffer.length`), or null once the peer has shut down its side.
   * @throws {ErrnoError} ECONNRESET if the peer reset the connection; EBADF once closed; EAGAIN when SO_RCVTIMEO passes.
   * @throws {DOMException} A `TimeoutError` when the timeout passes.
   */
  readSync(buffer: Uint8Array, options?: TimeoutOptions): number | null {
    checkReadBuffer(buffer);
    const ms = options === undefined ? -1 : syncTimeout(checkOptions(options));
    const deadline = deadlineOf(ms);
    const length = sizeOf(Math.min(buffer.length, MAX_IO));
    const { recv } = calls ??= streamCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("recv", "read from");
      if (ms >= 0) waitUntil(fd, "read", deadline, () => `read from ${this.#what()}`, ms);
      const n = recv(fd, buffer, length, ms >= 0 ? MSG_DONTWAIT : 0);
      if (n >= 0n) return n === 0n ? null : Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN && ms < 0) {
        if (this.#blocking) throw this.#timeoutOption(errno, "recv", "read from", "SO_RCVTIMEO");
        waitForSync(fd, "read");
      } else if (errno !== EINTR && errno !== EAGAIN) throw this.#error(errno, "recv", "read from");
    }
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
  async read(buffer: Uint8Array, options?: TcpIoOptions): Promise<number | null> {
    checkReadBuffer(buffer);
    const signal = asyncSignal(options === undefined ? undefined : checkOptions(options));
    const length = sizeOf(Math.min(buffer.length, MAX_IO));
    const { recv } = calls ??= streamCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("recv", "read from");
      const n = recv(fd, buffer, length, MSG_DONTWAIT);
      if (n >= 0n) return n === 0n ? null : Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) await waitFor(fd, "read", signal, this.#brief);
      else if (errno !== EINTR) throw this.#error(errno, "recv", "read from");
    }
  }

  /**
   * Writes all of `data`, blocking the thread until the kernel has taken
   * every byte (one `send` for most writes, as in C).
   *
   * @param data The bytes.
   * @param options A timeout for the waits for room.
   * @returns `data.length`.
   * @throws {ErrnoError} EPIPE once the peer has closed or the write side is shut down; ECONNRESET.
   * @throws {DOMException} A `TimeoutError` when the timeout passes (bytes written before stay written).
   */
  writeSync(data: Uint8Array, options?: TimeoutOptions): number {
    checkBytes(data, "data");
    const ms = options === undefined ? -1 : syncTimeout(checkOptions(options));
    const deadline = deadlineOf(ms);
    const flags = MSG_NOSIGNAL | (ms >= 0 ? MSG_DONTWAIT : 0);
    const { send } = calls ??= streamCalls();
    let offset = 0;
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    while (offset < data.length) {
      const fd = this.#open("send", "write to");
      if (ms >= 0) waitUntil(fd, "write", deadline, () => `write to ${this.#what()}`, ms);
      const rest = offset === 0 ? data : data.subarray(offset);
      const n = send(fd, rest, sizeOf(Math.min(rest.length, MAX_IO)), flags);
      if (n >= 0n) {
        offset += Number(n);
        continue;
      }
      const errno = errnoNow[0]!;
      if (errno === EAGAIN && ms < 0) {
        if (this.#blocking) throw this.#timeoutOption(errno, "send", "write to", "SO_SNDTIMEO");
        waitForSync(fd, "write");
      } else if (errno !== EINTR && errno !== EAGAIN) throw this.#error(errno, "send", "write to");
    }
    return data.length;
  }

  /**
   * Writes all of `data` without blocking the event loop. Writes are
   * queued: one completes before the next starts, so bytes never
   * interleave. What the kernel takes at once is written before this
   * returns.
   *
   * @param data The bytes.
   * @param options A signal and a timeout (bytes written before they end the wait stay written).
   * @returns `data.length`.
   * @throws {ErrnoError} EPIPE once the peer has closed or the write side is shut down; ECONNRESET.
   */
  write(data: Uint8Array, options?: TcpIoOptions): Promise<number> {
    try {
      checkBytes(data, "data");
      const signal = asyncSignal(options === undefined ? undefined : checkOptions(options));
      let sent = 0;
      if (this.#writeTail === undefined) {
        // Nothing queued: write now, and queue only what the kernel does not take.
        sent = this.#sendNow(data);
        if (sent === data.length) return Promise.resolve(data.length);
      }
      const run = () => this.#writeRest(data, sent, signal);
      const result = this.#writeTail ? this.#writeTail.then(run, run) : run();
      const tail = result.then(noop, noop);
      this.#writeTail = tail;
      void tail.then(() => {
        if (this.#writeTail === tail) this.#writeTail = undefined;
      });
      return result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One non-blocking send of as much as the kernel takes: the bytes sent (0 when it takes none). */
  #sendNow(data: Uint8Array): number {
    const { send } = calls ??= streamCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const n = send(
        this.#open("send", "write to"),
        data,
        sizeOf(Math.min(data.length, MAX_IO)),
        MSG_DONTWAIT | MSG_NOSIGNAL,
      );
      if (n >= 0n) return Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) return 0;
      if (errno !== EINTR) throw this.#error(errno, "send", "write to");
    }
  }

  async #writeRest(
    data: Uint8Array,
    offset: number,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const { send } = calls ??= streamCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    while (offset < data.length) {
      const fd = this.#open("send", "write to");
      const rest = offset === 0 ? data : data.subarray(offset);
      const n = send(fd, rest, sizeOf(Math.min(rest.length, MAX_IO)), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0n) {
        offset += Number(n);
        continue;
      }
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) await waitFor(fd, "write", signal, this.#brief);
      else if (errno !== EINTR) throw this.#error(errno, "send", "write to");
    }
    return data.length;
  }

  /**
   * The bytes the peer sends, as a byte stream (BYOB readers welcome). It
   * ends when the peer shuts down its side, or when the connection is
   * closed.
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= readableBytes(this, () => {
      this.#readEnded = true;
      if (this.#writeEnded) this.close();
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
    if (libc().shutdown(this.#open("shutdown", "shut down"), code) === -1) {
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
    return readOption(this.#open("getsockopt", "read an option of"), name, () => this.#what());
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
    writeOption(this.#open("setsockopt", "set an option of"), name, value, () => this.#what());
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
    const fd = this.#open("getsockopt", "read an option of");
    return readRawOption(fd, level, name, size, () => this.#what());
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
    const fd = this.#open("setsockopt", "set an option of");
    writeRawOption(fd, level, name, value, () => this.#what());
  }

  /**
   * Closes the connection. Pending reads and writes reject with EBADF; a
   * stream waiting to read ends. Calling it again does nothing.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeSocket(fd, "recv", () => `use ${this.#what()}`);
  }

  /** Closes the connection: `using connection = ...` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  #open(syscall: string, verb: string): number {
    if (this.#fd < 0) throw closedError(syscall, `${verb} ${this.#what()}`);
    return this.#fd;
  }

  #what(): string {
    return `the TCP connection with ${this.#remote}`;
  }

  #error(errno: number, syscall: string, verb: string): ErrnoError {
    return errnoError(errno, syscall, {
      action: `${verb} ${this.#what()}`,
      reasons: connectionReasons,
      details: { fd: this.#fd, peer: String(this.#remote) },
    });
  }

  #timeoutOption(errno: number, syscall: string, verb: string, option: string): ErrnoError {
    return new ErrnoError(errno, {
      syscall,
      action: `${verb} ${this.#what()}`,
      reason: `the socket's ${option} passed`,
    });
  }
}

/** The peer of the connection being adopted by `adopt`, read by the constructor. */
let adopting: SocketAddress | undefined;

/** Wraps a connected, blocking fd whose peer is known (connect, accept). */
function adopt(fd: number, peer: SocketAddress): TcpConnection {
  adopting = peer;
  try {
    return new TcpConnection(fd);
  } finally {
    adopting = undefined;
  }
}
