/**
 * System V message queues: `msgget`, `msgsnd`, `msgrcv`, `msgctl`, as a
 * handle with sync and async sends and receives, records through the
 * layouts of `endian/`, and `for await` over incoming messages.
 *
 * @module
 */

import { sysvLayouts } from "../endian/libc_sysv.ts";
import type { Layout } from "../endian/layout.ts";
import {
  checkAbortSignal,
  checkBoolean,
  checkBytes,
  checkKey,
  checkNonNegativeInt32,
  checkOptions,
  checkSafeInteger,
  checkSize,
  checkTimeout,
} from "../ipc/_checks.ts";
import { type CallContext, errnoError, lastErrno, lastError, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import {
  changePermissions,
  closedError,
  dateOf,
  EAGAIN,
  EIDRM,
  EINVAL,
  ENOMSG,
  mayRetry,
  nativeBuffer,
  openIntent,
  permissionsOf,
  readLong,
  timeoutError,
  writeLong,
} from "./_common.ts";
import {
  IPC_INFO,
  IPC_NOWAIT,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  MSG_EXCEPT,
  MSG_NOERROR,
} from "./constants.ts";
import { formatKey } from "./key.ts";
import { decodeRecord, encodeRecord, type MessageCodec, messageCodec } from "./_message_codec.ts";
import { othersWaiting, type Receiver, stopWaiting, waitForMessage } from "./_receive_waiter.ts";
import { sendsWaiting, SendWait } from "./_send_wait.ts";
import { AdaptiveSpin, after, now, spinFor } from "./_wait.ts";
import type { IpcOpenOptions, IpcPermissions, IpcPermissionsChange } from "./types.ts";

/** A received message: its type and its data (bytes, or a record when a layout was given). */
export interface Message<T = Uint8Array> {
  /** The message type (`mtype`), at least 1. */
  readonly type: number;
  /** The message text: a fresh `Uint8Array`, or the record decoded with the layout. */
  readonly data: T;
}

/** A record to send with a layout: a whole-struct layout's `mtype` may be left out (the type argument sets it). */
export type MessageRecord<V> = Omit<V, "mtype"> & { mtype?: number };

/** Options of {@linkcode MessageQueue.sendSync}. */
export interface MessageSendSyncOptions {
  /** Wait for room when the queue is full (default true); false fails at once with an EAGAIN error (`IPC_NOWAIT`). */
  readonly wait?: boolean;
}

/** Options of {@linkcode MessageQueue.send}. */
export interface MessageSendOptions extends MessageSendSyncOptions {
  /** Stops waiting for room: the promise rejects with the signal's reason, unless the message went first. */
  readonly signal?: AbortSignal;
  /** Milliseconds to wait for room (default Infinity); then a `TimeoutError` DOMException. */
  readonly timeout?: number;
  /**
   * Microseconds to keep trying with `IPC_NOWAIT` when the queue is full,
   * before parking the wait on a pool thread; 0 parks at once. Default:
   * adaptive (see {@linkcode MessageReceiveOptions.spin}).
   */
  readonly spin?: number;
}

/** Options of {@linkcode MessageQueue.receiveSync}: which message, and how. */
export interface MessageReceiveSyncOptions {
  /**
   * Which message (`msgtyp`): 0, the first in the queue (the default); a
   * positive type, the first of that type; a negative one, the first of
   * the lowest type up to its absolute value.
   */
  readonly type?: number;
  /** With a positive `type`: the first message of any other type (`MSG_EXCEPT`). */
  readonly except?: boolean;
  /**
   * Cut a message longer than `maxSize` (`MSG_NOERROR`). Default false: such
   * a message stays queued and the receive fails with E2BIG.
   */
  readonly truncate?: boolean;
  /** Wait for a message (default true); false fails at once with an ENOMSG error (`IPC_NOWAIT`). */
  readonly wait?: boolean;
  /**
   * The most bytes of text to receive, in [0, msgmax]. Default: msgmax for
   * bytes and flexible layouts (`into.length` with `into`); a fixed
   * layout's text size (and no other).
   */
  readonly maxSize?: number;
  /**
   * Receive the text into this buffer instead of a new one: the message's
   * `data` is then a view of its first bytes, valid until the buffer is
   * used again. For loops that must not allocate (a new Uint8Array costs
   * about 0.3 us in Deno, more than the copy). Not with `layout`.
   */
  readonly into?: Uint8Array;
}

/** Options of {@linkcode MessageQueue.receive}. */
export interface MessageReceiveOptions extends MessageReceiveSyncOptions {
  /** Stops waiting: the promise rejects with the signal's reason (a message is never lost for it). */
  readonly signal?: AbortSignal;
  /** Milliseconds to wait (default Infinity); then a `TimeoutError` DOMException. */
  readonly timeout?: number;
  /**
   * Microseconds to keep trying with `IPC_NOWAIT` before parking the wait on
   * a pool thread; 0 parks at once. The event loop is busy meanwhile: the
   * spin buys latency near a blocking C receive, where a parked wait costs
   * tens of microseconds to wake. Default: adaptive, per handle: about 4
   * times the usual delay of recent waits (at most 400) while spins catch
   * their message at least a quarter of the time, else none, with a probe
   * now and then.
   */
  readonly spin?: number;
}

/** With a layout: messages are records of it. */
export interface MessageLayoutOption<V> {
  /**
   * The record's layout. A layout whose first field is `mtype` (a C `long`)
   * is the whole C struct, sent as `sizeof(struct) - sizeof(long)` bytes of
   * text, as C does; any other layout is the text alone.
   */
  readonly layout: Layout<V>;
}

/** What {@linkcode MessageQueue.stat} reports (`struct msqid_ds`). */
export interface MessageQueueStatus extends IpcPermissions {
  /** Messages in the queue. */
  readonly messages: number;
  /** Bytes of text in the queue. */
  readonly bytes: number;
  /** The most bytes of text the queue may hold (`msg_qbytes`). */
  readonly maxBytes: number;
  /** Pid of the last sender (0: none yet). */
  readonly lastSendPid: number;
  /** Pid of the last receiver (0: none yet). */
  readonly lastReceivePid: number;
  /** Time of the last send, or null. */
  readonly lastSend: Date | null;
  /** Time of the last receive, or null. */
  readonly lastReceive: Date | null;
  /** Time of the last change (creation, `set()`). */
  readonly lastChange: Date | null;
}

/** What {@linkcode MessageQueue.set} may change. */
export interface MessageQueueChanges extends IpcPermissionsChange {
  /** The most bytes the queue may hold; above msgmnb needs CAP_SYS_RESOURCE. */
  readonly maxBytes?: number;
}

/** The system's message queue limits (`msgctl(IPC_INFO)`). */
export interface MessageQueueLimits {
  /** The longest message text, in bytes (msgmax). */
  readonly maxMessageSize: number;
  /** The byte limit of a new queue (msgmnb). */
  readonly defaultMaxBytes: number;
  /** The most queues on the system (msgmni). */
  readonly maxQueues: number;
}

/** What a receive selects, checked once. */
interface Selection {
  readonly type: number;
  readonly typeBig: bigint;
  /** msgrcv flags: MSG_NOERROR, MSG_EXCEPT (never IPC_NOWAIT). */
  readonly flags: number;
  /** The waiter's flags: MSG_EXCEPT or 0. */
  readonly waitFlags: number;
  readonly wait: boolean;
  readonly maxSize: number;
  readonly sizeBig: bigint;
  readonly codec: MessageCodec<unknown> | undefined;
  /** The caller's buffer for the text, if any, and its length when checked. */
  readonly into: Uint8Array | undefined;
  readonly intoLength: number;
  /** The options it was made from, as given, to reuse it for equal options. */
  readonly asked: MessageReceiveSyncOptions & Partial<MessageLayoutOption<unknown>>;
}

const closedErrors = new WeakSet<Error>();

/**
 * A System V message queue: messages of a type (a positive `long`) and a
 * text of up to msgmax bytes, shared by every process that knows its key
 * or id.
 *
 * Sync forms (`sendSync`, `receiveSync`) block the thread as C does. Async
 * forms (`send`, `receive`, `for await`) never block the event loop for
 * long: they try with `IPC_NOWAIT` first (and keep trying for
 * {@linkcode MessageReceiveOptions.spin} microseconds), then wait on a pool
 * thread, shared by every receive of the process that selects the same
 * messages; at most 4 pool threads wait for all the System V objects of a
 * process, and waits past that poll (see `xsi/_wait.ts`). Waits end with
 * an AbortSignal, a timeout, `close()`, or an EIDRM error when the queue is
 * removed; a message is never lost or received twice for it.
 *
 * `close()` releases this handle; only `remove()` destroys the queue.
 *
 * @example Send and receive bytes
 * ```ts
 * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * using queue = MessageQueue.open(IPC_PRIVATE);
 * queue.sendSync(1, new TextEncoder().encode("hello"));
 * const { type, data } = await queue.receive();
 * assert.equal(type, 1);
 * assert.equal(new TextDecoder().decode(data), "hello");
 * queue.remove();
 * ```
 *
 * @example A C struct, byte for byte
 * ```ts
 * import { chars, cLong, i32, struct } from "@unixipc/unixipc/endian";
 * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * // struct msg_st { long mtype; char name[32]; int math; int chinese; };
 * const MsgSt = struct([
 *   ["mtype", cLong],
 *   ["name", chars(32)],
 *   ["math", i32],
 *   ["chinese", i32],
 * ], { name: "struct msg_st" });
 *
 * using queue = MessageQueue.open(IPC_PRIVATE);
 * queue.sendSync(1, { name: "Alan", math: 90, chinese: 85 }, { layout: MsgSt });
 * assert.equal(queue.stat().bytes, 40); // sizeof(struct msg_st) - sizeof(long)
 * const { data } = queue.receiveSync({ layout: MsgSt });
 * assert.deepEqual(data, { mtype: 1, name: "Alan", math: 90, chinese: 85 });
 * queue.remove();
 * ```
 */
export class MessageQueue {
  /** The queue's id. */
  readonly id: number;
  /** The key it was opened with; undefined when opened by id. */
  readonly key: number | undefined;

  #closed = false;
  #rbuf: Uint8Array = nativeBuffer(0);
  #rview: DataView = new DataView(this.#rbuf.buffer);
  #sbuf: Uint8Array = nativeBuffer(0);
  #sview: DataView = new DataView(this.#sbuf.buffer);
  #lastSize = -1;
  #lastSizeBig = 0n;
  #defaultSelection: Selection | undefined;
  #lastSelection: Selection | undefined;
  #fullTextOf: Selection | undefined;
  #fullTextView: Uint8Array = this.#rbuf;
  readonly #receivers = new Set<Receiver>();
  readonly #sends = new Set<SendWait>();
  readonly #receiveSpin = new AdaptiveSpin();
  readonly #sendSpin = new AdaptiveSpin();

  private constructor(id: number, key: number | undefined) {
    this.id = id;
    this.key = key;
  }

  /**
   * Opens the queue of a key, creating it if asked (`msgget`).
   *
   * @param key A key from {@linkcode ftok}, a number agreed on, or `IPC_PRIVATE` (always a new queue, reachable by its id alone).
   * @param options `create`, `exclusive`, `mode` (0o600 by default), raw `flags`.
   * @returns The handle.
   * @throws {TypeError|RangeError} On a bad key or option.
   * @throws {ErrnoError} ENOENT (no queue, and not asked to create), EEXIST (exclusive, and one exists), EACCES (its mode forbids us), ENOSPC (the system's limit).
   *
   * @example
   * ```ts
   * import { MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const key = 0x5eed0001;
   * using created = MessageQueue.open(key, { create: true, exclusive: true, mode: 0o600 });
   * using opened = MessageQueue.open(key);
   * assert.equal(opened.id, created.id);
   * created.remove();
   * ```
   */
  static open(key: number, options?: IpcOpenOptions): MessageQueue {
    const k = checkKey(key);
    const intent = openIntent(options, k);
    const id = libc().msgget(k, intent.flags);
    if (id === -1) {
      throw lastError("msgget", {
        action: `${intent.create ? "create" : "open"} message queue with key ${formatKey(k)}`,
        details: { key: k, flags: intent.flags },
        reasons: {
          ENOENT: "no queue has this key (pass create: true to make one)",
          EEXIST: "a queue with this key exists already",
          EACCES: "the queue's mode does not let this process use it",
          ENOSPC: "the system's limit of message queues (msgmni) is reached",
        },
      });
    }
    return new MessageQueue(id, k);
  }

  /**
   * A handle on the queue with this id (from `ipcs`, or passed by another
   * process). Nothing is checked until the first call.
   *
   * @param id The queue's id.
   * @returns The handle.
   * @throws {RangeError} If `id` is not an integer in [0, 2^31 - 1].
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * using again = MessageQueue.fromId(queue.id);
   * assert.equal(again.stat().messages, 0);
   * queue.remove();
   * ```
   */
  static fromId(id: number): MessageQueue {
    return new MessageQueue(checkNonNegativeInt32(id, "id"), undefined);
  }

  /**
   * The system's limits: the longest message, a new queue's byte limit, the
   * most queues.
   *
   * @returns The limits, read now.
   * @throws {ErrnoError} If the kernel has no message queues.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(MessageQueue.limits().maxMessageSize >= 1);
   * ```
   */
  static limits(): MessageQueueLimits {
    return readMessageLimits();
  }

  /** True once {@linkcode MessageQueue.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a message, blocking while the queue is full (unless `wait: false`).
   *
   * @param type The message type, an integer in [1, 2^53 - 1].
   * @param data The text: bytes, or a record of `options.layout`.
   * @param options `wait`; `layout` for records.
   * @throws {TypeError|RangeError} On a bad type, data or option; text longer than msgmax.
   * @throws {ErrnoError} EAGAIN (full, with `wait: false`), EIDRM (removed), EACCES, EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * queue.sendSync(7, new Uint8Array([1, 2, 3]));
   * assert.deepEqual(queue.receiveSync({ type: 7 }).data, new Uint8Array([1, 2, 3]));
   * queue.remove();
   * ```
   */
  sendSync(type: number, data: Uint8Array, options?: MessageSendSyncOptions): void;
  /**
   * Sends a record, encoded with `options.layout`.
   *
   * @param type The message type, an integer in [1, 2^53 - 1].
   * @param record The record.
   * @param options `layout`, `wait`.
   */
  sendSync<V>(
    type: number,
    record: MessageRecord<V>,
    options: MessageSendSyncOptions & MessageLayoutOption<V>,
  ): void;
  sendSync(
    type: number,
    data: unknown,
    options?: MessageSendSyncOptions & Partial<MessageLayoutOption<unknown>>,
  ): void {
    this.#checkOpen("msgsnd", "send to");
    const o = options === undefined ? undefined : checkOptions(options);
    const wait = o?.wait === undefined ? true : checkBoolean(o.wait, "options.wait");
    const message = this.#prepare(type, data, o?.layout);
    const size = this.#sizeBig(message.length - 8);
    const flags = wait ? 0 : IPC_NOWAIT;
    const { msgsnd } = libc();
    for (;;) {
      if (msgsnd(this.id, message, size, flags) === 0) return;
      const errno = lastErrno();
      // EAGAIN is the answer of a full queue only with IPC_NOWAIT; else see mayRetry.
      if (!mayRetry(errno) || (errno === EAGAIN && !wait)) {
        throw this.#sendError(errno, type, message.length - 8);
      }
    }
  }

  /**
   * Sends a message; when the queue is full, waits for room without
   * blocking the event loop. Sends of this process to one queue complete in
   * the order they were made.
   *
   * @param type The message type, an integer in [1, 2^53 - 1].
   * @param data The text: bytes, or a record of `options.layout`.
   * @param options `wait`, `signal`, `timeout`, `spin`; `layout` for records.
   * @returns A promise that resolves once the message is queued.
   * @throws {TypeError|RangeError} On a bad type, data or option; text longer than msgmax.
   * @throws {ErrnoError} EAGAIN (full, with `wait: false`), EIDRM (removed while waiting), EACCES, EBADF (closed).
   * @throws {DOMException} `TimeoutError` after `timeout`; the signal's reason when it aborts.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * await queue.send(1, new Uint8Array(8), { timeout: 1000 });
   * assert.equal(queue.stat().messages, 1);
   * queue.remove();
   * ```
   */
  send(type: number, data: Uint8Array, options?: MessageSendOptions): Promise<void>;
  /**
   * Sends a record, encoded with `options.layout`.
   *
   * @param type The message type, an integer in [1, 2^53 - 1].
   * @param record The record.
   * @param options `layout`, `wait`, `signal`, `timeout`.
   * @returns A promise that resolves once the message is queued.
   */
  send<V>(
    type: number,
    record: MessageRecord<V>,
    options: MessageSendOptions & MessageLayoutOption<V>,
  ): Promise<void>;
  async send(
    type: number,
    data: unknown,
    options?: MessageSendOptions & Partial<MessageLayoutOption<unknown>>,
  ): Promise<void> {
    this.#checkOpen("msgsnd", "send to");
    const o = options === undefined ? undefined : checkOptions(options);
    const wait = o?.wait === undefined ? true : checkBoolean(o.wait, "options.wait");
    const signal = checkAbortSignal(o?.signal);
    const timeout = o?.timeout === undefined
      ? Infinity
      : checkTimeout(o.timeout, "options.timeout");
    const spinMicros = o?.spin === undefined
      ? undefined
      : checkSize(o.spin, "options.spin", 0, 1_000_000);
    const message = this.#prepare(type, data, o?.layout);
    const textSize = message.length - 8;
    const size = this.#sizeBig(textSize);
    signal?.throwIfAborted();
    if (!sendsWaiting(this.id)) {
      const { msgsnd } = libc();
      const trySend = () => {
        if (msgsnd(this.id, message, size, IPC_NOWAIT) === 0) return true;
        const errno = lastErrno();
        if (!mayRetry(errno)) throw this.#sendError(errno, type, textSize);
        return false;
      };
      if (trySend()) return;
      if (!wait) throw this.#sendError(EAGAIN, type, textSize);
      if (spinFor(spinMicros, this.#sendSpin, timeout, trySend)) return;
    } else if (!wait) {
      throw this.#sendError(EAGAIN, type, textSize);
    }
    if (timeout === 0) throw this.#timeoutError("msgsnd", "send to", 0);
    const own = message.buffer === this.#sbuf.buffer ? message.slice() : message;
    await new Promise<void>((resolve, reject) => {
      let cancelTimer = () => {};
      const onAbort = () => sendWait.cancel(signal!.reason);
      const sendWait: SendWait = new SendWait({
        id: this.id,
        message: own,
        size,
        flags: 0,
        errorFor: (errno) => this.#sendError(errno, type, textSize),
        settle: (error) => {
          cancelTimer();
          signal?.removeEventListener("abort", onAbort);
          this.#sends.delete(sendWait);
          if (error) reject(error);
          else resolve();
        },
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      cancelTimer = after(
        timeout,
        () => sendWait.cancel(this.#timeoutError("msgsnd", "send to", timeout)),
      );
      this.#sends.add(sendWait);
      sendWait.enqueue();
    });
  }

  /**
   * Receives a message, blocking until one matches (unless `wait: false`).
   *
   * @param options Which message (`type`, `except`), `truncate`, `wait`, `maxSize`.
   * @returns The message: type and bytes.
   * @throws {TypeError|RangeError} On a bad option.
   * @throws {ErrnoError} ENOMSG (none, with `wait: false`), E2BIG (longer than maxSize; it stays queued), EIDRM (removed while waiting), EACCES, EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * queue.sendSync(3, new Uint8Array([3]));
   * queue.sendSync(1, new Uint8Array([1]));
   * assert.equal(queue.receiveSync({ type: -5 }).type, 1); // the lowest type first
   * assert.throws(() => queue.receiveSync({ type: 1, wait: false }), { code: "ENOMSG" });
   * queue.remove();
   * ```
   */
  receiveSync(options?: MessageReceiveSyncOptions): Message;
  /**
   * Receives a record of `options.layout`, blocking until one matches.
   *
   * @param options `layout`, and which message.
   * @returns The message: type and record.
   */
  receiveSync<V>(options: MessageReceiveSyncOptions & MessageLayoutOption<V>): Message<V>;
  receiveSync(
    options?: MessageReceiveSyncOptions & Partial<MessageLayoutOption<unknown>>,
  ): Message<unknown> {
    this.#checkOpen("msgrcv", "receive from");
    const sel = this.#selection(options);
    const flags = sel.flags | (sel.wait ? 0 : IPC_NOWAIT);
    this.#ensureReceiveBuffer(sel.maxSize);
    const { msgrcv } = libc();
    for (;;) {
      const n = msgrcv(this.id, this.#rbuf, sel.sizeBig, sel.typeBig, flags);
      if (n !== -1n) return this.#message(Number(n), sel);
      const errno = lastErrno();
      if (!mayRetry(errno)) throw this.#receiveError(errno, sel);
    }
  }

  /**
   * Receives a message without blocking the event loop: at once if one is
   * queued, else when one comes.
   *
   * @param options Which message (`type`, `except`), `truncate`, `wait`, `maxSize`, `signal`, `timeout`, `spin`.
   * @returns The message: type and bytes.
   * @throws {TypeError|RangeError} On a bad option.
   * @throws {ErrnoError} ENOMSG (none, with `wait: false`), E2BIG (longer than maxSize; it stays queued), EIDRM (removed while waiting), EACCES, EBADF (closed, also while waiting).
   * @throws {DOMException} `TimeoutError` after `timeout`; the signal's reason when it aborts.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * const pending = queue.receive({ type: 2, timeout: 5000 });
   * queue.sendSync(2, new Uint8Array([42]));
   * assert.deepEqual((await pending).data, new Uint8Array([42]));
   * await assert.rejects(queue.receive({ timeout: 10 }), { name: "TimeoutError" });
   * queue.remove();
   * ```
   */
  receive(options?: MessageReceiveOptions): Promise<Message>;
  /**
   * Receives a record of `options.layout` without blocking the event loop.
   *
   * @param options `layout`, and which message.
   * @returns The message: type and record.
   */
  receive<V>(options: MessageReceiveOptions & MessageLayoutOption<V>): Promise<Message<V>>;
  async receive(
    options?: MessageReceiveOptions & Partial<MessageLayoutOption<unknown>>,
  ): Promise<Message<unknown>> {
    this.#checkOpen("msgrcv", "receive from");
    const sel = this.#selection(options);
    let signal: AbortSignal | undefined;
    let timeout = Infinity;
    let spinMicros: number | undefined;
    if (options !== undefined) {
      signal = checkAbortSignal(options.signal);
      if (options.timeout !== undefined) timeout = checkTimeout(options.timeout, "options.timeout");
      if (options.spin !== undefined) {
        spinMicros = checkSize(options.spin, "options.spin", 0, 1_000_000);
      }
      signal?.throwIfAborted();
    }
    const start = timeout === Infinity ? 0 : now();
    if (!sel.wait || !othersWaiting(this.id, sel.typeBig, sel.waitFlags)) {
      let message = this.#takeNow(sel, false);
      if (message !== undefined) return message;
      if (!sel.wait) throw this.#receiveError(ENOMSG, sel);
      const caught = spinFor(
        spinMicros,
        this.#receiveSpin,
        timeout,
        () => (message = this.#takeNow(sel, false)) !== undefined,
      );
      if (caught) {
        return message!;
      }
    }
    const left = timeout === Infinity ? Infinity : timeout - (now() - start);
    if (left <= 0) throw this.#timeoutError("msgrcv", "receive from", timeout);
    return await new Promise<Message<unknown>>((resolve, reject) => {
      let cancelTimer = () => {};
      const settle = () => {
        cancelTimer();
        signal?.removeEventListener("abort", onAbort);
        this.#receivers.delete(receiver);
      };
      const receiver: Receiver = {
        attempt: () => {
          let message: Message<unknown> | undefined;
          try {
            message = this.#takeNow(sel, true);
          } catch (error) {
            settle();
            reject(error);
            return true;
          }
          if (message === undefined) return false;
          settle();
          resolve(message);
          return true;
        },
        deliver: (type) => {
          settle();
          try {
            resolve(this.#emptyMessage(type, sel));
          } catch (error) {
            reject(error);
          }
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      const onAbort = () => stopWaiting(receiver, signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      cancelTimer = after(
        left,
        () => stopWaiting(receiver, this.#timeoutError("msgrcv", "receive from", timeout)),
      );
      this.#receivers.add(receiver);
      waitForMessage(this.id, sel.typeBig, sel.waitFlags, receiver);
    });
  }

  /**
   * Iterates over incoming messages, waiting for each: `for await`. The
   * iteration ends when the handle is closed; an error (the queue removed)
   * ends it by throwing.
   *
   * @param options Which messages, `maxSize`, `truncate`, `signal` (ends the iteration by throwing its reason).
   * @returns An async iterator of messages.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * for (const n of [1, 2, 3]) queue.sendSync(n, new Uint8Array([n]));
   * const types: number[] = [];
   * for await (const message of queue.messages()) {
   *   types.push(message.type);
   *   if (types.length === 3) break;
   * }
   * assert.deepEqual(types, [1, 2, 3]);
   * queue.remove();
   * ```
   */
  messages(options?: MessageReceiveOptions): AsyncGenerator<Message, void, undefined>;
  /**
   * Iterates over incoming records of `options.layout`.
   *
   * @param options `layout`, and which messages.
   * @returns An async iterator of messages.
   */
  messages<V>(
    options: MessageReceiveOptions & MessageLayoutOption<V>,
  ): AsyncGenerator<Message<V>, void, undefined>;
  async *messages(
    options?: MessageReceiveOptions & Partial<MessageLayoutOption<unknown>>,
  ): AsyncGenerator<Message<unknown>, void, undefined> {
    while (!this.#closed) {
      let message: Message<unknown>;
      try {
        message = await this.receive(options as MessageReceiveOptions);
      } catch (error) {
        if (closedErrors.has(error as Error)) return;
        throw error;
      }
      yield message;
    }
  }

  /**
   * `for await (const message of queue)`: every message, in queue order.
   *
   * @returns An async iterator of messages.
   */
  [Symbol.asyncIterator](): AsyncGenerator<Message, void, undefined> {
    return this.messages();
  }

  /**
   * Reads the queue's status (`msgctl(IPC_STAT)`).
   *
   * @returns Counts, limits, last pids and times, owner and mode.
   * @throws {ErrnoError} EACCES (no read permission), EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE, { mode: 0o640 });
   * queue.sendSync(1, new Uint8Array(10));
   * const status = queue.stat();
   * assert.equal(status.messages, 1);
   * assert.equal(status.bytes, 10);
   * assert.equal(status.mode, 0o640);
   * assert.equal(status.lastSendPid, Deno.pid);
   * queue.remove();
   * ```
   */
  stat(): MessageQueueStatus {
    const ds = this.#statRaw();
    return {
      ...permissionsOf(ds.msg_perm, this.id),
      messages: ds.msg_qnum,
      bytes: ds.__msg_cbytes,
      maxBytes: ds.msg_qbytes,
      lastSendPid: ds.msg_lspid,
      lastReceivePid: ds.msg_lrpid,
      lastSend: dateOf(ds.msg_stime),
      lastReceive: dateOf(ds.msg_rtime),
      lastChange: dateOf(ds.msg_ctime),
    };
  }

  /**
   * Changes the owner, the mode or the byte limit (`msgctl(IPC_SET)`).
   *
   * @param changes `uid`, `gid`, `mode`, `maxBytes`; what is left out stays.
   * @throws {TypeError|RangeError} On a bad value.
   * @throws {ErrnoError} EPERM (not the owner or creator; or maxBytes above msgmnb without privilege), EINVAL (removed), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * queue.set({ mode: 0o640, maxBytes: 1024 });
   * assert.equal(queue.stat().maxBytes, 1024);
   * queue.remove();
   * ```
   */
  set(changes: MessageQueueChanges): void {
    const ds = this.#statRaw();
    changePermissions(ds.msg_perm, changes);
    if (changes.maxBytes !== undefined) {
      ds.msg_qbytes = checkSize(changes.maxBytes, "changes.maxBytes", 0);
    }
    const buffer = sysvLayouts().msqid_ds.encode(ds);
    if (libc().msgctl(this.id, IPC_SET, buffer) === -1) {
      throw lastError("msgctl", this.#context("change message queue", { changes }));
    }
  }

  /**
   * Removes the queue from the system (`msgctl(IPC_RMID)`): its messages
   * are gone, and every wait on it, here or in other processes, ends with
   * an EIDRM error. The handle stays open (close it, or let `using` do).
   *
   * @throws {ErrnoError} EPERM (not the owner or creator), EINVAL (removed already), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using queue = MessageQueue.open(IPC_PRIVATE);
   * const waiting = queue.receive();
   * queue.remove();
   * await assert.rejects(waiting, { code: "EIDRM" });
   * ```
   */
  remove(): void {
    this.#checkOpen("msgctl", "remove message queue");
    if (libc().msgctl(this.id, IPC_RMID, null) === -1) {
      throw lastError("msgctl", this.#context("remove message queue"));
    }
  }

  /**
   * Releases the handle; the queue stays. Pending receives and sends of
   * this handle reject with an EBADF error (a message that was queued or
   * taken meanwhile is not lost: see the class). Idempotent.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const queue = MessageQueue.open(IPC_PRIVATE);
   * queue.remove();
   * queue.close();
   * queue.close();
   * assert.ok(queue.closed);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const receiver of [...this.#receivers]) {
      const error = closedError("msgrcv", `receive from message queue ${this.id}`);
      closedErrors.add(error);
      stopWaiting(receiver, error);
    }
    for (const wait of [...this.#sends]) {
      wait.cancel(closedError("msgsnd", `send to message queue ${this.id}`));
    }
  }

  /** Closes the handle (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- internals -------------------------------------------------------------

  #checkOpen(syscall: string, verb: string): void {
    if (this.#closed) throw closedError(syscall, `${verb} message queue ${this.id}`);
  }

  #context(action: string, details: Record<string, unknown> = {}): CallContext {
    return {
      action: `${action} ${this.id}`,
      details: { id: this.id, ...details },
      reasons: {
        EIDRM: "the queue was removed",
        EINVAL: "the queue does not exist (it was removed)",
        EACCES: "the queue's mode does not let this process do that",
        EPERM: "only the queue's owner or creator (or a privileged process) may do that",
      },
    };
  }

  #statRaw(): ReturnType<ReturnType<typeof sysvLayouts>["msqid_ds"]["decode"]> {
    this.#checkOpen("msgctl", "read the status of message queue");
    const layout = sysvLayouts().msqid_ds;
    const buffer = new Uint8Array(layout.size);
    if (libc().msgctl(this.id, IPC_STAT, buffer) === -1) {
      throw lastError("msgctl", this.#context("read the status of message queue"));
    }
    return layout.decode(buffer);
  }

  #sizeBig(size: number): bigint {
    if (size !== this.#lastSize) {
      this.#lastSize = size;
      this.#lastSizeBig = BigInt(size);
    }
    return this.#lastSizeBig;
  }

  /** The whole `struct msgbuf` to send: the handle's send buffer, or an encoded whole-struct record. */
  #prepare(type: number, data: unknown, layout: unknown): Uint8Array {
    checkSafeInteger(type, "type", 1);
    const max = messageLimit();
    if (layout === undefined) {
      const bytes = checkBytes(data, "data");
      checkSize(bytes.length, "the message's length", 0, max);
      const need = bytes.length + 8;
      if (this.#sbuf.length !== need) {
        if (this.#sbuf.length < need) {
          this.#sbuf = nativeBuffer(Math.max(need, 64));
          this.#sview = new DataView(this.#sbuf.buffer);
        }
      }
      writeLong(this.#sview, 0, type);
      this.#sbuf.set(bytes, 8);
      return need === this.#sbuf.length ? this.#sbuf : this.#sbuf.subarray(0, need);
    }
    const codec = messageCodec(layout);
    const encoded = encodeRecord(codec, type, data);
    if (codec.whole) {
      checkSize(encoded.length - 8, "the record's text length", 0, max);
      return encoded;
    }
    checkSize(encoded.length, "the record's length", 0, max);
    const message = new Uint8Array(encoded.length + 8);
    writeLong(new DataView(message.buffer), 0, type);
    message.set(encoded, 8);
    return message;
  }

  #selection(
    options: (MessageReceiveSyncOptions & Partial<MessageLayoutOption<unknown>>) | undefined,
  ): Selection {
    if (options === undefined) {
      return this.#defaultSelection ??= makeSelection(
        0,
        0,
        true,
        messageLimit(),
        undefined,
        undefined,
        {},
      );
    }
    const o = checkOptions(options);
    // A loop that receives with the same options gets the same selection, without allocating.
    const last = this.#lastSelection?.asked;
    if (
      last && o.type === last.type && o.maxSize === last.maxSize && o.layout === last.layout &&
      o.wait === last.wait && o.except === last.except && o.truncate === last.truncate &&
      o.into === last.into &&
      (o.into === undefined || o.into.length === this.#lastSelection!.intoLength)
    ) {
      return this.#lastSelection!;
    }
    const type = o.type === undefined ? 0 : checkSafeInteger(o.type, "options.type");
    const except = o.except === undefined ? false : checkBoolean(o.except, "options.except");
    if (except && type <= 0) {
      throw new RangeError(
        `options.except needs a positive options.type (the type to skip): got type ${type}`,
      );
    }
    const truncate = o.truncate === undefined
      ? false
      : checkBoolean(o.truncate, "options.truncate");
    const wait = o.wait === undefined ? true : checkBoolean(o.wait, "options.wait");
    const codec = o.layout === undefined ? undefined : messageCodec(o.layout);
    const into = o.into === undefined ? undefined : checkBytes(o.into, "options.into");
    if (into && codec) {
      throw new TypeError(
        "options.into cannot be given with options.layout: a record is decoded, not copied",
      );
    }
    let maxSize: number;
    if (codec && !codec.flexible) {
      if (o.maxSize !== undefined) {
        throw new TypeError(
          `options.maxSize cannot be given with ${codec.layout.name}, whose text is ${codec.textSize} bytes: that is the size`,
        );
      }
      maxSize = codec.textSize;
    } else {
      maxSize = o.maxSize === undefined
        ? Math.min(into?.length ?? Infinity, messageLimit())
        : checkSize(o.maxSize, "options.maxSize", codec?.textSize ?? 0, messageLimit());
      if (into && into.length < maxSize) {
        throw new RangeError(
          `options.into holds ${into.length} bytes, fewer than options.maxSize (${maxSize})`,
        );
      }
    }
    const flags = (truncate ? MSG_NOERROR : 0) | (except ? MSG_EXCEPT : 0);
    return this.#lastSelection = makeSelection(type, flags, wait, maxSize, codec, into, {
      type: o.type,
      maxSize: o.maxSize,
      layout: o.layout,
      wait: o.wait,
      except: o.except,
      truncate: o.truncate,
      into: o.into,
    });
  }

  #ensureReceiveBuffer(maxSize: number): void {
    if (this.#rbuf.length < maxSize + 8) {
      this.#rbuf = nativeBuffer(Math.max(maxSize + 8, 64));
      this.#rview = new DataView(this.#rbuf.buffer);
      this.#fullTextOf = undefined;
    }
  }

  /** The view of `maxSize` bytes of text of the receive buffer, made once per selection. */
  #fullText(sel: Selection): Uint8Array {
    if (this.#fullTextOf !== sel) {
      this.#fullTextOf = sel;
      this.#fullTextView = this.#rbuf.subarray(8, 8 + sel.maxSize);
    }
    return this.#fullTextView;
  }

  /** Takes a matching message with IPC_NOWAIT: undefined if none is queued. */
  #takeNow(sel: Selection, afterWait: boolean): Message<unknown> | undefined {
    this.#ensureReceiveBuffer(sel.maxSize);
    const n = libc().msgrcv(this.id, this.#rbuf, sel.sizeBig, sel.typeBig, sel.flags | IPC_NOWAIT);
    if (n !== -1n) return this.#message(Number(n), sel);
    const errno = lastErrno();
    if (errno === ENOMSG || mayRetry(errno)) return undefined;
    throw this.#receiveError(afterWait && errno === EINVAL ? EIDRM : errno, sel);
  }

  #message(size: number, sel: Selection): Message<unknown> {
    const type = readLong(this.#rview, 0);
    const into = sel.into;
    if (into !== undefined) {
      // A full-size message (the usual case of fixed records) copies from a view made once, and
      // is the caller's buffer itself: no allocation but the result.
      if (size === sel.maxSize) into.set(this.#fullText(sel));
      else into.set(this.#rbuf.subarray(8, 8 + size));
      return { type, data: size === into.length ? into : into.subarray(0, size) };
    }
    if (sel.codec === undefined) return { type, data: this.#rbuf.slice(8, 8 + size) };
    return {
      type,
      data: decodeRecord(
        sel.codec,
        this.#rbuf,
        size,
        `message of type ${type} from queue ${this.id}`,
      ),
    };
  }

  /** A zero-length message the waiter took. */
  #emptyMessage(type: number, sel: Selection): Message<unknown> {
    if (sel.into !== undefined) return { type, data: sel.into.subarray(0, 0) };
    if (sel.codec === undefined) return { type, data: new Uint8Array(0) };
    writeLong(this.#rview, 0, type);
    return this.#message(0, sel);
  }

  #receiveError(errno: number, sel: Selection): ErrnoError {
    const context = this.#context("receive from message queue", {
      type: sel.type,
      maxSize: sel.maxSize,
    });
    return errnoError(errno, "msgrcv", {
      ...context,
      reasons: {
        ...context.reasons,
        ENOMSG: `no ${describeSelection(sel)} is queued`,
        E2BIG:
          `the message is longer than ${sel.maxSize} bytes, and stays queued (pass truncate: true to cut it, or a larger maxSize)`,
      },
    });
  }

  #sendError(errno: number, type: number, size: number): ErrnoError {
    const context = this.#context("send to message queue", { type, size });
    return errnoError(errno, "msgsnd", {
      ...context,
      reasons: {
        ...context.reasons,
        EAGAIN: "the queue is full",
        EINVAL: "the queue does not exist (it was removed)",
      },
    });
  }

  #timeoutError(_syscall: string, verb: string, timeout: number): DOMException {
    return timeoutError(
      `${verb} message queue ${this.id}`,
      verb === "send to"
        ? `the queue had no room within ${timeout} ms`
        : `no message came within ${timeout} ms`,
    );
  }
}

function makeSelection(
  type: number,
  flags: number,
  wait: boolean,
  maxSize: number,
  codec: MessageCodec<unknown> | undefined,
  into: Uint8Array | undefined,
  asked: MessageReceiveSyncOptions & Partial<MessageLayoutOption<unknown>>,
): Selection {
  return {
    asked,
    into,
    intoLength: into?.length ?? 0,
    type,
    typeBig: BigInt(type),
    flags,
    waitFlags: flags & MSG_EXCEPT,
    wait,
    maxSize,
    sizeBig: BigInt(maxSize),
    codec,
  };
}

function describeSelection(sel: Selection): string {
  if (sel.type === 0) return "message";
  if (sel.flags & MSG_EXCEPT) return `message of another type than ${sel.type}`;
  if (sel.type < 0) return `message of type ${-sel.type} or lower`;
  return `message of type ${sel.type}`;
}

let cachedMessageLimit: number | undefined;

/** msgmax, read once per process (for argument checks; the kernel checks again). */
function messageLimit(): number {
  return cachedMessageLimit ??= readMessageLimits().maxMessageSize;
}

function readMessageLimits(): MessageQueueLimits {
  const layout = sysvLayouts().msginfo;
  const buffer = new Uint8Array(Math.max(layout.size, sysvLayouts().msqid_ds.size));
  if (libc().msgctl(0, IPC_INFO, buffer) === -1) {
    throw lastError("msgctl", { action: "read the message queue limits" });
  }
  const info = layout.decode(buffer);
  return { maxMessageSize: info.msgmax, defaultMaxBytes: info.msgmnb, maxQueues: info.msgmni };
}
