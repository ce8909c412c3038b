/**
 * File helpers shared by FIFOs and spawn: paths (string or file URL), the
 * type of a file (`stat`, `fstat`), and how to name it in a message.
 *
 * @module
 */

import { posixLayouts } from "../endian/libc_posix.ts";
import { describeValue } from "./_checks.ts";
import { cString, errnoCell, libc } from "./_libc.ts";

/** The type bits of `st_mode`. */
export const S_IFMT = 0o170000;
/** A FIFO (named or anonymous pipe). */
export const S_IFIFO = 0o010000;
/** A directory. */
export const S_IFDIR = 0o040000;

const typeNames = new Map<number, string>([
  [0o010000, "a FIFO"],
  [0o020000, "a character device"],
  [0o040000, "a directory"],
  [0o060000, "a block device"],
  [0o100000, "a regular file"],
  [0o120000, "a symbolic link"],
  [0o140000, "a socket"],
]);

/** Names a file type as a message says it: `"a regular file"`. */
export function describeFileType(mode: number): string {
  return typeNames.get(mode & S_IFMT) ?? "a file of unknown type";
}

/**
 * A path argument: a string, or a `file:` URL.
 *
 * @returns The path as a string.
 * @throws {TypeError} If it is neither, or a URL of another scheme.
 */
export function checkPath(path: unknown, what = "path"): string {
  if (path instanceof URL) {
    if (path.protocol !== "file:") {
      throw new TypeError(`${what} must be a file: URL: got ${path.href}`);
    }
    return decodeURIComponent(path.pathname);
  }
  if (typeof path !== "string") {
    throw new TypeError(
      `${what} must be a string or a file: URL: got ${describeValue(path)}`,
    );
  }
  if (path === "") throw new TypeError(`${what} must not be empty`);
  cString(path, what);
  return path;
}

let statBuffer: Uint8Array | undefined;
let modeOffset = 0;

function buffer(): Uint8Array {
  if (!statBuffer) {
    const layout = posixLayouts().stat;
    statBuffer = new Uint8Array(layout.size);
    modeOffset = layout.offsetOf("st_mode");
  }
  return statBuffer;
}

function mode(): number {
  return new DataView(statBuffer!.buffer).getUint32(modeOffset, true) >>> 0;
}

/**
 * `stat(path)`'s `st_mode` (following symbolic links).
 *
 * @returns The mode, or `-errno` when stat fails.
 */
export function statMode(path: string): number {
  const b = buffer();
  const errnoNow = errnoCell();
  return libc().stat(cString(path, "path"), b) === -1 ? -errnoNow[0]! : mode();
}

/**
 * `fstat(fd)`'s `st_mode`.
 *
 * @returns The mode, or `-errno` when fstat fails.
 */
export function fstatMode(fd: number): number {
  const b = buffer();
  const errnoNow = errnoCell();
  return libc().fstat(fd, b) === -1 ? -errnoNow[0]! : mode();
}

/** The directory part of a path (`"."` for a bare name). */
export function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : trimmed.slice(0, slash);
}

/**
 * Why a path gave ENOENT, in words: its directory is missing, or nothing
 * is there.
 */
export function missingReason(path: string): string {
  const dir = dirname(path);
  const m = statMode(dir);
  if (m < 0) return `the directory ${dir} does not exist`;
  if ((m & S_IFMT) !== S_IFDIR) return `${dir} is ${describeFileType(m)}, not a directory`;
  return "nothing exists at this path";
}
