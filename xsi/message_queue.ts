/**
 * System V message queues: `msgget`, `msgsnd`, `msgrcv`, `msgctl`, as a
 * handle with sync and async sends and receives, records through the
 * layouts of `endian/`, and `for await` over incoming messages.
 *
 * @module
 */

import { EAGAIN, ENOMSG } from "../ipc/_errnos.ts";
import type { MsqidDs } from "../endian/libc_sysv.ts";
import {
  checkAbortSignal,
  checkBoolean,
  checkKey,
  checkNonNegativeInt32,
  checkOptions,
  checkSize,
  checkTimeout,
} from "../ipc/_checks.ts";
import { lastErrno, lastError, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import {
  changePermissions,
  closedError,
  dateOf,
  mayRetry,
  openIntent,
  permissionsOf,
} from "./_common.ts";
import { keyAction, readStatus, removeObject, writeStatus } from "./_control.ts";
import { MESSAGE_QUEUE, readMessageLimits } from "./_message_control.ts";
import {
  checkSelection,
  defaultSelection,
  ReceiveBuffer,
  receiveError,
  type ReceiveOptions,
  receiveTimedOut,
  type Selection,
  selectsSame,
  waitToReceive,
} from "./_message_receive.ts";
import { SendBuffer, sendError, sendTimedOut, waitToSend } from "./_message_send.ts";
import { othersWaiting, type Receiver, stopWaiting } from "./_receive_waiter.ts";
import { sendsWaiting, type SendWait } from "./_send_wait.ts";
import { AdaptiveSpin, now, spinFor } from "./_wait.ts";
import { IPC_NOWAIT } from "./constants.ts";
import type {
  Message,
  MessageLayoutOption,
  MessageQueueChanges,
  MessageQueueLimits,
  MessageQueueStatus,
  MessageReceiveOptions,
  MessageReceiveSyncOptions,
  MessageRecord,
  MessageSendOptions,
  MessageSendSyncOptions,
} from "./message_queue_types.ts";
import type { IpcOpenOptions } from "./types.ts";

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
  readonly #received: ReceiveBuffer;
  readonly #sent = new SendBuffer();
  #defaultSelection: Selection | undefined;
  #lastSelection: Selection | undefined;
  readonly #receivers = new Set<Receiver>();
  readonly #sends = new Set<SendWait>();
  readonly #receiveSpin = new AdaptiveSpin();
  readonly #sendSpin = new AdaptiveSpin();

  private constructor(id: number, key: number | undefined) {
    this.id = id;
    this.key = key;
    this.#received = new ReceiveBuffer(id);
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
        action: keyAction(MESSAGE_QUEUE, intent.create ? "create" : "open", k),
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
    const message = this.#sent.prepare(type, data, o?.layout);
    const size = this.#sent.sizeBig(message.length - 8);
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
    const message = this.#sent.prepare(type, data, o?.layout);
    const textSize = message.length - 8;
    const size = this.#sent.sizeBig(textSize);
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
    if (timeout === 0) throw sendTimedOut(this.id, 0);
    await waitToSend({
      id: this.id,
      message: this.#sent.own(message),
      size,
      flags: 0,
      errorFor: (errno) => this.#sendError(errno, type, textSize),
      signal,
      timeout,
      sends: this.#sends,
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
    const buffer = this.#received.reserve(sel.maxSize);
    const { msgrcv } = libc();
    for (;;) {
      const n = msgrcv(this.id, buffer, sel.sizeBig, sel.typeBig, flags);
      if (n !== -1n) return this.#received.message(Number(n), sel);
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
    if (left <= 0) throw receiveTimedOut(this.id, timeout);
    return await waitToReceive({
      id: this.id,
      buffer: this.#received,
      sel,
      signal,
      timeout,
      left,
      receivers: this.#receivers,
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
    writeStatus(MESSAGE_QUEUE, this.id, ds, changes);
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
    this.#checkOpen("msgctl", "remove");
    removeObject(MESSAGE_QUEUE, this.id);
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

  #statRaw(): MsqidDs {
    this.#checkOpen("msgctl", "read the status of");
    return readStatus(MESSAGE_QUEUE, this.id);
  }

  /** Takes a matching message with IPC_NOWAIT: undefined if none is queued. */
  #takeNow(sel: Selection, afterWait: boolean): Message<unknown> | undefined {
    return this.#received.takeNow(sel, afterWait);
  }

  #receiveError(errno: number, sel: Selection): ErrnoError {
    return receiveError(this.id, errno, sel);
  }

  #sendError(errno: number, type: number, size: number): ErrnoError {
    return sendError(this.id, errno, type, size);
  }

  #selection(options: ReceiveOptions | undefined): Selection {
    if (options === undefined) return this.#defaultSelection ??= defaultSelection();
    const o = checkOptions(options);
    // A loop that receives with the same options gets the same selection, without allocating.
    const last = this.#lastSelection;
    if (last !== undefined && selectsSame(o, last)) return last;
    return this.#lastSelection = checkSelection(o);
  }
}
