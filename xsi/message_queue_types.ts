/**
 * The types of message queues: a received message, a record to send, the
 * options of sends and receives, and what `stat()`, `set()` and `limits()`
 * of a {@linkcode MessageQueue} report or take.
 *
 * @module
 */

import type { Layout } from "../endian/layout.ts";
import type { IpcPermissions, IpcPermissionsChange } from "./types.ts";

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
   * tens of microseconds to wake. Default: adaptive, per handle: 50, or 4
   * times the usual delay of recent waits plus 10 where that is longer (at
   * most 400), while spins catch their message at least a quarter of the
   * time; else none, with a probe of 50 now and then. None at all where the
   * process may run on a single CPU (the peer could not run while we spin).
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
