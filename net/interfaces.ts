/**
 * Network interfaces by name and index: `if_nametoindex` and
 * `if_indextoname`, for multicast interfaces and IPv6 scope ids.
 *
 * Needs `--allow-ffi`.
 *
 * @module
 */

import { cString, lastError, libc } from "../ipc/_libc.ts";
import { checkUint32 } from "../ipc/_checks.ts";
import { checkInterfaceName } from "./_checks.ts";
import { IF_NAMESIZE } from "./constants.ts";

/**
 * Returns the index of a network interface (`if_nametoindex`).
 *
 * @param name The interface's name, such as `"lo"` or `"eth0"`.
 * @returns Its index, 1 or more.
 * @throws {TypeError} If `name` is not a string or holds a NUL.
 * @throws {RangeError} If `name` is empty or longer than an interface name can be.
 * @throws {ErrnoError} With code `ENODEV` if there is no such interface.
 *
 * @example
 * ```ts
 * import { interfaceIndex, interfaceName } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * const index = interfaceIndex("lo");
 * assert.ok(index >= 1);
 * assert.equal(interfaceName(index), "lo");
 * ```
 */
export function interfaceIndex(name: string): number {
  checkInterfaceName(name, "name");
  const index = libc().if_nametoindex(cString(name, "Interface name"));
  if (index === 0) {
    throw lastError("if_nametoindex", {
      action: `find network interface ${JSON.stringify(name)}`,
      details: { name },
      reasons: { ENODEV: "there is no such interface" },
    });
  }
  return index;
}

/**
 * Returns the name of a network interface (`if_indextoname`).
 *
 * @param index The interface's index.
 * @returns Its name.
 * @throws {TypeError} If `index` is not a number.
 * @throws {RangeError} If `index` is not an integer in [1, 2^32 - 1].
 * @throws {ErrnoError} With code `ENXIO` if there is no interface with that index.
 *
 * @example
 * ```ts
 * import { interfaceIndex, interfaceName } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(interfaceName(interfaceIndex("lo")), "lo");
 * ```
 */
export function interfaceName(index: number): string {
  checkUint32(index, "index");
  if (index === 0) {
    throw new RangeError("index must be an integer in [1, 4294967295]: got 0");
  }
  const buffer = new Uint8Array(IF_NAMESIZE);
  if (libc().if_indextoname(index, buffer) === null) {
    throw lastError("if_indextoname", {
      action: `find network interface ${index}`,
      details: { index },
      reasons: { ENXIO: "there is no interface with that index" },
    });
  }
  const end = buffer.indexOf(0);
  return new TextDecoder().decode(buffer.subarray(0, end < 0 ? buffer.length : end));
}
