/**
 * The send path of message queues: the `struct msgbuf` to send (built in
 * the handle's buffer, or encoded from a record), the errors, and the wait
 * of an async send for room, through `_send_wait.ts`.
 *
 * @module
 */

import { checkBytes, checkSafeInteger, checkSize } from "../ipc/_checks.ts";
import { errnoError } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import { nativeBuffer, timeoutError, writeLong } from "./_common.ts";
import { objectContext } from "./_control.ts";
import { MESSAGE_QUEUE, messageLimit } from "./_message_control.ts";
import { encodeRecord, messageCodec } from "./_message_codec.ts";
import { type SendRequest, SendWait } from "./_send_wait.ts";
import { after } from "./_wait.ts";

/** A handle's buffer for `msgsnd`: the messages of bytes are built in it. */
export class SendBuffer {
  #bytes: Uint8Array = nativeBuffer(0);
  #view: DataView = new DataView(this.#bytes.buffer);
  #lastSize = -1;
  #lastSizeBig = 0n;

  /** The whole `struct msgbuf` to send: this buffer, or an encoded whole-struct record. */
  prepare(type: number, data: unknown, layout: unknown): Uint8Array {
    checkSafeInteger(type, "type", 1);
    const max = messageLimit();
    if (layout === undefined) {
      const bytes = checkBytes(data, "data");
      checkSize(bytes.length, "the message's length", 0, max);
      const need = bytes.length + 8;
      if (this.#bytes.length !== need) {
        if (this.#bytes.length < need) {
          this.#bytes = nativeBuffer(Math.max(need, 64));
          this.#view = new DataView(this.#bytes.buffer);
        }
      }
      writeLong(this.#view, 0, type);
      this.#bytes.set(bytes, 8);
      return need === this.#bytes.length ? this.#bytes : this.#bytes.subarray(0, need);
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

  /** `size` as a bigint, for `msgsz`: the last one is kept, a loop of one size allocates none. */
  sizeBig(size: number): bigint {
    if (size !== this.#lastSize) {
      this.#lastSize = size;
      this.#lastSizeBig = BigInt(size);
    }
    return this.#lastSizeBig;
  }

  /** A message a wait may keep: a copy when it is in this buffer, which the next send reuses. */
  own(message: Uint8Array): Uint8Array {
    return message.buffer === this.#bytes.buffer ? message.slice() : message;
  }
}

/** The error of a failed msgsnd on queue `id`. */
export function sendError(id: number, errno: number, type: number, size: number): ErrnoError {
  const context = objectContext(MESSAGE_QUEUE, id, "send to", { type, size });
  return errnoError(errno, "msgsnd", {
    ...context,
    reasons: {
      ...context.reasons,
      EAGAIN: "the queue is full",
      EINVAL: "the queue does not exist (it was removed)",
    },
  });
}

/** The error of a send to queue `id` that waited `timeout` ms in vain. */
export function sendTimedOut(id: number, timeout: number): DOMException {
  return timeoutError(
    `send to message queue ${id}`,
    `the queue had no room within ${timeout} ms`,
  );
}

/** How an async send that found the queue full waits. */
export interface SendLater extends Omit<SendRequest, "settle"> {
  readonly signal: AbortSignal | undefined;
  /** Milliseconds to wait for room. */
  readonly timeout: number;
  /** The handle's waiting sends, which `close()` ends. */
  readonly sends: Set<SendWait>;
}

/**
 * Waits for room, behind the process's other sends to the queue, until the
 * message is queued, or the signal, the timeout or `close()` ends the wait.
 */
export function waitToSend(w: SendLater): Promise<void> {
  const { signal, timeout, sends } = w;
  return new Promise<void>((resolve, reject) => {
    let cancelTimer = () => {};
    const onAbort = () => sendWait.cancel(signal!.reason);
    const sendWait: SendWait = new SendWait({
      id: w.id,
      message: w.message,
      size: w.size,
      flags: w.flags,
      errorFor: w.errorFor,
      settle: (error) => {
        cancelTimer();
        signal?.removeEventListener("abort", onAbort);
        sends.delete(sendWait);
        if (error) reject(error);
        else resolve();
      },
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    cancelTimer = after(timeout, () => sendWait.cancel(sendTimedOut(w.id, timeout)));
    sends.add(sendWait);
    sendWait.enqueue();
  });
}
