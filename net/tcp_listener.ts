/**
 * TCP listeners: socket, bind, listen with a backlog, and accept, sync or
 * async.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { EAGAIN, EINTR } from "../ipc/_errnos.ts";
import { errnoCell, type Libc, libc } from "../ipc/_libc.ts";
import { BriefWait, waitFor } from "../ipc/_poller.ts";
import { checkBoolean, checkFd, checkOptions, checkSafeInteger } from "../ipc/_checks.ts";
import { F_GETFL, F_SETFL, O_NONBLOCK } from "../ipc/constants.ts";
import type { AddressLike, SocketAddress } from "./address.ts";
import {
  addressBuffer,
  addressLength,
  addressLengthBytes,
  asyncSignal,
  bindSocket,
  closedError,
  closeQuietly,
  closeSocket,
  deadlineOf,
  errnoCallError,
  lastErrno,
  localAddressFor,
  openSocket,
  receivedAddress,
  socketName,
  syncTimeout,
  waitUntil,
} from "./_socket.ts";
import { SOCKADDR_STORAGE_SIZE } from "./_sockaddr.ts";
import { SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOMAXCONN } from "./constants.ts";
import type {
  ReadableSocketOption,
  SocketOptionInputs,
  SocketOptionValues,
  WritableSocketOption,
} from "./socket_options.ts";
import { readOption, readRawOption, writeOption, writeRawOption } from "./_socket_options.ts";
import type { TcpConnection } from "./tcp_connection.ts";
import type { AcceptOptions, TcpListenOptions, TimeoutOptions } from "./tcp_types.ts";
import "./tcp_connection.ts";
import { tcpAccess } from "./_tcp.ts";

/** Errors of accept that mean "this connection went away, try the next" (accept(2)). */
const retryable = new Set([
  EINTR,
  103, // ECONNABORTED
  71, // EPROTO
  100, // ENETDOWN
  92, // ENOPROTOOPT
  112, // EHOSTDOWN
  64, // ENONET
  113, // EHOSTUNREACH
  95, // EOPNOTSUPP
  101, // ENETUNREACH
]);

/** `accept4`, looked up once. */
let acceptCall: Libc["accept4"] | undefined;

/**
 * A listening TCP socket: the server side. `accept()` waits for a client
 * without blocking the event loop or holding a thread; `acceptSync()`
 * blocks the thread. The listening fd is O_NONBLOCK, so that several
 * processes can share it (a pre-forked pool) without one blocking in
 * `accept` for a client another took.
 *
 * @example
 * ```ts
 * import { TcpConnection, TcpListener } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using listener = TcpListener.listen("127.0.0.1:0", { backlog: 16 });
 * using client = TcpConnection.connectSync(listener.localAddress);
 * using server = await listener.accept({ timeout: 5000 });
 * assert.ok(server.remoteAddress.equals(client.localAddress));
 * ```
 */
export class TcpListener {
  #fd: number;
  #local: SocketAddress | undefined;
  readonly #brief: BriefWait | undefined;

  /**
   * Adopts a listening socket's fd (one inherited from a parent process,
   * say); the listener owns it from then on and closes it. It is made
   * O_NONBLOCK.
   *
   * @param fd A listening `SOCK_STREAM` socket.
   * @param options `shared: true` when other processes accept on the same
   *   socket (pool workers): accepts then never wait briefly on the calling
   *   thread, which would wake every process for each connection.
   * @throws {RangeError} If `fd` is not a non-negative int32.
   * @throws {ErrnoError} If the fd is not open.
   */
  constructor(fd: number, options: { readonly shared?: boolean } = {}) {
    checkFd(fd);
    checkOptions(options);
    const shared = options.shared === undefined
      ? false
      : checkBoolean(options.shared, "options.shared");
    this.#brief = shared ? undefined : new BriefWait();
    const { fcntl } = libc();
    const flags = fcntl(fd, F_GETFL, 0);
    if (flags === -1 || (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) === -1)) {
      throw errnoCallError(lastErrno(), "fcntl", `adopt fd ${fd} as a TCP listener`);
    }
    this.#fd = fd;
  }

  /**
   * Listens for TCP connections on `address`: `socket`, `bind`, `listen`.
   *
   * @param address Where: `"0.0.0.0:1989"`, `"[::]:1989"`, `{ port: 1989 }` (any address), port 0 for any free port.
   * @param options The backlog, and socket options set before binding.
   * @returns The listener.
   * @throws {RangeError} If the address or an option is invalid.
   * @throws {ErrnoError} EADDRINUSE if another socket listens there, EACCES for ports below 1024 without privileges.
   *
   * @example
   * ```ts
   * import { TcpListener } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * using listener = TcpListener.listen({ address: "127.0.0.1", port: 0 });
   * assert.equal(listener.localAddress.address, "127.0.0.1");
   * assert.throws(() => TcpListener.listen(listener.localAddress, { reuseAddress: false }), {
   *   code: "EADDRINUSE",
   * });
   * ```
   */
  static listen(
    address: AddressLike | { readonly port: number },
    options?: TcpListenOptions,
  ): TcpListener {
    const o = checkOptions(options);
    const target = localAddressFor(address, o.family, "listen");
    const backlog = o.backlog === undefined
      ? SOMAXCONN
      : checkSafeInteger(o.backlog, "options.backlog", 0, 2147483647);
    const fd = openSocket(target.family, SOCK_STREAM, SOCK_NONBLOCK, "a TCP socket");
    const what = `the TCP listener for ${target}`;
    try {
      const reuse = o.reuseAddress === undefined
        ? true
        : checkBoolean(o.reuseAddress, "options.reuseAddress");
      writeOption(fd, "SO_REUSEADDR", reuse, what);
      if (o.reusePort !== undefined) writeOption(fd, "SO_REUSEPORT", o.reusePort, what);
      if (o.ipv6Only !== undefined) {
        if (target.family !== "ipv6") {
          throw new TypeError("options.ipv6Only applies to IPv6 listeners only");
        }
        writeOption(fd, "IPV6_V6ONLY", o.ipv6Only, what);
      }
      if (o.noDelay !== undefined) writeOption(fd, "TCP_NODELAY", o.noDelay, what);
      if (o.receiveBufferSize !== undefined) {
        writeOption(fd, "SO_RCVBUF", o.receiveBufferSize, what);
      }
      if (o.sendBufferSize !== undefined) writeOption(fd, "SO_SNDBUF", o.sendBufferSize, what);
      bindSocket(fd, target, what);
      if (libc().listen(fd, backlog) === -1) {
        throw errnoCallError(lastErrno(), "listen", `listen on ${target}`, { backlog });
      }
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
    const listener = new TcpListener(fd);
    listener.#local = socketName(fd, "local", what);
    return listener;
  }

  /**
   * The fd.
   *
   * @throws {ErrnoError} EBADF once the listener is closed.
   */
  get fd(): number {
    return this.#open("getsockname", "use");
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * The address it listens on (`getsockname`), with the port the kernel chose for port 0.
   *
   * @throws {ErrnoError} EBADF once the listener is closed.
   */
  get localAddress(): SocketAddress {
    const fd = this.#open("getsockname", "get the address of");
    return this.#local ??= socketName(fd, "local", this.#what());
  }

  /**
   * Takes the next connection, blocking the thread until a client comes
   * or the timeout passes.
   *
   * @param options A timeout.
   * @returns The connection.
   * @throws {ErrnoError} EMFILE if the process has too many fds; EBADF once closed.
   * @throws {DOMException} A `TimeoutError` when the timeout passes.
   */
  acceptSync(options?: TimeoutOptions): TcpConnection {
    const ms = syncTimeout(options === undefined ? undefined : checkOptions(options));
    const deadline = deadlineOf(ms);
    for (;;) {
      const fd = this.#open("accept4", "accept on");
      const connection = this.#tryAccept(fd);
      if (connection) return connection;
      waitUntil(fd, "read", deadline, () => `accept on ${this.#what()}`, ms);
    }
  }

  /**
   * Takes the next connection without blocking the event loop.
   *
   * @param options A signal and a timeout (no connection is taken when they end the wait).
   * @returns The connection.
   * @throws {ErrnoError} EMFILE if the process has too many fds; EBADF if closed meanwhile.
   * @throws {DOMException} The signal's reason when it aborts; a `TimeoutError` when the timeout passes.
   *
   * @example
   * ```ts
   * import { TcpListener } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * using listener = TcpListener.listen("127.0.0.1:0");
   * const controller = new AbortController();
   * const pending = listener.accept({ signal: controller.signal });
   * controller.abort();
   * await assert.rejects(pending, { name: "AbortError" });
   * ```
   */
  async accept(options?: AcceptOptions): Promise<TcpConnection> {
    const signal = asyncSignal(options === undefined ? undefined : checkOptions(options));
    for (;;) {
      const fd = this.#open("accept4", "accept on");
      const connection = this.#tryAccept(fd);
      if (connection) return connection;
      // Exclusive: of several processes waiting on this socket, epoll wakes one per connection.
      await waitFor(fd, "read", signal, this.#brief, true);
    }
  }

  /**
   * Accepts connections until the listener is closed: `for await (const c of listener)`.
   *
   * @returns An iterator of connections; each is the caller's to close.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<TcpConnection> {
    while (!this.closed) {
      try {
        yield await this.accept();
      } catch (error) {
        if (this.closed) return;
        throw error;
      }
    }
  }

  /** One accept4; undefined when no connection is waiting. */
  #tryAccept(fd: number): TcpConnection | undefined {
    const accept4 = acceptCall ??= libc().accept4;
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      addressLength[0] = SOCKADDR_STORAGE_SIZE;
      const client = accept4(
        fd,
        addressBuffer,
        addressLengthBytes,
        SOCK_CLOEXEC,
      );
      if (client >= 0) {
        let peer: SocketAddress;
        try {
          peer = receivedAddress();
        } catch (error) {
          closeQuietly(client);
          throw error;
        }
        return tcpAccess.adopt(client, peer);
      }
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) return undefined;
      if (!retryable.has(errno)) {
        throw errnoCallError(errno, "accept4", `accept a connection on ${this.#what()}`);
      }
    }
  }

  /**
   * Reads a socket option of the table (`getsockopt`).
   *
   * @param name The option, such as `"SO_REUSEADDR"`.
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
   * @param name The option.
   * @param value Its value, checked and encoded as its C type.
   * @throws {TypeError} If the option is not in the table, cannot be set, or the value has the wrong type.
   * @throws {RangeError} If the value is out of range.
   * @throws {ErrnoError} If `setsockopt` fails.
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
   * Stops listening and closes the fd. Pending accepts reject with EBADF;
   * an async iteration ends. Connections already accepted stay open.
   * Calling it again does nothing.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeSocket(fd, "accept4", () => `accept on ${this.#what()}`);
  }

  /** Closes the listener: `using listener = ...` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  #open(syscall: string, verb: string): number {
    if (this.#fd < 0) throw closedError(syscall, `${verb} ${this.#what()}`);
    return this.#fd;
  }

  #what(): string {
    if (!this.#local && this.#fd >= 0) {
      // Error paths only: name the listener by its address.
      try {
        this.#local = socketName(this.#fd, "local", "a TCP listener");
      } catch {
        // Keep the fd number.
      }
    }
    return this.#local ? `the TCP listener on ${this.#local}` : `the TCP listener (fd ${this.#fd})`;
  }
}
