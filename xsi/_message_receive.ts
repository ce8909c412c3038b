/**
 * The receive path of message queues: the options of a receive, checked
 * once into a selection; the handle's `msgrcv` buffer and how a message
 * comes out of it (bytes, the caller's buffer, or a record); the errors;
 * and the wait of an async receive, shared with `_receive_waiter.ts`.
 *
 * @module
 */

import { EIDRM, EINVAL, ENOMSG } from "../ipc/_errnos.ts";
import { checkBoolean, checkBytes, checkSafeInteger, checkSize } from "../ipc/_checks.ts";
import { errnoError, lastErrno, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import { mayRetry, nativeBuffer, readLong, timeoutError, writeLong } from "./_common.ts";
import { objectContext } from "./_control.ts";
import { MESSAGE_QUEUE, messageLimit } from "./_message_control.ts";
import { decodeRecord, type MessageCodec, messageCodec } from "./_message_codec.ts";
import { type Receiver, stopWaiting, waitForMessage } from "./_receive_waiter.ts";
import { after } from "./_wait.ts";
import { IPC_NOWAIT, MSG_EXCEPT, MSG_NOERROR } from "./constants.ts";
import type {
  Message,
  MessageLayoutOption,
  MessageReceiveSyncOptions,
} from "./message_queue_types.ts";

/** The options of a receive, as given. */
export type ReceiveOptions = MessageReceiveSyncOptions & Partial<MessageLayoutOption<unknown>>;

/** What a receive selects, checked once. */
export interface Selection {
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
  readonly asked: ReceiveOptions;
}

/** The selection of a receive without options: the first message, as bytes, waiting. */
export function defaultSelection(): Selection {
  return makeSelection(0, 0, true, messageLimit(), undefined, undefined, {});
}

/** True when options (checked to be an object) ask for what `last` selects: a loop reuses it. */
export function selectsSame(o: ReceiveOptions, last: Selection): boolean {
  const asked = last.asked;
  return o.type === asked.type && o.maxSize === asked.maxSize && o.layout === asked.layout &&
    o.wait === asked.wait && o.except === asked.except && o.truncate === asked.truncate &&
    o.into === asked.into && (o.into === undefined || o.into.length === last.intoLength);
}

/** Checks the options of a receive (an object) into a selection. */
export function checkSelection(o: ReceiveOptions): Selection {
  const type = o.type === undefined ? 0 : checkSafeInteger(o.type, "options.type");
  const except = o.except === undefined ? false : checkBoolean(o.except, "options.except");
  if (except && type <= 0) {
    throw new RangeError(
      `options.except needs a positive options.type (the type to skip): got type ${type}`,
    );
  }
  const truncate = o.truncate === undefined ? false : checkBoolean(o.truncate, "options.truncate");
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
  return makeSelection(type, flags, wait, maxSize, codec, into, {
    type: o.type,
    maxSize: o.maxSize,
    layout: o.layout,
    wait: o.wait,
    except: o.except,
    truncate: o.truncate,
    into: o.into,
  });
}

function makeSelection(
  type: number,
  flags: number,
  wait: boolean,
  maxSize: number,
  codec: MessageCodec<unknown> | undefined,
  into: Uint8Array | undefined,
  asked: ReceiveOptions,
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

/** A handle's buffer for `msgrcv` (a `struct msgbuf`, grown as needed), and the messages taken into it. */
export class ReceiveBuffer {
  readonly #id: number;
  #bytes: Uint8Array = nativeBuffer(0);
  #view: DataView = new DataView(this.#bytes.buffer);
  #fullTextOf: Selection | undefined;
  #fullTextView: Uint8Array = this.#bytes;

  /** A buffer for receives from queue `id` (named in errors). */
  constructor(id: number) {
    this.#id = id;
  }

  /** Makes room for `maxSize` bytes of text, and returns the buffer to receive into. */
  reserve(maxSize: number): Uint8Array {
    if (this.#bytes.length < maxSize + 8) {
      this.#bytes = nativeBuffer(Math.max(maxSize + 8, 64));
      this.#view = new DataView(this.#bytes.buffer);
      this.#fullTextOf = undefined;
    }
    return this.#bytes;
  }

  /** Takes a matching message with IPC_NOWAIT: undefined if none is queued. */
  takeNow(sel: Selection, afterWait: boolean): Message<unknown> | undefined {
    const buffer = this.reserve(sel.maxSize);
    const n = libc().msgrcv(this.#id, buffer, sel.sizeBig, sel.typeBig, sel.flags | IPC_NOWAIT);
    if (n !== -1n) return this.message(Number(n), sel);
    const errno = lastErrno();
    if (errno === ENOMSG || mayRetry(errno)) return undefined;
    throw receiveError(this.#id, afterWait && errno === EINVAL ? EIDRM : errno, sel);
  }

  /** The message of `size` bytes of text that msgrcv just wrote. */
  message(size: number, sel: Selection): Message<unknown> {
    const type = readLong(this.#view, 0);
    const into = sel.into;
    if (into !== undefined) {
      // A full-size message (the usual case of fixed records) copies from a view made once, and
      // is the caller's buffer itself: no allocation but the result.
      if (size === sel.maxSize) into.set(this.#fullText(sel));
      else into.set(this.#bytes.subarray(8, 8 + size));
      return { type, data: size === into.length ? into : into.subarray(0, size) };
    }
    if (sel.codec === undefined) return { type, data: this.#bytes.slice(8, 8 + size) };
    return {
      type,
      data: decodeRecord(
        sel.codec,
        this.#bytes,
        size,
        `message of type ${type} from queue ${this.#id}`,
      ),
    };
  }

  /** A zero-length message the waiter took. */
  emptyMessage(type: number, sel: Selection): Message<unknown> {
    if (sel.into !== undefined) return { type, data: sel.into.subarray(0, 0) };
    if (sel.codec === undefined) return { type, data: new Uint8Array(0) };
    writeLong(this.#view, 0, type);
    return this.message(0, sel);
  }

  /** The view of `maxSize` bytes of text of the buffer, made once per selection. */
  #fullText(sel: Selection): Uint8Array {
    if (this.#fullTextOf !== sel) {
      this.#fullTextOf = sel;
      this.#fullTextView = this.#bytes.subarray(8, 8 + sel.maxSize);
    }
    return this.#fullTextView;
  }
}

/** The error of a failed msgrcv on queue `id`. */
export function receiveError(id: number, errno: number, sel: Selection): ErrnoError {
  const context = objectContext(MESSAGE_QUEUE, id, "receive from", {
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

/** The error of a receive from queue `id` that waited `timeout` ms in vain. */
export function receiveTimedOut(id: number, timeout: number): DOMException {
  return timeoutError(
    `receive from message queue ${id}`,
    `no message came within ${timeout} ms`,
  );
}

/** How an async receive that found no message waits. */
export interface ReceiveWait {
  /** The queue's id. */
  readonly id: number;
  /** The handle's buffer. */
  readonly buffer: ReceiveBuffer;
  readonly sel: Selection;
  readonly signal: AbortSignal | undefined;
  /** The receive's timeout, for its error. */
  readonly timeout: number;
  /** Milliseconds left of it. */
  readonly left: number;
  /** The handle's waiting receives, which `close()` ends. */
  readonly receivers: Set<Receiver>;
}

/**
 * Waits for a message with the process's waiter of its selection, until it
 * takes one, or the signal, the timeout or `close()` ends the wait.
 */
export function waitToReceive(w: ReceiveWait): Promise<Message<unknown>> {
  const { buffer, sel, signal, receivers } = w;
  return new Promise<Message<unknown>>((resolve, reject) => {
    let cancelTimer = () => {};
    const settle = () => {
      cancelTimer();
      signal?.removeEventListener("abort", onAbort);
      receivers.delete(receiver);
    };
    const receiver: Receiver = {
      attempt: () => {
        let message: Message<unknown> | undefined;
        try {
          message = buffer.takeNow(sel, true);
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
          resolve(buffer.emptyMessage(type, sel));
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
      w.left,
      () => stopWaiting(receiver, receiveTimedOut(w.id, w.timeout)),
    );
    receivers.add(receiver);
    waitForMessage(w.id, sel.typeBig, sel.waitFlags, receiver);
  });
}
