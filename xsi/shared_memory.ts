/**
 * System V shared memory: `shmget`, `shmat`, `shmdt`, `shmctl`, as a handle
 * on a segment and attachments with bounds-checked views.
 *
 * @module
 */

import { type ShmidDs, sysvLayouts } from "../endian/libc_sysv.ts";
import { checkKey, checkNonNegativeInt32, checkOptions, checkSafeInteger } from "../ipc/_checks.ts";
import { lastError, libc } from "../ipc/_libc.ts";
import { changePermissions, closedError, dateOf, openIntent, permissionsOf } from "./_common.ts";
import {
  keyAction,
  type ObjectKind,
  readLimits,
  readStatus,
  removeObject,
  writeStatus,
} from "./_control.ts";
import { SHM_DEST, SHM_LOCKED } from "./constants.ts";
import {
  SharedMemoryAttachment,
  type SharedMemoryAttachOptions,
} from "./shared_memory_attachment.ts";
import type { IpcOpenOptions, IpcPermissions, IpcPermissionsChange } from "./types.ts";

/** Options of {@linkcode SharedMemory.open}. */
export interface SharedMemoryOpenOptions extends IpcOpenOptions {
  /**
   * The segment's size in bytes: needed to create (in [shmmin, shmmax]);
   * when opening, the segment must be at least this big (default: any).
   * A new segment is filled with zeros.
   */
  readonly size?: number;
}

/** What {@linkcode SharedMemory.stat} reports (`struct shmid_ds`). */
export interface SharedMemoryStatus extends IpcPermissions {
  /** Size in bytes. */
  readonly size: number;
  /** How many attachments exist now, in every process. */
  readonly attachCount: number;
  /** Pid of the creator. */
  readonly creatorPid: number;
  /** Pid of the last attach or detach. */
  readonly lastPid: number;
  /** Time of the last attach, or null. */
  readonly lastAttach: Date | null;
  /** Time of the last detach, or null. */
  readonly lastDetach: Date | null;
  /** Time of the last change. */
  readonly lastChange: Date | null;
  /** True once removed: the segment goes when its last attachment does (`SHM_DEST`). */
  readonly removed: boolean;
  /** True when locked in memory (`SHM_LOCKED`). */
  readonly locked: boolean;
}

/** The system's shared memory limits (`shmctl(IPC_INFO)`), as bigints: shmmax is near 2^64. */
export interface SharedMemoryLimits {
  /** The largest segment, in bytes (shmmax). */
  readonly maxSize: bigint;
  /** The smallest segment, in bytes (shmmin). */
  readonly minSize: bigint;
  /** The most segments on the system (shmmni). */
  readonly maxSegments: bigint;
  /** The most shared memory in all, in pages (shmall). */
  readonly maxTotalPages: bigint;
}

/** Shared memory segments, for the control calls and the context of every error of a segment. */
const SHARED_MEMORY: ObjectKind<ShmidDs> = {
  noun: "shared memory segment",
  syscall: "shmctl",
  reasons: {
    EIDRM: "the segment was removed",
    EINVAL: "the segment does not exist (it was removed and its last attachment went)",
    EACCES: "the segment's mode does not let this process do that",
    EPERM: "only the segment's owner or creator (or a privileged process) may do that",
  },
  layout: () => sysvLayouts().shmid_ds,
  control: (id, command, buffer) => libc().shmctl(id, command, buffer),
};

/**
 * A System V shared memory segment: bytes that every process attaching it
 * sees, at no copying cost. Attach it to read and write
 * ({@linkcode SharedMemoryAttachment}); pair it with a semaphore set to
 * take turns.
 *
 * `close()` detaches every attachment made through this handle and
 * releases it; only `remove()` destroys the segment, and even then it
 * lives until its last attachment goes. Linux lets a process attach a
 * removed segment by id while it lives (POSIX does not promise that).
 *
 * @example
 * ```ts
 * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * using shm = SharedMemory.open(IPC_PRIVATE, { size: 4096 });
 * const memory = shm.attach();
 * memory.write(new TextEncoder().encode("Hello!"));
 * assert.equal(new TextDecoder().decode(memory.read(0, 6)), "Hello!");
 * assert.equal(shm.stat().attachCount, 1);
 * shm.remove();
 * ```
 */
export class SharedMemory {
  /** The segment's id. */
  readonly id: number;
  /** The key it was opened with; undefined when opened by id. */
  readonly key: number | undefined;

  #size: number | undefined;
  #closed = false;
  readonly #attachments = new Set<SharedMemoryAttachment>();

  private constructor(id: number, key: number | undefined, size: number | undefined) {
    this.id = id;
    this.key = key;
    this.#size = size;
  }

  /**
   * Opens the segment of a key, creating it if asked (`shmget`).
   *
   * @param key A key from {@linkcode ftok}, a number agreed on, or `IPC_PRIVATE` (always a new segment).
   * @param options `create`, `exclusive`, `mode` (0o600 by default), `size`, raw `flags` (`SHM_HUGETLB`, `SHM_NORESERVE`).
   * @returns The handle.
   * @throws {TypeError|RangeError} On a bad key or option (creating needs `size`).
   * @throws {ErrnoError} ENOENT, EEXIST, EINVAL (smaller than `size`, or `size` out of [shmmin, shmmax]), EACCES, ENOSPC, ENOMEM.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const key = 0x5eed0004;
   * using created = SharedMemory.open(key, { create: true, exclusive: true, size: 100 });
   * using opened = SharedMemory.open(key);
   * assert.equal(opened.size, 100);
   * created.remove();
   * ```
   */
  static open(key: number, options?: SharedMemoryOpenOptions): SharedMemory {
    const k = checkKey(key);
    const intent = openIntent(options, k);
    const o = checkOptions(options);
    if (intent.create && o.size === undefined) {
      throw new TypeError("options.size is needed to create a shared memory segment");
    }
    const size = o.size === undefined ? 0 : checkSafeInteger(o.size, "options.size", 1);
    const id = libc().shmget(k, BigInt(size), intent.flags);
    if (id === -1) {
      throw lastError("shmget", {
        action: keyAction(SHARED_MEMORY, intent.create ? "create" : "open", k),
        details: { key: k, size, flags: intent.flags },
        reasons: {
          ENOENT: "no segment has this key (pass create: true and a size to make one)",
          EEXIST: "a segment with this key exists already",
          EACCES: "the segment's mode does not let this process use it",
          EINVAL: intent.create
            ? `the size is out of the system's limits (shmmin, shmmax), or the segment exists with fewer than ${size} bytes`
            : `the segment has fewer than ${size} bytes`,
          ENOSPC: "the system's limit of shared memory (shmmni or shmall) is reached",
          ENOMEM: "no memory for the segment",
        },
      });
    }
    return new SharedMemory(id, k, undefined);
  }

  /**
   * A handle on the segment with this id (from `ipcs`, or passed by
   * another process). Nothing is checked until the first call.
   *
   * @param id The segment's id.
   * @returns The handle.
   * @throws {RangeError} If `id` is not an integer in [0, 2^31 - 1].
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 10 });
   * using again = SharedMemory.fromId(shm.id);
   * assert.equal(again.size, 10);
   * shm.remove();
   * ```
   */
  static fromId(id: number): SharedMemory {
    return new SharedMemory(checkNonNegativeInt32(id, "id"), undefined, undefined);
  }

  /**
   * The system's limits.
   *
   * @returns The limits, read now.
   * @throws {ErrnoError} If the kernel has no shared memory.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * assert.ok(SharedMemory.limits().maxSize >= 1n);
   * ```
   */
  static limits(): SharedMemoryLimits {
    const info = readLimits(SHARED_MEMORY, sysvLayouts().shminfo, "shared memory");
    return {
      maxSize: info.shmmax,
      minSize: info.shmmin,
      maxSegments: info.shmmni,
      maxTotalPages: info.shmall,
    };
  }

  /** The segment's size in bytes (read with IPC_STAT once). */
  get size(): number {
    return this.#size ??= this.stat().size;
  }

  /** True once {@linkcode SharedMemory.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Attaches the segment to this process (`shmat`). `close()` detaches it
   * too, if it is still attached.
   *
   * @param options `readOnly`.
   * @returns The attachment, with bounds-checked views.
   * @throws {ErrnoError} EACCES, EINVAL (removed and gone), ENOMEM, EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 8 });
   * using writer = shm.attach();
   * using reader = shm.attach({ readOnly: true });
   * writer.write(new Uint8Array([42]));
   * assert.equal(reader.read(0, 1)[0], 42);
   * assert.throws(() => reader.bytes(), TypeError);
   * shm.remove();
   * ```
   */
  attach(options?: SharedMemoryAttachOptions): SharedMemoryAttachment {
    this.#checkOpen("shmat", "attach");
    const attachment = new SharedMemoryAttachment(this.id, options);
    this.#size ??= attachment.size;
    for (const old of this.#attachments) if (old.detached) this.#attachments.delete(old);
    this.#attachments.add(attachment);
    return attachment;
  }

  /**
   * Reads the segment's status (`shmctl(IPC_STAT)`).
   *
   * @returns Size, attach count, pids, times, owner, mode, removed and locked flags.
   * @throws {ErrnoError} EACCES, EINVAL (gone), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 10 });
   * const status = shm.stat();
   * assert.equal(status.size, 10);
   * assert.equal(status.creatorPid, Deno.pid);
   * shm.remove();
   * ```
   */
  stat(): SharedMemoryStatus {
    const ds = this.#statRaw();
    return {
      ...permissionsOf(ds.shm_perm, this.id),
      size: ds.shm_segsz,
      attachCount: ds.shm_nattch,
      creatorPid: ds.shm_cpid,
      lastPid: ds.shm_lpid,
      lastAttach: dateOf(ds.shm_atime),
      lastDetach: dateOf(ds.shm_dtime),
      lastChange: dateOf(ds.shm_ctime),
      removed: (ds.shm_perm.mode & SHM_DEST) !== 0,
      locked: (ds.shm_perm.mode & SHM_LOCKED) !== 0,
    };
  }

  /**
   * Changes the owner or the mode (`shmctl(IPC_SET)`).
   *
   * @param changes `uid`, `gid`, `mode`; what is left out stays.
   * @throws {TypeError|RangeError} On a bad value.
   * @throws {ErrnoError} EPERM (not the owner or creator), EINVAL (gone), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 10 });
   * shm.set({ mode: 0o640 });
   * assert.equal(shm.stat().mode, 0o640);
   * shm.remove();
   * ```
   */
  set(changes: IpcPermissionsChange): void {
    const ds = this.#statRaw();
    changePermissions(ds.shm_perm, changes);
    writeStatus(SHARED_MEMORY, this.id, ds, changes);
  }

  /**
   * Marks the segment for removal (`shmctl(IPC_RMID)`): its key is free at
   * once, and it goes when its last attachment, in any process, does.
   * Attachments keep working until then. The handle stays open.
   *
   * @throws {ErrnoError} EPERM (not the owner or creator), EINVAL (gone), EBADF (closed).
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * using shm = SharedMemory.open(IPC_PRIVATE, { size: 10 });
   * using memory = shm.attach();
   * shm.remove();
   * assert.ok(shm.stat().removed);
   * memory.write(new Uint8Array([1])); // still attached, still usable
   * ```
   */
  remove(): void {
    this.#checkOpen("shmctl", "remove");
    removeObject(SHARED_MEMORY, this.id);
  }

  /**
   * Detaches every attachment made through this handle (their views
   * become unusable) and releases the handle; the segment stays.
   * Idempotent.
   *
   * @example
   * ```ts
   * import { IPC_PRIVATE, SharedMemory } from "@unixipc/unixipc/xsi";
   * import assert from "node:assert/strict";
   *
   * const shm = SharedMemory.open(IPC_PRIVATE, { size: 10 });
   * const memory = shm.attach();
   * shm.remove();
   * shm.close();
   * assert.ok(memory.detached);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const attachment of this.#attachments) attachment.detach();
    this.#attachments.clear();
  }

  /** Closes the handle (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(syscall: string, verb: string): void {
    if (this.#closed) throw closedError(syscall, `${verb} shared memory segment ${this.id}`);
  }

  #statRaw(): ShmidDs {
    this.#checkOpen("shmctl", "read the status of");
    return readStatus(SHARED_MEMORY, this.id);
  }
}
