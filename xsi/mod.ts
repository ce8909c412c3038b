/**
 * System V IPC.
 *
 * @module
 */

export * from "./constants.ts";
export * from "./key.ts";
export * from "./message_queue.ts";
export * from "./types.ts";
export * from "./semaphore_set.ts";
export * from "./semaphore_lock.ts";
export * from "./shared_memory.ts";
export * from "./shared_memory_attachment.ts";
export * from "./ipcs.ts";
