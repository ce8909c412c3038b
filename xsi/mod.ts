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
