/**
 * Listing and removal of every System V object of the IPC namespace, as
 * `ipcs` and `ipcrm` do: from `/proc/sysvipc` (read through libc), which
 * lists every object whatever its mode.
 *
 * @module
 */

import { checkKey, checkNonNegativeInt32, checkString } from "../ipc/_checks.ts";
import { copyFromNative, cString, lastError, libc, pointerAt, readCString } from "../ipc/_libc.ts";
import { nativeBuffer } from "./_common.ts";
import { IPC_PRIVATE, SHM_DEST, SHM_LOCKED } from "./constants.ts";
import { formatKey } from "./key.ts";
import { MessageQueue } from "./message_queue.ts";
import type { MessageQueueStatus } from "./message_queue_types.ts";
import { SemaphoreSet } from "./semaphore_set.ts";
import type { SemaphoreSetStatus } from "./semaphore_set_types.ts";
import type { IpcPermissions } from "./types.ts";
import { SharedMemory, type SharedMemoryStatus } from "./shared_memory.ts";

/** The kinds of System V objects, as `/proc/sysvipc` names them. */
export type IpcKind = "msg" | "sem" | "shm";

/** Who owns an object, by name. */
export interface IpcOwnerName {
  /** The owner's user name, or the uid as digits when it has none. */
  readonly owner: string;
}

/** A message queue in a listing (what `/proc/sysvipc/msg` shows: all of its status but the byte limit). */
export type MessageQueueInfo = Omit<MessageQueueStatus, "maxBytes"> & IpcOwnerName;
/** A semaphore set in a listing. */
export type SemaphoreSetInfo = SemaphoreSetStatus & IpcOwnerName;
/** A shared memory segment in a listing. */
export type SharedMemoryInfo = SharedMemoryStatus & IpcOwnerName;

/** Every System V object of the IPC namespace. */
export interface IpcsReport {
  /** Message queues. */
  readonly messageQueues: MessageQueueInfo[];
  /** Shared memory segments. */
  readonly sharedMemory: SharedMemoryInfo[];
  /** Semaphore sets. */
  readonly semaphoreSets: SemaphoreSetInfo[];
}

/**
 * Lists every message queue, shared memory segment and semaphore set of
 * this IPC namespace, with key, id, owner, mode, sizes, counts, pids and
 * times, in the kernel's order (as `ipcs -a`).
 *
 * @returns The listing.
 * @throws {ErrnoError} If /proc/sysvipc cannot be read (no /proc).
 *
 * @example
 * ```ts
 * import { ipcs, IPC_PRIVATE, MessageQueue } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * using queue = MessageQueue.open(IPC_PRIVATE);
 * const listed = ipcs().messageQueues.find((q) => q.id === queue.id);
 * assert.equal(listed?.mode, 0o600);
 * queue.remove();
 * ```
 */
export function ipcs(): IpcsReport {
  const owners = new Map<number, string>();
  const owner = (uid: number) => {
    let name = owners.get(uid);
    if (name === undefined) owners.set(uid, name = userName(uid));
    return name;
  };
  const date = (s: string) => (s === "0" ? null : new Date(Number(s) * 1000));
  /** The columns of `struct ipc_perm`, the id's column named, and the owner's name. */
  const permissions = (
    r: Record<string, string>,
    id: string,
    perms: number,
  ): IpcPermissions & IpcOwnerName => ({
    key: Number(r.key) | 0,
    id: Number(r[id]),
    uid: Number(r.uid),
    gid: Number(r.gid),
    cuid: Number(r.cuid),
    cgid: Number(r.cgid),
    mode: perms & 0o777,
    owner: owner(Number(r.uid)),
  });
  const messageQueues = rows("msg").map((r): MessageQueueInfo => ({
    ...permissions(r, "msqid", parseInt(r.perms!, 8)),
    bytes: Number(r.cbytes),
    messages: Number(r.qnum),
    lastSendPid: Number(r.lspid),
    lastReceivePid: Number(r.lrpid),
    lastSend: date(r.stime!),
    lastReceive: date(r.rtime!),
    lastChange: date(r.ctime!),
  }));
  const sharedMemory = rows("shm").map((r): SharedMemoryInfo => {
    const perms = parseInt(r.perms!, 8);
    return {
      ...permissions(r, "shmid", perms),
      size: Number(r.size),
      attachCount: Number(r.nattch),
      creatorPid: Number(r.cpid),
      lastPid: Number(r.lpid),
      lastAttach: date(r.atime!),
      lastDetach: date(r.dtime!),
      lastChange: date(r.ctime!),
      removed: (perms & SHM_DEST) !== 0,
      locked: (perms & SHM_LOCKED) !== 0,
    };
  });
  const semaphoreSets = rows("sem").map((r): SemaphoreSetInfo => ({
    ...permissions(r, "semid", parseInt(r.perms!, 8)),
    count: Number(r.nsems),
    lastOp: date(r.otime!),
    lastChange: date(r.ctime!),
  }));
  return { messageQueues, sharedMemory, semaphoreSets };
}

/**
 * Formats a listing as util-linux's `ipcs` prints it (its default format:
 * the same columns, widths and order), for the kinds asked.
 *
 * @param report A listing from {@linkcode ipcs}.
 * @param kinds The sections to print, in `ipcs` order (default: all, as `ipcs -a`).
 * @returns The text, ending with a newline.
 *
 * @example
 * ```ts
 * import { formatIpcs, ipcs } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * const text = formatIpcs(ipcs(), ["msg"]);
 * assert.match(text, /^\n------ Message Queues --------\nkey {8}msqid/);
 * ```
 */
export function formatIpcs(
  report: IpcsReport,
  kinds: readonly IpcKind[] = ["msg", "shm", "sem"],
): string {
  const pad = (value: string | number, width: number) => String(value).padEnd(width);
  const owner = (name: string) => pad(name.slice(0, 10), 10);
  const key = (k: number) => formatKey(k);
  let out = "\n";
  if (kinds.includes("msg")) {
    out += "------ Message Queues --------\n";
    out += `${pad("key", 10)} ${pad("msqid", 10)} ${pad("owner", 10)} ${pad("perms", 10)} ${
      pad("used-bytes", 12)
    } ${pad("messages", 12)}\n`;
    for (const q of report.messageQueues) {
      out += `${key(q.key)} ${pad(q.id, 10)} ${owner(q.owner)} ${pad(q.mode.toString(8), 10)} ${
        pad(q.bytes, 12)
      } ${pad(q.messages, 12)}\n`;
    }
    out += "\n";
  }
  if (kinds.includes("shm")) {
    out += "------ Shared Memory Segments --------\n";
    out += `${pad("key", 10)} ${pad("shmid", 10)} ${pad("owner", 10)} ${pad("perms", 10)} ${
      pad("bytes", 10)
    } ${pad("nattch", 10)} ${pad("status", 12)}\n`;
    for (const m of report.sharedMemory) {
      out += `${key(m.key)} ${pad(m.id, 10)} ${owner(m.owner)} ${pad(m.mode.toString(8), 10)} ${
        pad(m.size, 10)
      } ${pad(m.attachCount, 10)} ${pad(m.removed ? "dest" : " ", 6)} ${
        pad(m.locked ? "locked" : " ", 6)
      }\n`;
    }
    out += "\n";
  }
  if (kinds.includes("sem")) {
    out += "------ Semaphore Arrays --------\n";
    out += `${pad("key", 10)} ${pad("semid", 10)} ${pad("owner", 10)} ${pad("perms", 10)} ${
      pad("nsems", 10)
    }\n`;
    for (const s of report.semaphoreSets) {
      out += `${key(s.key)} ${pad(s.id, 10)} ${owner(s.owner)} ${pad(s.mode.toString(8), 10)} ${
        pad(s.count, 10)
      }\n`;
    }
    out += "\n";
  }
  return out;
}

/** Which object {@linkcode ipcrm} removes: by id, or by key. */
export type IpcrmTarget = { readonly id: number } | { readonly key: number };

/**
 * Removes a message queue, semaphore set or shared memory segment, by id
 * or by key, as `ipcrm -q/-Q/-s/-S/-m/-M` do.
 *
 * @param kind `"msg"`, `"sem"` or `"shm"`.
 * @param target `{ id }` or `{ key }` (not `IPC_PRIVATE`: it names no object).
 * @throws {TypeError|RangeError} On a bad kind, id or key.
 * @throws {ErrnoError} EINVAL (no such id), ENOENT (no such key), EPERM (not the owner or creator).
 *
 * @example
 * ```ts
 * import { ipcrm, ipcs, SemaphoreSet } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * const set = SemaphoreSet.open(0x5eed0005, { create: true });
 * set.close();
 * ipcrm("sem", { key: 0x5eed0005 });
 * assert.ok(!ipcs().semaphoreSets.some((s) => s.id === set.id));
 * ```
 */
export function ipcrm(kind: IpcKind, target: IpcrmTarget): void {
  checkString(kind, "kind");
  if (kind !== "msg" && kind !== "sem" && kind !== "shm") {
    throw new RangeError(`kind must be "msg", "sem" or "shm": got ${JSON.stringify(kind)}`);
  }
  if (target === null || typeof target !== "object") {
    throw new TypeError("target must be { id } or { key }");
  }
  let handle: MessageQueue | SemaphoreSet | SharedMemory;
  if ("id" in target) {
    const id = checkNonNegativeInt32(target.id, "target.id");
    handle = kind === "msg"
      ? MessageQueue.fromId(id)
      : kind === "sem"
      ? SemaphoreSet.fromId(id)
      : SharedMemory.fromId(id);
  } else if ("key" in target) {
    const key = checkKey(target.key, "target.key");
    if (key === IPC_PRIVATE) {
      throw new RangeError("target.key must not be IPC_PRIVATE (0): it names no object");
    }
    handle = kind === "msg"
      ? MessageQueue.open(key)
      : kind === "sem"
      ? SemaphoreSet.open(key, { handshake: false })
      : SharedMemory.open(key);
  } else {
    throw new TypeError("target must be { id } or { key }");
  }
  try {
    handle.remove();
  } finally {
    handle.close();
  }
}

// ---- reading /proc/sysvipc and the user database ----------------------------

/** The rows of `/proc/sysvipc/<kind>`, by column name. */
function rows(kind: IpcKind): Record<string, string>[] {
  const lines = readProcFile(`/proc/sysvipc/${kind}`).split("\n").filter((l) => l.trim());
  const names = lines[0]?.trim().split(/\s+/) ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.trim().split(/\s+/);
    const row: Record<string, string> = {};
    names.forEach((name, i) => (row[name] = cells[i] ?? "0"));
    return row;
  });
}

const O_RDONLY_CLOEXEC = 0o2000000;

function readProcFile(path: string): string {
  const { open, read, close } = libc();
  const fd = open(cString(path, "path"), O_RDONLY_CLOEXEC, 0);
  if (fd === -1) throw lastError("open", { action: `read ${path}` });
  const chunks: Uint8Array[] = [];
  const chunk = nativeBuffer(65536);
  try {
    for (;;) {
      const n = read(fd, chunk, 65536n);
      if (n === -1n) throw lastError("read", { action: `read ${path}` });
      if (n === 0n) break;
      chunks.push(chunk.slice(0, Number(n)));
    }
  } finally {
    close(fd);
  }
  const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** The user name of a uid (`getpwuid`), or the uid as digits. */
function userName(uid: number): string {
  const entry = libc().getpwuid(uid);
  if (entry === null) return String(uid);
  // struct passwd starts with char *pw_name.
  const field = new Uint8Array(8);
  copyFromNative(entry, field);
  const name = pointerAt(new DataView(field.buffer).getBigUint64(0, true));
  return name === null ? String(uid) : readCString(name);
}
