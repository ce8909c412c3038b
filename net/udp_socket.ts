/**
 * UDP sockets: datagrams to and from any address, broadcast, multicast
 * (any-source and source-specific, with TTL, loop and interface), IPv4 and
 * IPv6, sync and async.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { EAGAIN, EINTR } from "../ipc/_errnos.ts";
import { errnoCell, type Libc, libc } from "../ipc/_libc.ts";
import { BriefWait, waitFor } from "../ipc/_poller.ts";
import { checkBoolean, checkInt32, checkOptions } from "../ipc/_checks.ts";
import { type AddressFamily, type AddressLike, SocketAddress } from "./address.ts";
import {
  addressBuffer,
  addressLength,
  addressLengthBytes,
  asyncSignal,
  bindSocket,
  checkFamily,
  closedError,
  closeQuietly,
  closeSocket,
  deadlineOf,
  errnoCallError,
  lastErrno,
  localAddressFor,
  openSocket,
  receivedAddress,
  sizeOf,
  sockaddrOf,
  socketName,
  syncTimeout,
  waitUntil,
} from "./_socket.ts";
import { SOCKADDR_STORAGE_SIZE } from "./_sockaddr.ts";
import {
  applyOptions,
  payload,
  receiveArgs,
  receivedPayload,
  receiveError,
  sendError,
  truncatedError,
} from "./_udp.ts";
import { changeMembership } from "./_multicast.ts";
import { AF_UNSPEC, MSG_DONTWAIT, SOCK_DGRAM } from "./constants.ts";
import type {
  Datagram,
  GroupOptions,
  ReceiveOptions,
  SendOptions,
  UdpSocketOptions,
} from "./udp_socket_types.ts";
import type {
  InterfaceRef,
  ReadableSocketOption,
  SocketOptionInputs,
  SocketOptionValues,
  WritableSocketOption,
} from "./socket_options.ts";
import { readOption, readRawOption, writeOption, writeRawOption } from "./_socket_options.ts";

/** The libc functions of the hot paths, looked up once (a small object, not the whole table). */
interface DatagramCalls {
  readonly sendto: Libc["sendto"];
  readonly send: Libc["send"];
  readonly recvfrom: Libc["recvfrom"];
  readonly recv: Libc["recv"];
}

let calls: DatagramCalls | undefined;

function datagramCalls(): DatagramCalls {
  const { sendto, send, recvfrom, recv } = libc();
  return { sendto, send, recvfrom, recv };
}

/**
 * A UDP socket: `socket(AF_INET or AF_INET6, SOCK_DGRAM)`, optionally bound
 * and connected. Every wait has a sync form (`receiveFromSync`, which
 * blocks the thread) and an async one (`receiveFrom`, which never blocks the
 * event loop and holds no thread while it waits).
 *
 * The fd stays in blocking mode: a sync call is one `recvfrom` or `sendto`,
 * as in C. An async call passes MSG_DONTWAIT and, when it must wait, waits
 * for readiness with the process's one epoll thread; when this socket's
 * data came back quickly last time (a request and its reply), it first
 * waits up to 50 us in `ppoll` on the main thread, which saves the hop to
 * that thread and back.
 *
 * @example
 * ```ts
 * import { UdpSocket } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using receiver = UdpSocket.bind("127.0.0.1:0");
 * using sender = new UdpSocket();
 * await sender.sendTo(new TextEncoder().encode("ping"), receiver.localAddress);
 * const { data, from } = await receiver.receiveFrom({ timeout: 5000 });
 * assert.equal(new TextDecoder().decode(data), "ping");
 * assert.equal(from.port, sender.localAddress.port);
 * ```
 */
export class UdpSocket {
  #fd: number;
  readonly #family: AddressFamily;
  #local: SocketAddress | undefined;
  #remote: SocketAddress | undefined;
  readonly #brief = new BriefWait();

  /**
   * Creates an unbound UDP socket. The first send binds it to an
   * ephemeral port, as in C; {@linkcode UdpSocket.bind} binds it first.
   *
   * @param options The family and socket options to set.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   * @throws {ErrnoError} If the socket cannot be created or an option set.
   */
  constructor(options?: UdpSocketOptions) {
    const o = checkOptions(options);
    this.#family = o.family === undefined ? "ipv4" : checkFamily(o.family);
    this.#fd = openSocket(this.#family, SOCK_DGRAM, 0, "a UDP socket");
    try {
      applyOptions(this, o);
    } catch (error) {
      closeQuietly(this.#fd);
      this.#fd = -1;
      throw error;
    }
  }

  /**
   * Creates a UDP socket bound to `address`: the passive side.
   *
   * @param address Where to receive: `"0.0.0.0:1989"`, `"[::]:1989"`, `{ port: 1989 }` (any address of `options.family`), port 0 for any free port.
   * @param options Socket options, set before binding (`reuseAddress`, `broadcast`, ...).
   * @returns The bound socket.
   * @throws {RangeError} If the address or an option is invalid.
   * @throws {ErrnoError} If binding fails (EADDRINUSE, EADDRNOTAVAIL, EACCES).
   *
   * @example
   * ```ts
   * import { UdpSocket } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * using socket = UdpSocket.bind({ address: "127.0.0.1", port: 0 });
   * assert.ok(socket.localAddress.port > 0);
   * ```
   */
  static bind(
    address: AddressLike | { readonly port: number },
    options?: UdpSocketOptions,
  ): UdpSocket {
    const o = checkOptions(options);
    const target = localAddressFor(address, o.family);
    const socket = new UdpSocket({ ...o, family: target.family });
    try {
      socket.bind(target);
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  /**
   * Binds the socket to a local address (`bind`).
   *
   * @param address The address; port 0 for any free port.
   * @throws {RangeError} If the address is invalid.
   * @throws {ErrnoError} If binding fails (EADDRINUSE, EADDRNOTAVAIL, EINVAL if already bound).
   */
  bind(address: AddressLike | { readonly port: number }): void {
    const target = localAddressFor(address, this.#family);
    bindSocket(this.#open("bind", "bind"), target, this.#what());
    this.#local = undefined;
  }

  /**
   * Connects the socket to a peer (`connect`): sends then go there by
   * default, only its datagrams are received, and ICMP errors it causes
   * (ECONNREFUSED) are reported. Nothing is sent.
   *
   * @param address The peer.
   * @throws {RangeError} If the address is invalid.
   * @throws {ErrnoError} If the kernel refuses (ENETUNREACH, EAFNOSUPPORT).
   */
  connect(address: AddressLike): void {
    const target = SocketAddress.from(address);
    const fd = this.#open("connect", "connect");
    const sockaddr = sockaddrOf(target);
    if (libc().connect(fd, sockaddr, sockaddr.length) === -1) {
      throw errnoCallError(lastErrno(), "connect", `connect ${this.#what()} to ${target}`);
    }
    this.#remote = target;
    this.#local = undefined;
  }

  /**
   * Dissolves the association made by {@linkcode UdpSocket.connect}
   * (`connect` with `AF_UNSPEC`).
   *
   * @throws {ErrnoError} If the socket is closed.
   */
  disconnect(): void {
    const fd = this.#open("connect", "disconnect");
    const unspec = new Uint8Array(16);
    unspec[0] = AF_UNSPEC;
    if (libc().connect(fd, unspec, unspec.length) === -1) {
      throw errnoCallError(lastErrno(), "connect", `disconnect ${this.#what()}`);
    }
    this.#remote = undefined;
    this.#local = undefined;
  }

  /**
   * The fd.
   *
   * @throws {ErrnoError} EBADF once the socket is closed.
   */
  get fd(): number {
    return this.#open("getsockname", "use");
  }

  /** `"ipv4"` or `"ipv6"`. */
  get family(): AddressFamily {
    return this.#family;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * The local address (`getsockname`): port 0 until the socket is bound
   * (explicitly or by a first send).
   *
   * @throws {ErrnoError} EBADF once the socket is closed.
   */
  get localAddress(): SocketAddress {
    const fd = this.#open("getsockname", "get the address of");
    if (this.#local) return this.#local;
    const address = socketName(fd, "local", `UDP socket (fd ${fd})`);
    if (address.port !== 0) this.#local = address;
    return address;
  }

  /** The peer given to {@linkcode UdpSocket.connect}, or undefined. */
  get remoteAddress(): SocketAddress | undefined {
    return this.#remote;
  }

  // ---- sending ----------------------------------------------------------------

  /**
   * Sends one datagram to `to`, blocking the thread if the send buffer is
   * full (rare). The datagram leaves whole or not at all.
   *
   * @param data The payload: bytes, or a record with `options.layout`.
   * @param to The destination.
   * @param options A layout for records, raw flags, a timeout.
   * @returns The number of bytes sent.
   * @throws {RangeError} If the address is invalid, or the datagram longer than 65507 bytes.
   * @throws {ErrnoError} EACCES for a broadcast address without `broadcast: true`, EMSGSIZE, ENETUNREACH, ...
   */
  sendToSync<V = Uint8Array>(data: V, to: AddressLike, options?: SendOptions<V>): number {
    const bytes = payload(data, options);
    const target = SocketAddress.from(to);
    const sockaddr = sockaddrOf(target);
    const flags = options?.flags === undefined ? 0 : checkInt32(options.flags, "options.flags");
    const ms = syncTimeout(options);
    const deadline = deadlineOf(ms);
    const { sendto } = calls ??= datagramCalls();
    const length = sizeOf(bytes.length);
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#fd >= 0 ? this.#fd : this.#closedSend(target);
      const n = sendto(
        fd,
        bytes,
        length,
        flags | (ms < 0 ? 0 : MSG_DONTWAIT),
        sockaddr,
        sockaddr.length,
      );
      if (n >= 0n) return Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN && ms >= 0) {
        waitUntil(fd, "write", deadline, () => `send to ${target}`, ms);
      } else if (errno !== EINTR) throw sendError(errno, target, bytes.length, this.#what());
    }
  }

  /**
   * Sends one datagram to `to` without blocking the event loop.
   *
   * @param data The payload: bytes, or a record with `options.layout`.
   * @param to The destination.
   * @param options A layout for records, raw flags, a signal and a timeout for the wait for room.
   * @returns The number of bytes sent.
   * @throws {RangeError} If the address is invalid, or the datagram longer than 65507 bytes.
   * @throws {ErrnoError} EACCES for a broadcast address without `broadcast: true`, EMSGSIZE, ENETUNREACH, ...
   *
   * @example
   * ```ts
   * import { packed, u32 } from "@unixipc/unixipc/endian";
   * import { UdpSocket } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * const Point = packed([["x", u32], ["y", u32]]);
   * using receiver = UdpSocket.bind("127.0.0.1:0");
   * using sender = new UdpSocket();
   * await sender.sendTo({ x: 1, y: 2 }, receiver.localAddress, { layout: Point });
   * const { data } = await receiver.receiveFrom({ layout: Point, timeout: 5000 });
   * assert.deepEqual(data, { x: 1, y: 2 });
   * ```
   */
  async sendTo<V = Uint8Array>(
    data: V,
    to: AddressLike,
    options?: SendOptions<V>,
  ): Promise<number> {
    const bytes = payload(data, options);
    const target = SocketAddress.from(to);
    const sockaddr = sockaddrOf(target);
    const flags = options?.flags === undefined ? 0 : checkInt32(options.flags, "options.flags");
    const signal = asyncSignal(options);
    const { sendto } = calls ??= datagramCalls();
    const length = sizeOf(bytes.length);
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#fd >= 0 ? this.#fd : this.#closedSend(target);
      const n = sendto(fd, bytes, length, flags | MSG_DONTWAIT, sockaddr, sockaddr.length);
      if (n >= 0n) return Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) await waitFor(fd, "write", signal, this.#brief);
      else if (errno !== EINTR) throw sendError(errno, target, bytes.length, this.#what());
    }
  }

  /**
   * Sends one datagram to the connected peer, blocking the thread if the
   * send buffer is full.
   *
   * @param data The payload: bytes, or a record with `options.layout`.
   * @param options A layout for records, raw flags, a timeout.
   * @returns The number of bytes sent.
   * @throws {ErrnoError} EDESTADDRREQ if not connected; ECONNREFUSED if an earlier datagram was refused.
   */
  sendSync<V = Uint8Array>(data: V, options?: SendOptions<V>): number {
    const bytes = payload(data, options);
    const flags = options?.flags === undefined ? 0 : checkInt32(options.flags, "options.flags");
    const ms = syncTimeout(options);
    const deadline = deadlineOf(ms);
    const { send } = calls ??= datagramCalls();
    const length = sizeOf(bytes.length);
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("send", "send from");
      const n = send(fd, bytes, length, flags | (ms < 0 ? 0 : MSG_DONTWAIT));
      if (n >= 0n) return Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN && ms >= 0) {
        waitUntil(fd, "write", deadline, () => `send from ${this.#what()}`, ms);
      } else if (errno !== EINTR) throw sendError(errno, this.#remote, bytes.length, this.#what());
    }
  }

  /**
   * Sends one datagram to the connected peer without blocking the event loop.
   *
   * @param data The payload: bytes, or a record with `options.layout`.
   * @param options A layout for records, raw flags, a signal and a timeout.
   * @returns The number of bytes sent.
   * @throws {ErrnoError} EDESTADDRREQ if not connected; ECONNREFUSED if an earlier datagram was refused.
   */
  async send<V = Uint8Array>(data: V, options?: SendOptions<V>): Promise<number> {
    const bytes = payload(data, options);
    const flags = options?.flags === undefined ? 0 : checkInt32(options.flags, "options.flags");
    const signal = asyncSignal(options);
    const { send } = calls ??= datagramCalls();
    const length = sizeOf(bytes.length);
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("send", "send from");
      const n = send(fd, bytes, length, flags | MSG_DONTWAIT);
      if (n >= 0n) return Number(n);
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) await waitFor(fd, "write", signal, this.#brief);
      else if (errno !== EINTR) throw sendError(errno, this.#remote, bytes.length, this.#what());
    }
  }

  // ---- receiving --------------------------------------------------------------

  /**
   * Receives one datagram and the sender's address, blocking the thread
   * until one comes (or `options.timeout` passes).
   *
   * @param options A layout for records, a buffer, the largest size, what to do with a longer datagram, a timeout.
   * @returns The datagram.
   * @throws {ErrnoError} EMSGSIZE for a datagram longer than the buffer (unless `allowTruncated`), ECONNREFUSED on a connected socket whose peer refused an earlier datagram.
   * @throws {DOMException} A `TimeoutError` when `options.timeout` passes.
   */
  receiveFromSync<V = Uint8Array>(options?: ReceiveOptions<V>): Datagram<V> {
    const { buffer, length, flags, allowTruncated } = receiveArgs(options);
    const ms = syncTimeout(options);
    const deadline = deadlineOf(ms);
    const callFlags = ms < 0 ? flags : flags | MSG_DONTWAIT;
    const { recvfrom } = calls ??= datagramCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("recvfrom", "receive on");
      if (ms >= 0) waitUntil(fd, "read", deadline, () => `receive on ${this.#what()}`, ms);
      addressLength[0] = SOCKADDR_STORAGE_SIZE;
      const n = recvfrom(fd, buffer, length, callFlags, addressBuffer, addressLengthBytes);
      if (n >= 0n) {
        return this.#datagram(buffer, Number(n), receivedAddress(), allowTruncated, options);
      }
      const errno = errnoNow[0]!;
      if (errno !== EINTR && (errno !== EAGAIN || ms < 0)) {
        throw receiveError(errno, this.#what(), this.#remote);
      }
    }
  }

  /**
   * Receives one datagram and the sender's address without blocking the
   * event loop: no thread is held while it waits.
   *
   * @param options A layout for records, a buffer, the largest size, what to do with a longer datagram, a signal and a timeout.
   * @returns The datagram.
   * @throws {ErrnoError} EMSGSIZE for a datagram longer than the buffer (unless `allowTruncated`); EBADF if the socket is closed meanwhile.
   * @throws {DOMException} The signal's reason when it aborts; a `TimeoutError` when `options.timeout` passes.
   *
   * @example
   * ```ts
   * import { UdpSocket } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * using socket = UdpSocket.bind("127.0.0.1:0");
   * await assert.rejects(socket.receiveFrom({ timeout: 10 }), { name: "TimeoutError" });
   * ```
   */
  async receiveFrom<V = Uint8Array>(options?: ReceiveOptions<V>): Promise<Datagram<V>> {
    const { buffer, length, flags, allowTruncated } = receiveArgs(options);
    const signal = asyncSignal(options);
    const { recvfrom } = calls ??= datagramCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("recvfrom", "receive on");
      addressLength[0] = SOCKADDR_STORAGE_SIZE;
      const n = recvfrom(
        fd,
        buffer,
        length,
        flags | MSG_DONTWAIT,
        addressBuffer,
        addressLengthBytes,
      );
      if (n >= 0n) {
        return this.#datagram(buffer, Number(n), receivedAddress(), allowTruncated, options);
      }
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) await waitFor(fd, "read", signal, this.#brief);
      else if (errno !== EINTR) throw receiveError(errno, this.#what(), this.#remote);
    }
  }

  /**
   * Receives one datagram's payload, blocking the thread: for connected
   * sockets, or when the sender does not matter.
   *
   * @param options As for {@linkcode UdpSocket.receiveFromSync}.
   * @returns The payload: bytes, or the record decoded with `options.layout`.
   * @throws {ErrnoError} As {@linkcode UdpSocket.receiveFromSync}.
   * @throws {DOMException} A `TimeoutError` when `options.timeout` passes.
   */
  receiveSync<V = Uint8Array>(options?: ReceiveOptions<V>): V {
    const { buffer, length, flags, allowTruncated } = receiveArgs(options);
    const ms = syncTimeout(options);
    const deadline = deadlineOf(ms);
    const callFlags = ms < 0 ? flags : flags | MSG_DONTWAIT;
    const { recv } = calls ??= datagramCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("recv", "receive on");
      if (ms >= 0) waitUntil(fd, "read", deadline, () => `receive on ${this.#what()}`, ms);
      const n = recv(fd, buffer, length, callFlags);
      if (n >= 0n) {
        return this.#payload(buffer, Number(n), this.#remote, allowTruncated, options);
      }
      const errno = errnoNow[0]!;
      if (errno !== EINTR && (errno !== EAGAIN || ms < 0)) {
        throw receiveError(errno, this.#what(), this.#remote);
      }
    }
  }

  /**
   * Receives one datagram's payload without blocking the event loop.
   *
   * @param options As for {@linkcode UdpSocket.receiveFrom}.
   * @returns The payload: bytes, or the record decoded with `options.layout`.
   * @throws {ErrnoError} As {@linkcode UdpSocket.receiveFrom}.
   * @throws {DOMException} The signal's reason when it aborts; a `TimeoutError` when `options.timeout` passes.
   */
  async receive<V = Uint8Array>(options?: ReceiveOptions<V>): Promise<V> {
    const { buffer, length, flags, allowTruncated } = receiveArgs(options);
    const signal = asyncSignal(options);
    const { recv } = calls ??= datagramCalls();
    const errnoNow = errnoCell(); // read at once after a failed call: no call between
    for (;;) {
      const fd = this.#open("recv", "receive on");
      const n = recv(fd, buffer, length, flags | MSG_DONTWAIT);
      if (n >= 0n) {
        return this.#payload(buffer, Number(n), this.#remote, allowTruncated, options);
      }
      const errno = errnoNow[0]!;
      if (errno === EAGAIN) await waitFor(fd, "read", signal, this.#brief);
      else if (errno !== EINTR) throw receiveError(errno, this.#what(), this.#remote);
    }
  }

  /**
   * Receives datagrams until the socket is closed: `for await (const d of socket)`.
   *
   * @returns An iterator of datagrams (bytes).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Datagram> {
    while (!this.closed) {
      try {
        yield await this.receiveFrom();
      } catch (error) {
        if (this.closed) return;
        throw error;
      }
    }
  }

  // ---- broadcast and multicast -----------------------------------------------

  /**
   * Allows or forbids sending to broadcast addresses (`SO_BROADCAST`).
   *
   * @param on True to allow.
   * @throws {TypeError} If `on` is not a boolean.
   * @throws {ErrnoError} If the socket is closed.
   */
  setBroadcast(on: boolean): void {
    this.setOption("SO_BROADCAST", checkBoolean(on, "on"));
  }

  /**
   * Chooses the interface outgoing multicast leaves by (`IP_MULTICAST_IF`
   * or `IPV6_MULTICAST_IF`).
   *
   * @param iface An IPv4 address of the interface (IPv4 sockets), its name, or its index.
   * @throws {RangeError} If the interface is invalid.
   * @throws {ErrnoError} ENODEV if there is no such interface, EADDRNOTAVAIL if no interface has that address.
   */
  setMulticastInterface(iface: InterfaceRef): void {
    if (this.#family === "ipv4") this.setOption("IP_MULTICAST_IF", iface);
    else this.setOption("IPV6_MULTICAST_IF", iface);
  }

  /**
   * Joins a multicast group: any source (`IP_ADD_MEMBERSHIP`,
   * `IPV6_JOIN_GROUP`) or, with `options.source`, one source only
   * (`IP_ADD_SOURCE_MEMBERSHIP`, `MCAST_JOIN_SOURCE_GROUP`).
   *
   * @param group The group: `"224.2.2.2"`, `"ff02::1:3"`.
   * @param options The interface, and the source for source-specific multicast.
   * @throws {RangeError} If the group is not a multicast address of the socket's family, or the interface invalid.
   * @throws {ErrnoError} EADDRINUSE if already joined there, ENODEV if the interface lacks multicast or a route.
   *
   * @example
   * ```ts
   * import { UdpSocket } from "@unixipc/unixipc/net";
   *
   * using socket = UdpSocket.bind("0.0.0.0:0");
   * socket.joinGroup("224.2.2.2", { interface: "127.0.0.1" });
   * socket.leaveGroup("224.2.2.2", { interface: "127.0.0.1" });
   * ```
   */
  joinGroup(group: string, options?: GroupOptions): void {
    changeMembership(this.#open("setsockopt", "join a group on"), this.#family, group, options, {
      join: true,
      what: () => this.#what(),
    });
  }

  /**
   * Leaves a multicast group joined with {@linkcode UdpSocket.joinGroup}
   * (same group, interface and source).
   *
   * @param group The group.
   * @param options The interface and source it was joined with.
   * @throws {RangeError} If the group is not a multicast address of the socket's family.
   * @throws {ErrnoError} EADDRNOTAVAIL if it was not joined there.
   */
  leaveGroup(group: string, options?: GroupOptions): void {
    changeMembership(this.#open("setsockopt", "leave a group on"), this.#family, group, options, {
      join: false,
      what: () => this.#what(),
    });
  }

  // ---- options ----------------------------------------------------------------

  /**
   * Reads a socket option of the table (`getsockopt`).
   *
   * @param name The option, such as `"SO_RCVBUF"`.
   * @returns Its value, typed per option.
   * @throws {TypeError} If the option is not in the table or cannot be read.
   * @throws {ErrnoError} If `getsockopt` fails.
   *
   * @example
   * ```ts
   * import { UdpSocket } from "@unixipc/unixipc/net";
   * import assert from "node:assert/strict";
   *
   * using socket = new UdpSocket({ broadcast: true });
   * assert.equal(socket.getOption("SO_BROADCAST"), true);
   * ```
   */
  getOption<N extends ReadableSocketOption>(name: N): SocketOptionValues[N] {
    return readOption(this.#open("getsockopt", "read an option of"), name, () => this.#what());
  }

  /**
   * Sets a socket option of the table (`setsockopt`), checked and encoded as its C type.
   *
   * @param name The option, such as `"IP_MULTICAST_TTL"`.
   * @param value Its value.
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
   * @param level The level (`SOL_SOCKET`, `IPPROTO_IP`, ...).
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
   * @param value The bytes, laid out as the kernel expects.
   * @throws {ErrnoError} If `setsockopt` fails.
   */
  setRawOption(level: number, name: number, value: Uint8Array): void {
    const fd = this.#open("setsockopt", "set an option of");
    writeRawOption(fd, level, name, value, () => this.#what());
  }

  // ---- lifetime ---------------------------------------------------------------

  /**
   * Closes the socket. Pending async receives and sends reject with EBADF
   * ("the socket is closed"); an async iteration ends. Calling it again
   * does nothing.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeSocket(fd, "recvfrom", () => `receive on ${this.#what()}`);
  }

  /** Closes the socket: `using socket = ...` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- private ----------------------------------------------------------------

  #closedSend(target: SocketAddress): never {
    throw closedError("sendto", `send to ${target} from ${this.#what()}`);
  }

  #open(syscall: string, verb: string): number {
    if (this.#fd < 0) throw closedError(syscall, `${verb} ${this.#what()}`);
    return this.#fd;
  }

  #what(): string {
    if (this.#fd < 0) return this.#local ? `UDP socket ${this.#local}` : "UDP socket";
    if (!this.#local) {
      // Error paths only: name the socket by its address when it has one.
      try {
        const address = socketName(this.#fd, "local", "a UDP socket");
        if (address.port !== 0) this.#local = address;
      } catch {
        // Keep the fd number.
      }
    }
    return this.#local ? `UDP socket ${this.#local}` : `UDP socket (fd ${this.#fd})`;
  }

  #datagram<V>(
    buffer: Uint8Array,
    size: number,
    from: SocketAddress,
    allowTruncated: boolean,
    options: ReceiveOptions<V> | undefined,
  ): Datagram<V> {
    const data = this.#payload(buffer, size, from, allowTruncated, options);
    return { data, from, size, truncated: size > buffer.length };
  }

  /** The payload of a datagram of `size` bytes received into `buffer`: checked for truncation, copied or decoded. */
  #payload<V>(
    buffer: Uint8Array,
    size: number,
    from: SocketAddress | undefined,
    allowTruncated: boolean,
    options: ReceiveOptions<V> | undefined,
  ): V {
    if (size > buffer.length && !allowTruncated) {
      throw truncatedError(size, buffer.length, from, this.#what());
    }
    return receivedPayload(buffer, size, from, options);
  }
}
