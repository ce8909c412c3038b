/**
 * Sends that wait for room in a full queue. They complete in the order
 * they were made, per queue, in this process: only the oldest waits (on a
 * pool thread, `msgsnd` without `IPC_NOWAIT`, or polling); the others wait
 * behind it and try again when it is done.
 *
 * @module
 */

import { EIDRM, EINVAL } from "../ipc/_errnos.ts";
import { lastErrno, libc } from "../ipc/_libc.ts";
import type { ErrnoError } from "../ipc/errno.ts";
import { mayRetry } from "./_common.ts";
import { IPC_NOWAIT } from "./constants.ts";
import { PoolWait, type ThreadSlot } from "./_wait.ts";

/** What a waiting send needs from its queue. */
export interface SendRequest {
  /** The queue's id. */
  readonly id: number;
  /** The whole `struct msgbuf` (mtype, then text): the wait's own copy. */
  readonly message: Uint8Array;
  /** Bytes of text, as msgsnd's `msgsz`. */
  readonly size: bigint;
  /** msgsnd's flags, without IPC_NOWAIT. */
  readonly flags: number;
  /** The error of a failed msgsnd. */
  errorFor(errno: number): ErrnoError;
  /** Settles the send. */
  settle(error?: Error): void;
}

const queues = new Map<number, SendWait[]>();

/** True when sends of this process wait for room in queue `id`: a new send must go behind them. */
export function sendsWaiting(id: number): boolean {
  return queues.size > 0 && queues.has(id);
}

/** A send waiting for room. */
export class SendWait extends PoolWait {
  protected readonly call = "msgsnd";
  protected readonly slotSize: number;
  readonly #request: SendRequest;
  #begun = false;

  constructor(request: SendRequest) {
    super();
    this.#request = request;
    this.slotSize = request.message.length;
  }

  /** Queues the send behind the others of its queue; the oldest waits. */
  enqueue(): void {
    const list = queues.get(this.#request.id);
    if (list) list.push(this);
    else {
      queues.set(this.#request.id, [this]);
      this.#begin();
    }
  }

  /** Stops waiting (abort, timeout, close): see {@linkcode PoolWait.cancel}. */
  override cancel(error: Error): void {
    const list = queues.get(this.#request.id);
    if (list && list[0] !== this) {
      const index = list.indexOf(this);
      if (index !== -1) list.splice(index, 1);
    }
    super.cancel(error);
  }

  #begin(): void {
    if (this.#begun || this.done) return;
    this.#begun = true;
    this.start(true);
  }

  protected attempt(): boolean {
    const r = this.#request;
    if (libc().msgsnd(r.id, r.message, r.size, r.flags | IPC_NOWAIT) === 0) {
      this.#settled();
      return true;
    }
    const errno = lastErrno();
    if (mayRetry(errno)) return false;
    this.#settled(r.errorFor(errno === EINVAL ? EIDRM : errno));
    return true;
  }

  protected block(slot: ThreadSlot): Promise<number> {
    const r = this.#request;
    slot.buffer.set(r.message);
    return libc().msgsnd_async(r.id, slot.buffer, r.size, r.flags);
  }

  protected callArgs(slot: ThreadSlot): bigint[] {
    return [BigInt(this.#request.id), slot.address];
  }

  protected succeeded(): void {
    this.#settled();
  }

  protected failed(error: Error): void {
    this.#settled(error);
  }

  #settled(error?: Error): void {
    const id = this.#request.id;
    const list = queues.get(id);
    if (list && list[0] === this) {
      list.shift();
      if (list.length === 0) queues.delete(id);
      else {
        queueMicrotask(() => {
          const head = queues.get(id)?.[0];
          if (head) head.#begin();
        });
      }
    }
    this.#request.settle(error);
  }
}
