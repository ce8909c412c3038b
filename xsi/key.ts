/**
 * System V keys: `ftok` (libc's own), and the key's usual spelling.
 *
 * @module
 */

import { checkKey, checkString, describeValue } from "../ipc/_checks.ts";
import { cString, lastError, libc } from "../ipc/_libc.ts";

/**
 * Makes a System V key from an existing file and a project id, with libc's
 * `ftok`: two programs that agree on the path and the id get the same key,
 * as long as the file is not replaced (the key is built from its inode and
 * device numbers).
 *
 * @param path An existing file (the classic programs use `/etc/services`).
 * @param projId The project id: an integer in [1, 255], or a one-character string such as `"g"` (C's `'g'`).
 * @returns The key, as C's `key_t` holds it (a signed 32-bit integer).
 * @throws {TypeError} If `path` is not a string (or holds a NUL), or `projId` is neither a number nor a string.
 * @throws {RangeError} If `projId` is out of range (0 would give keys that clash, and C keeps only 8 bits).
 * @throws {ErrnoError} If the file cannot be examined (ENOENT, EACCES).
 *
 * @example
 * ```ts
 * import { formatKey, ftok } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * const key = ftok("/etc/services", "g");
 * assert.equal(key, ftok("/etc/services", 0x67));
 * assert.match(formatKey(key), /^0x67[0-9a-f]{6}$/);
 * ```
 */
export function ftok(path: string, projId: number | string): number {
  const pathBytes = cString(checkString(path, "path"), "path");
  const id = checkProjId(projId);
  const key = libc().ftok(pathBytes, id);
  if (key === -1) {
    throw lastError("ftok", {
      action: `make a key from ${JSON.stringify(path)}`,
      details: { path, projId },
      reasons: {
        ENOENT: "the file does not exist",
        EACCES: "a directory of the path is not searchable",
      },
    });
  }
  return key;
}

function checkProjId(value: unknown): number {
  if (typeof value === "string") {
    if (value.length !== 1 || value.charCodeAt(0) < 1 || value.charCodeAt(0) > 255) {
      throw new RangeError(
        `projId must be one character with a code in [1, 255]: got ${describeValue(value)}`,
      );
    }
    return value.charCodeAt(0);
  }
  if (typeof value !== "number") {
    throw new TypeError(
      `projId must be an integer in [1, 255] or a one-character string: got ${
        describeValue(value)
      }`,
    );
  }
  if (!Number.isInteger(value) || value < 1 || value > 255) {
    throw new RangeError(
      `projId must be an integer in [1, 255] (C keeps only its low 8 bits, and 0 is reserved): got ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Spells a key as `ipcs` prints it: `0x` and eight hex digits, the 32 bits
 * read unsigned.
 *
 * @param key A key, signed (as C holds it) or unsigned.
 * @returns The key, such as `"0x67001234"`.
 * @throws {RangeError} If the key does not fit in 32 bits.
 *
 * @example
 * ```ts
 * import { formatKey } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatKey(0x1234), "0x00001234");
 * assert.equal(formatKey(-1), "0xffffffff");
 * ```
 */
export function formatKey(key: number): string {
  return `0x${(checkKey(key) >>> 0).toString(16).padStart(8, "0")}`;
}
