/**
 * System V IPC, the XSI chapter: keys, message queues, semaphore sets,
 * shared memory, and listing and removal as `ipcs` and `ipcrm` do, typed,
 * checked, and byte for byte with C programs.
 *
 * - {@linkcode ftok} (libc's own) and {@linkcode IPC_PRIVATE} for keys;
 * - {@linkcode MessageQueue}: `send`/`receive` with every `msgtyp`
 *   selection, `MSG_EXCEPT`, `MSG_NOERROR` on request, records through the
 *   layouts of `endian/` (a C struct with `long mtype` first round-trips
 *   byte for byte), sync forms and async forms that never block the event
 *   loop, with AbortSignal and timeout, and `for await` over a queue;
 * - {@linkcode SemaphoreSet}: safe initialisation (the `sem_otime`
 *   handshake), atomic multi-operation `op()` with `SEM_UNDO` and
 *   per-operation `IPC_NOWAIT`, timeouts, values and waiter counts; and
 *   {@linkcode SemaphoreLock}, a lock between processes for `using`;
 * - {@linkcode SharedMemory}: attachments with bounds-checked bytes, records
 *   and typed arrays (for `Atomics` across processes) that `detach()` makes
 *   unusable, never dangling;
 * - {@linkcode ipcs}, {@linkcode formatIpcs}, {@linkcode ipcrm}: every object
 *   of the IPC namespace, as util-linux shows them.
 *
 * Waiting: an async receive or semaphore operation tries at once (and
 * spins briefly) with `IPC_NOWAIT`, then waits on a thread of Deno's
 * blocking pool, at most 4 threads for all the waits of the process (waits
 * past that poll). A wait ends on AbortSignal, timeout, `close()`, or with
 * an EIDRM error when another process removes the object; a wait that ends
 * early interrupts its thread with a signal (`ipc/_interrupt.ts`), so that
 * a program whose waits are over exits. No message is lost or received
 * twice, and an operation that took effect is never reported as aborted.
 *
 * Errors: bad arguments are a TypeError or RangeError before any syscall;
 * a failed call is an `ErrnoError` (`code`, `errno`, `syscall`); a timeout
 * is a `TimeoutError` DOMException. Handles are closed with `close()` or
 * `using`; closing never removes the kernel object: `remove()` does.
 *
 * Needs `--allow-ffi`, which grants full access to the process (treat it as
 * `--allow-all`). Linux only (x86_64, aarch64).
 *
 * @example The classic record through a queue
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
 * const received = queue.receive({ layout: MsgSt, timeout: 1000 });
 * await queue.send(1, { name: "Alan", math: 90, chinese: 85 }, { layout: MsgSt });
 * assert.deepEqual((await received).data, { mtype: 1, name: "Alan", math: 90, chinese: 85 });
 * queue.remove();
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./ipcs.ts";
export * from "./key.ts";
export * from "./message_queue.ts";
export * from "./message_queue_types.ts";
export * from "./semaphore_lock.ts";
export * from "./semaphore_set.ts";
export * from "./semaphore_set_types.ts";
export * from "./shared_memory.ts";
export * from "./shared_memory_attachment.ts";
export * from "./types.ts";
