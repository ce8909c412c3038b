/**
 * `msgctl` for message queues: the queue as an object kind (status,
 * changes, removal and the words of their errors, through `_control.ts`),
 * and the system's limits.
 *
 * @module
 */

import { type MsqidDs, sysvLayouts } from "../endian/libc_sysv.ts";
import { libc } from "../ipc/_libc.ts";
import { type ObjectKind, readLimits } from "./_control.ts";
import type { MessageQueueLimits } from "./message_queue_types.ts";

/** Message queues, for the control calls and the context of every error of a queue. */
export const MESSAGE_QUEUE: ObjectKind<MsqidDs> = {
  noun: "message queue",
  syscall: "msgctl",
  reasons: {
    EIDRM: "the queue was removed",
    EINVAL: "the queue does not exist (it was removed)",
    EACCES: "the queue's mode does not let this process do that",
    EPERM: "only the queue's owner or creator (or a privileged process) may do that",
  },
  layout: () => sysvLayouts().msqid_ds,
  control: (id, command, buffer) => libc().msgctl(id, command, buffer),
};

let cachedMessageLimit: number | undefined;

/** msgmax, read once per process (for argument checks; the kernel checks again). */
export function messageLimit(): number {
  return cachedMessageLimit ??= readMessageLimits().maxMessageSize;
}

/** The system's message queue limits, read now (`msgctl(IPC_INFO)`). */
export function readMessageLimits(): MessageQueueLimits {
  const info = readLimits(MESSAGE_QUEUE, sysvLayouts().msginfo, "message queue");
  return { maxMessageSize: info.msgmax, defaultMaxBytes: info.msgmnb, maxQueues: info.msgmni };
}
