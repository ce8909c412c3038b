/**
 * The libc core and the classic pipe family: errno errors, pipes, FIFOs,
 * and child processes that inherit fds.
 *
 * Needs `--allow-ffi` (full access to the process) for everything but the
 * errno table.
 *
 * @example
 * ```ts
 * import { ErrnoError } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * const error = new ErrnoError(2, { syscall: "open", action: "open /nope" });
 * assert.equal(error.code, "ENOENT");
 * ```
 *
 * @module
 */

export * from "./errno.ts";
export * from "./constants.ts";
export * from "./wait.ts";
export * from "./fd.ts";
export * from "./pipe.ts";
export * from "./fifo.ts";
export * from "./signals.ts";
export * from "./child_process.ts";
export * from "./spawn.ts";
export * from "./spawn_module.ts";
