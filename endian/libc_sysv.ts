/**
 * Layouts of the System V IPC structs that libc takes and fills:
 * `struct ipc_perm`, `msqid_ds`, `semid_ds`, `shmid_ds`, `sembuf`, the
 * `msgbuf` header, and the `IPC_INFO` structs. They differ between ABIs
 * (`semid_ds` is 104 bytes on x86_64, 88 on aarch64); every one is checked
 * against gcc by `scripts/layout_probe.ts`.
 *
 * Field names are glibc's, so that they can be checked with `offsetof`.
 *
 * @module
 */

import { type Abi, requireHostAbi } from "./abi.ts";
import { reserved } from "./array_types.ts";
import { flexibleBytes } from "./byte_array_types.ts";
import { cLong, cSizeT, cTimeT, cUlong } from "./c_types.ts";
import { type Layout, struct } from "./layout.ts";
import { i16, i32, u16, u32, u64 } from "./number_types.ts";

/** `struct ipc_perm`: the owner and permissions of a System V object. */
export interface IpcPerm {
  /** The key the object was created with. */
  __key: number;
  /** Owner's user id. */
  uid: number;
  /** Owner's group id. */
  gid: number;
  /** Creator's user id. */
  cuid: number;
  /** Creator's group id. */
  cgid: number;
  /** Permission bits (the low 9 bits), plus `SHM_DEST`/`SHM_LOCKED` for segments. */
  mode: number;
  /** Slot usage sequence number. */
  __seq: number;
}

/** `struct msqid_ds`: what `msgctl(IPC_STAT)` reports. */
export interface MsqidDs {
  /** Ownership and permissions. */
  msg_perm: IpcPerm;
  /** Time of the last msgsnd, seconds since the epoch (0: never). */
  msg_stime: number;
  /** Time of the last msgrcv. */
  msg_rtime: number;
  /** Time of the last change. */
  msg_ctime: number;
  /** Bytes now in the queue. */
  __msg_cbytes: number;
  /** Messages now in the queue. */
  msg_qnum: number;
  /** Most bytes the queue may hold. */
  msg_qbytes: number;
  /** Pid of the last msgsnd. */
  msg_lspid: number;
  /** Pid of the last msgrcv. */
  msg_lrpid: number;
}

/** `struct semid_ds`: what `semctl(IPC_STAT)` reports. */
export interface SemidDs {
  /** Ownership and permissions. */
  sem_perm: IpcPerm;
  /** Time of the last semop (0: never: the set is not yet initialised by its creator). */
  sem_otime: number;
  /** Time of the last change. */
  sem_ctime: number;
  /** Number of semaphores in the set. */
  sem_nsems: number;
}

/** `struct shmid_ds`: what `shmctl(IPC_STAT)` reports. */
export interface ShmidDs {
  /** Ownership and permissions. */
  shm_perm: IpcPerm;
  /** Size of the segment in bytes. */
  shm_segsz: number;
  /** Time of the last shmat. */
  shm_atime: number;
  /** Time of the last shmdt. */
  shm_dtime: number;
  /** Time of the last change. */
  shm_ctime: number;
  /** Pid of the creator. */
  shm_cpid: number;
  /** Pid of the last shmat or shmdt. */
  shm_lpid: number;
  /** Number of attaches now. */
  shm_nattch: number;
}

/** `struct sembuf`: one operation of a `semop` call. */
export interface Sembuf {
  /** Index of the semaphore in the set. */
  sem_num: number;
  /** The operation: add a positive value, wait to subtract a negative one, wait for zero. */
  sem_op: number;
  /** `IPC_NOWAIT`, `SEM_UNDO`. */
  sem_flg: number;
}

/** The `struct msgbuf` that `msgsnd` and `msgrcv` take: the type, then the message's bytes. */
export interface Msgbuf {
  /** The message type, at least 1. */
  mtype: number;
  /** The message's bytes. */
  mtext: Uint8Array;
}

/** `struct msginfo`: message queue limits, from `msgctl(IPC_INFO)`. */
export interface Msginfo {
  /** Size of the message pool, in KiB. */
  msgpool: number;
  /** Entries in the message map. */
  msgmap: number;
  /** Largest message, in bytes. */
  msgmax: number;
  /** Default largest queue, in bytes. */
  msgmnb: number;
  /** Most message queues. */
  msgmni: number;
  /** Message segment size. */
  msgssz: number;
  /** Most messages on all queues. */
  msgtql: number;
  /** Most segments. */
  msgseg: number;
}

/** `struct seminfo`: semaphore limits, from `semctl(IPC_INFO)`. */
export interface Seminfo {
  /** Entries in the semaphore map. */
  semmap: number;
  /** Most semaphore sets. */
  semmni: number;
  /** Most semaphores in all sets. */
  semmns: number;
  /** Most undo structures. */
  semmnu: number;
  /** Most semaphores in a set. */
  semmsl: number;
  /** Most operations in one semop. */
  semopm: number;
  /** Most undo entries per process. */
  semume: number;
  /** Size of an undo structure. */
  semusz: number;
  /** Largest semaphore value. */
  semvmx: number;
  /** Largest value recorded for adjust on exit. */
  semaem: number;
}

/** `struct shminfo`: shared memory limits, from `shmctl(IPC_INFO)`; bigints, as `shmmax` is near 2^64. */
export interface Shminfo {
  /** Largest segment, in bytes. */
  shmmax: bigint;
  /** Smallest segment, in bytes. */
  shmmin: bigint;
  /** Most segments. */
  shmmni: bigint;
  /** Most segments a process may attach. */
  shmseg: bigint;
  /** Most shared memory in all, in pages. */
  shmall: bigint;
}

/** The System V layouts of one ABI. */
export interface SysvLayouts {
  /** `struct ipc_perm`. */
  readonly ipc_perm: Layout<IpcPerm>;
  /** `struct msqid_ds`. */
  readonly msqid_ds: Layout<MsqidDs>;
  /** `struct semid_ds`. */
  readonly semid_ds: Layout<SemidDs>;
  /** `struct shmid_ds`. */
  readonly shmid_ds: Layout<ShmidDs>;
  /** `struct sembuf`. */
  readonly sembuf: Layout<Sembuf>;
  /** `struct msgbuf`: `size` is the header (the `long mtype`), `mtext` follows. */
  readonly msgbuf: Layout<Msgbuf>;
  /** `struct msginfo`. */
  readonly msginfo: Layout<Msginfo>;
  /** `struct seminfo`. */
  readonly seminfo: Layout<Seminfo>;
  /** `struct shminfo`. */
  readonly shminfo: Layout<Shminfo>;
}

const cache = new Map<Abi, SysvLayouts>();

/**
 * Returns the System V IPC layouts of an ABI.
 *
 * @param abi The ABI (default: the host's).
 * @returns The layouts, built once per ABI.
 * @throws {Error} On a host that unixipc does not support, when no ABI is given.
 *
 * @example
 * ```ts
 * import { linuxAarch64, linuxX86_64, sysvLayouts } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sysvLayouts(linuxX86_64).semid_ds.size, 104);
 * assert.equal(sysvLayouts(linuxAarch64).semid_ds.size, 88);
 * assert.equal(sysvLayouts(linuxX86_64).sembuf.size, 6);
 * ```
 */
export function sysvLayouts(abi: Abi = requireHostAbi()): SysvLayouts {
  let layouts = cache.get(abi);
  if (!layouts) {
    layouts = buildSysvLayouts(abi);
    cache.set(abi, layouts);
  }
  return layouts;
}

function buildSysvLayouts(abi: Abi): SysvLayouts {
  const ipc_perm = struct([
    ["__key", i32],
    ["uid", u32],
    ["gid", u32],
    ["cuid", u32],
    ["cgid", u32],
    ["mode", u32],
    ["__seq", u16],
    ["__pad2", reserved(u16)],
    ["__glibc_reserved1", reserved(cUlong)],
    ["__glibc_reserved2", reserved(cUlong)],
  ], { name: "struct ipc_perm", abi });

  const msqid_ds = struct([
    ["msg_perm", ipc_perm],
    ["msg_stime", cTimeT],
    ["msg_rtime", cTimeT],
    ["msg_ctime", cTimeT],
    ["__msg_cbytes", cUlong],
    ["msg_qnum", cUlong],
    ["msg_qbytes", cUlong],
    ["msg_lspid", i32],
    ["msg_lrpid", i32],
    ["__glibc_reserved4", reserved(cUlong)],
    ["__glibc_reserved5", reserved(cUlong)],
  ], { name: "struct msqid_ds", abi });

  // x86_64 keeps the 32-bit ABI's "_high" time words; the generic 64-bit ABI does not.
  const semid_ds = abi.arch === "x86_64"
    ? struct([
      ["sem_perm", ipc_perm],
      ["sem_otime", cTimeT],
      ["__sem_otime_high", reserved(cUlong)],
      ["sem_ctime", cTimeT],
      ["__sem_ctime_high", reserved(cUlong)],
      ["sem_nsems", cUlong],
      ["__glibc_reserved3", reserved(cUlong)],
      ["__glibc_reserved4", reserved(cUlong)],
    ], { name: "struct semid_ds", abi })
    : struct([
      ["sem_perm", ipc_perm],
      ["sem_otime", cTimeT],
      ["sem_ctime", cTimeT],
      ["sem_nsems", cUlong],
      ["__glibc_reserved3", reserved(cUlong)],
      ["__glibc_reserved4", reserved(cUlong)],
    ], { name: "struct semid_ds", abi });

  const shmid_ds = struct([
    ["shm_perm", ipc_perm],
    ["shm_segsz", cSizeT],
    ["shm_atime", cTimeT],
    ["shm_dtime", cTimeT],
    ["shm_ctime", cTimeT],
    ["shm_cpid", i32],
    ["shm_lpid", i32],
    ["shm_nattch", cUlong],
    ["__glibc_reserved5", reserved(cUlong)],
    ["__glibc_reserved6", reserved(cUlong)],
  ], { name: "struct shmid_ds", abi });

  const sembuf = struct([
    ["sem_num", u16],
    ["sem_op", i16],
    ["sem_flg", i16],
  ], { name: "struct sembuf", abi });

  const msgbuf = struct([
    ["mtype", cLong],
    ["mtext", flexibleBytes()],
  ], { name: "struct msgbuf", abi });

  const msginfo = struct([
    ["msgpool", i32],
    ["msgmap", i32],
    ["msgmax", i32],
    ["msgmnb", i32],
    ["msgmni", i32],
    ["msgssz", i32],
    ["msgtql", i32],
    ["msgseg", u16],
  ], { name: "struct msginfo", abi });

  const seminfo = struct([
    ["semmap", i32],
    ["semmni", i32],
    ["semmns", i32],
    ["semmnu", i32],
    ["semmsl", i32],
    ["semopm", i32],
    ["semume", i32],
    ["semusz", i32],
    ["semvmx", i32],
    ["semaem", i32],
  ], { name: "struct seminfo", abi });

  const shminfo = struct([
    ["shmmax", u64],
    ["shmmin", u64],
    ["shmmni", u64],
    ["shmseg", u64],
    ["shmall", u64],
    ["__glibc_reserved1", reserved(cUlong)],
    ["__glibc_reserved2", reserved(cUlong)],
    ["__glibc_reserved3", reserved(cUlong)],
    ["__glibc_reserved4", reserved(cUlong)],
  ], { name: "struct shminfo", abi });

  return Object.freeze({
    ipc_perm,
    msqid_ds,
    semid_ds,
    shmid_ds,
    sembuf,
    msgbuf,
    msginfo,
    seminfo,
    shminfo,
  });
}
