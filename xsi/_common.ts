/**
 * What the three System V object kinds share: open flags, retryable errnos,
 * permissions in and out of `struct ipc_perm`, times, closed handles.
 *
 * @module
 */

import { EAGAIN, EBADF, EINTR, ETIMEDOUT } from "../ipc/_errnos.ts";
import type { IpcPerm } from "../endian/libc_sysv.ts";
import { checkBoolean, checkInt32, checkMode, checkOptions, checkUint32 } from "../ipc/_checks.ts";
import { ErrnoError } from "../ipc/errno.ts";
import { IPC_CREAT, IPC_EXCL, IPC_PRIVATE } from "./constants.ts";
import type { IpcOpenOptions, IpcPermissions, IpcPermissionsChange } from "./types.ts";

/**
 * True for an errno that may not be the call's own: EINTR (a signal), and
 * EAGAIN and ETIMEDOUT, the codes a futex wait leaves. Seen once under
 * load in the benchmark: msgrcv with IPC_NOWAIT "failed" with EAGAIN,
 * which it cannot. The likely cause is the runtime: Rust's std locks wait
 * with `syscall(SYS_futex)`, which sets errno, and the main thread can wait
 * on one (a lock held by a pool thread) between the FFI call's return and
 * the read of errno. Where the call cannot produce these codes, or where
 * they mean "not now" anyway, the caller tries again rather than report a
 * wrong reason.
 */
export function mayRetry(errno: number): boolean {
  return errno === EINTR || errno === EAGAIN || errno === ETIMEDOUT;
}

/** Open options, checked, with the flags they make. */
export interface OpenIntent {
  readonly create: boolean;
  readonly exclusive: boolean;
  readonly mode: number;
  /** `IPC_CREAT`, `IPC_EXCL`, the mode and the extra flags. */
  readonly flags: number;
}

/**
 * Checks `{ create, exclusive, mode, flags }` and makes the `xxxget` flags.
 * `IPC_PRIVATE` always creates.
 */
export function openIntent(options: IpcOpenOptions | undefined, key: number): OpenIntent {
  const o = checkOptions(options);
  const exclusive = o.exclusive === undefined
    ? false
    : checkBoolean(o.exclusive, "options.exclusive");
  const asked = o.create === undefined ? false : checkBoolean(o.create, "options.create");
  const create = exclusive || asked || key === IPC_PRIVATE;
  const mode = o.mode === undefined ? 0o600 : checkMode(o.mode, "options.mode");
  const extra = o.flags === undefined ? 0 : checkInt32(o.flags, "options.flags");
  // The mode goes only with IPC_CREAT: for an existing object the kernel checks that the
  // bits given are granted (as C's `msgget(key, IPC_CREAT | 0600)` does), and a plain open
  // checks nothing until the first call, whatever the caller means to do with it.
  const flags = extra | (create ? IPC_CREAT | mode : 0) | (exclusive ? IPC_EXCL : 0);
  return { create, exclusive, mode, flags };
}

/** A time in seconds since the epoch, as a Date; 0 (never) as null. */
export function dateOf(seconds: number): Date | null {
  return seconds === 0 ? null : new Date(seconds * 1000);
}

/** `struct ipc_perm`, as the public shape. */
export function permissionsOf(perm: IpcPerm, id: number): IpcPermissions {
  return {
    key: perm.__key,
    id,
    uid: perm.uid,
    gid: perm.gid,
    cuid: perm.cuid,
    cgid: perm.cgid,
    mode: perm.mode & 0o777,
  };
}

/** Applies a checked `{ uid, gid, mode }` change to a `struct ipc_perm` read by IPC_STAT. */
export function changePermissions(perm: IpcPerm, change: IpcPermissionsChange | undefined): void {
  const c = checkOptions(change, "changes");
  if (c.uid !== undefined) perm.uid = checkUint32(c.uid, "changes.uid");
  if (c.gid !== undefined) perm.gid = checkUint32(c.gid, "changes.gid");
  if (c.mode !== undefined) perm.mode = (perm.mode & ~0o777) | checkMode(c.mode, "changes.mode");
}

/**
 * The error of a wait that timed out: a `TimeoutError` DOMException, as
 * `AbortSignal.timeout()` gives and the rest of unixipc uses, with a message
 * that says what could not be done.
 */
export function timeoutError(action: string, reason: string): DOMException {
  return new DOMException(`Cannot ${action}: ${reason}`, "TimeoutError");
}

/** The error of a call on a closed handle. */
export function closedError(syscall: string, action: string): ErrnoError {
  return new ErrnoError(EBADF, { syscall, action, reason: "the handle was closed" });
}

/** Reads a C `long` (the message type) from native-endian memory. */
export function readLong(view: DataView, offset: number): number {
  const low = view.getUint32(offset, littleEndian);
  const high = view.getInt32(offset + 4, littleEndian);
  return high * 0x1_0000_0000 + low;
}

/** Writes a C `long` (a safe integer) into native-endian memory. */
export function writeLong(view: DataView, offset: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  view.setUint32(offset, value - high * 0x1_0000_0000, littleEndian);
  view.setInt32(offset + 4, high, littleEndian);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A buffer for native calls: always off the V8 heap, so that its address never moves. */
export function nativeBuffer(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(size));
}
