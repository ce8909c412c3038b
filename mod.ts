/**
 * unixipc: the classic Unix IPC toolbox for TypeScript.
 *
 * - `endian`: byte order, fixed-width integers, struct layouts (no permission needed);
 * - `ipc`: the libc core, errno errors, pipes, FIFOs, child processes that inherit fds;
 * - `xsi`: System V message queues, semaphore sets, shared memory, ipcs/ipcrm;
 * - `net`: BSD sockets, UDP (broadcast, multicast), TCP, a pre-forked process pool.
 *
 * Everything but `endian` calls libc through FFI and needs `--allow-ffi`,
 * which grants full access to the process: treat it as `--allow-all`.
 *
 * @example
 * ```ts
 * import { htons } from "@unixipc/unixipc";
 * import assert from "node:assert/strict";
 *
 * assert.equal(htons(htons(1989)), 1989);
 * ```
 *
 * @module
 */

export * from "./endian/mod.ts";
export * from "./ipc/mod.ts";
export * from "./xsi/mod.ts";
export * from "./net/mod.ts";
