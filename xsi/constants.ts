/**
 * The System V IPC constants of Linux (the same on x86_64 and aarch64), with
 * their C spelling, for the `flags` escape hatch of the open functions and
 * for reading `mode` bits. The object APIs take options instead
 * (`{ create: true }` for `IPC_CREAT`); these are for reaching past them.
 *
 * Checked against gcc's headers by `tests/xsi/constants_test.ts`.
 *
 * @example
 * ```ts
 * import { IPC_CREAT, IPC_EXCL } from "@unixipc/unixipc/xsi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(IPC_CREAT | IPC_EXCL | 0o600, 0o3600);
 * ```
 *
 * @module
 */

// ---- get flags and the key of a private object ------------------------------

/** The key that always makes a new object, reachable only through its id. */
export const IPC_PRIVATE = 0;
/** `xxxget`: create the object if the key has none. */
export const IPC_CREAT = 0o1000;
/** `xxxget` with `IPC_CREAT`: fail with EEXIST if the key has an object already. */
export const IPC_EXCL = 0o2000;
/** `msgsnd`, `msgrcv`, `semop`: fail at once (EAGAIN, ENOMSG) instead of waiting. */
export const IPC_NOWAIT = 0o4000;

// ---- control commands (the `cmd` of msgctl, semctl, shmctl) -----------------

/** Remove the object. */
export const IPC_RMID = 0;
/** Set owner, group, mode (and a queue's byte limit). */
export const IPC_SET = 1;
/** Read the object's `xxxid_ds`. */
export const IPC_STAT = 2;
/** Read the system's limits (`msginfo`, `seminfo`, `shminfo`). */
export const IPC_INFO = 3;

// ---- message queues ---------------------------------------------------------

/** `msgctl`: `IPC_STAT` by index in the kernel's table, as `ipcs` does. */
export const MSG_STAT = 11;
/** `msgctl`: usage figures. */
export const MSG_INFO = 12;
/** `msgctl`: `MSG_STAT` without the read-permission check (Linux 4.17). */
export const MSG_STAT_ANY = 13;
/** `msgrcv`: truncate a message longer than the buffer instead of failing with E2BIG. */
export const MSG_NOERROR = 0o10000;
/** `msgrcv` with a positive type: take the first message whose type is not that one. */
export const MSG_EXCEPT = 0o20000;
/** `msgrcv`: copy the message at an index without removing it (needs `IPC_NOWAIT`). */
export const MSG_COPY = 0o40000;

// ---- semaphore sets ---------------------------------------------------------

/** `sembuf.sem_flg`: undo the operation when the process exits. */
export const SEM_UNDO = 0x1000;
/** `semctl`: pid of the last process that operated on a semaphore. */
export const GETPID = 11;
/** `semctl`: a semaphore's value. */
export const GETVAL = 12;
/** `semctl`: every value of the set. */
export const GETALL = 13;
/** `semctl`: how many processes wait for a semaphore to increase. */
export const GETNCNT = 14;
/** `semctl`: how many processes wait for a semaphore to become zero. */
export const GETZCNT = 15;
/** `semctl`: set a semaphore's value. */
export const SETVAL = 16;
/** `semctl`: set every value of the set. */
export const SETALL = 17;
/** `semctl`: `IPC_STAT` by index in the kernel's table. */
export const SEM_STAT = 18;
/** `semctl`: usage figures. */
export const SEM_INFO = 19;
/** `semctl`: `SEM_STAT` without the read-permission check (Linux 4.17). */
export const SEM_STAT_ANY = 20;

// ---- shared memory ----------------------------------------------------------

/** `shmat`: attach read-only. */
export const SHM_RDONLY = 0o10000;
/** `shmat`: round the address down to a multiple of `SHMLBA`. */
export const SHM_RND = 0o20000;
/** `shmat`: replace any mapping at the address. */
export const SHM_REMAP = 0o40000;
/** `shmat`: allow executing the segment's contents. */
export const SHM_EXEC = 0o100000;
/** `shmctl`: lock the segment in memory. */
export const SHM_LOCK = 11;
/** `shmctl`: unlock the segment. */
export const SHM_UNLOCK = 12;
/** `shmctl`: `IPC_STAT` by index in the kernel's table. */
export const SHM_STAT = 13;
/** `shmctl`: usage figures. */
export const SHM_INFO = 14;
/** `shmctl`: `SHM_STAT` without the read-permission check (Linux 4.17). */
export const SHM_STAT_ANY = 15;
/** `shm_perm.mode`: the segment was removed and goes when its last attach does. */
export const SHM_DEST = 0o1000;
/** `shm_perm.mode`: the segment is locked in memory. */
export const SHM_LOCKED = 0o2000;
/** `shmget`: back the segment with huge pages. */
export const SHM_HUGETLB = 0o4000;
/** `shmget`: do not reserve swap space for the segment. */
export const SHM_NORESERVE = 0o10000;
