/**
 * Types shared by message queues, semaphore sets and shared memory: how to
 * open one, and who owns it.
 *
 * @module
 */

/** How to open a System V object by key: open it, create it, or create it exclusively. */
export interface IpcOpenOptions {
  /** Create the object if the key has none (`IPC_CREAT`). Default false: it must exist. */
  readonly create?: boolean;
  /** Fail with EEXIST if the key has an object already (`IPC_CREAT | IPC_EXCL`); implies `create`. */
  readonly exclusive?: boolean;
  /**
   * Permission bits of a new object, in [0, 0o777]. Default 0o600: the owner
   * alone. With `create`, when the object exists already, the kernel checks
   * that these bits are granted to this process (as C's
   * `msgget(key, IPC_CREAT | 0600)` does); a plain open checks nothing until
   * the first call.
   */
  readonly mode?: number;
  /** More flags OR'ed in, the raw escape hatch (`SHM_HUGETLB`, say). Default 0. */
  readonly flags?: number;
}

/** Owner, creator and permissions of a System V object (its `struct ipc_perm`). */
export interface IpcPermissions {
  /** The key it was created with (0: `IPC_PRIVATE`). */
  readonly key: number;
  /** Its id. */
  readonly id: number;
  /** Owner's user id. */
  readonly uid: number;
  /** Owner's group id. */
  readonly gid: number;
  /** Creator's user id. */
  readonly cuid: number;
  /** Creator's group id. */
  readonly cgid: number;
  /** Permission bits, in [0, 0o777]. */
  readonly mode: number;
}

/** What `set()` may change (`IPC_SET`): the owner and the permission bits. */
export interface IpcPermissionsChange {
  /** New owner's user id. */
  readonly uid?: number;
  /** New owner's group id. */
  readonly gid?: number;
  /** New permission bits, in [0, 0o777]. */
  readonly mode?: number;
}
