/**
 * Byte order, fixed-width integers and struct layouts: what data must follow
 * to cross a process or a host.
 *
 * Pure TypeScript: no FFI, and no permission needed.
 *
 * - `htons`, `htonl`, `ntohs`, `ntohl` (and `htonll`, `ntohll`), the host's
 *   byte order;
 * - fixed-width integers (`int8` ... `uint64`) with range checks and C-style
 *   wrapping;
 * - one layout engine for native structs (C alignment and padding, host
 *   order: what libc and C programs on this host expect) and packed wire
 *   formats (explicit byte order, no padding);
 * - the layouts of the libc structs that unixipc passes, per ABI, checked
 *   against gcc.
 *
 * @example
 * ```ts
 * import { chars, cLong, i32, struct } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * const MsgSt = struct([
 *   ["mtype", cLong],
 *   ["name", chars(32)],
 *   ["math", i32],
 *   ["chinese", i32],
 * ], { name: "struct msg_st" });
 * assert.equal(MsgSt.size, 48);
 * ```
 *
 * @module
 */

export * from "./abi.ts";
export * from "./array_types.ts";
export * from "./byte_array_types.ts";
export * from "./byte_order.ts";
export * from "./c_types.ts";
export * from "./integers.ts";
export * from "./layout.ts";
export * from "./libc_net.ts";
export * from "./libc_posix.ts";
export * from "./libc_sysv.ts";
export * from "./number_types.ts";
export * from "./types.ts";
