/**
 * Layouts of the POSIX structs that the rest of unixipc passes to libc:
 * times (`timespec`, `timeval`), readiness (`pollfd`, `epoll_event`),
 * signals (`sigset_t`, `sigaction`), files (`stat`, `dirent`), scatter and
 * gather I/O (`iovec`, `msghdr`), and the opaque `posix_spawn` objects.
 * Several differ between ABIs (`stat`, `epoll_event`, packed on x86_64);
 * every one is checked against gcc by `scripts/layout_probe.ts`.
 *
 * @module
 */

import { type Abi, requireHostAbi } from "./abi.ts";
import { array, reserved } from "./array_types.ts";
import { chars } from "./byte_array_types.ts";
import { cLong, cPointer, cSizeT, cTimeT, cUlong } from "./c_types.ts";
import { type Layout, packed, struct } from "./layout.ts";
import { i16, i32, i64, u16, u32, u64, u8 } from "./number_types.ts";

/** `struct timespec`: seconds and nanoseconds. */
export interface Timespec {
  /** Seconds. */
  tv_sec: number;
  /** Nanoseconds, in [0, 999999999]. */
  tv_nsec: number;
}

/** `struct timeval`: seconds and microseconds. */
export interface Timeval {
  /** Seconds. */
  tv_sec: number;
  /** Microseconds, in [0, 999999]. */
  tv_usec: number;
}

/** `struct pollfd`: one fd of a `poll` call. */
export interface Pollfd {
  /** The fd. */
  fd: number;
  /** Events to wait for. */
  events: number;
  /** Events that happened. */
  revents: number;
}

/** `struct epoll_event`: events and the caller's 64-bit data. */
export interface EpollEvent {
  /** Event mask (`EPOLLIN`, ...). */
  events: number;
  /** The caller's data (`epoll_data_t`), as a u64. */
  data: bigint;
}

/** `sigset_t`: a set of signals, as glibc's 1024 bits. */
export interface Sigset {
  /** The bits, 64 to a word. */
  __val: number[];
}

/** `struct sigaction`: a signal's disposition. */
export interface Sigaction {
  /** The handler's address (`SIG_DFL` 0, `SIG_IGN` 1, or a function). */
  sa_handler: bigint;
  /** Signals blocked while the handler runs. */
  sa_mask: Sigset;
  /** `SA_RESTART`, `SA_SIGINFO`, ... */
  sa_flags: number;
  /** Set by libc. */
  sa_restorer: bigint;
}

/** `struct stat`: what `stat`/`fstat` report (the fields unixipc reads). */
export interface Stat {
  /** Device holding the file. */
  st_dev: bigint;
  /** Inode number. */
  st_ino: bigint;
  /** Type and permission bits (`S_IFIFO`, `S_IFSOCK`, 0o644, ...). */
  st_mode: number;
  /** Number of hard links. */
  st_nlink: number;
  /** Owner's user id. */
  st_uid: number;
  /** Owner's group id. */
  st_gid: number;
  /** Device number, for device files. */
  st_rdev: bigint;
  /** Size in bytes. */
  st_size: number;
  /** Block size for I/O. */
  st_blksize: number;
  /** 512-byte blocks allocated. */
  st_blocks: number;
  /** Last access. */
  st_atim: Timespec;
  /** Last modification. */
  st_mtim: Timespec;
  /** Last status change. */
  st_ctim: Timespec;
}

/** `struct dirent`: one entry of `readdir`. */
export interface Dirent {
  /** Inode number. */
  d_ino: bigint;
  /** Position of the next entry. */
  d_off: bigint;
  /** Length of this record. */
  d_reclen: number;
  /** File type (`DT_DIR`, ...). */
  d_type: number;
  /** The name. */
  d_name: string;
}

/** `struct iovec`: one buffer of a scatter or gather I/O call. */
export interface Iovec {
  /** The buffer's address. */
  iov_base: bigint;
  /** Its length. */
  iov_len: number;
}

/** `struct msghdr`: the message of `sendmsg`/`recvmsg`. */
export interface Msghdr {
  /** Address of the peer's socket address. */
  msg_name: bigint;
  /** Its length. */
  msg_namelen: number;
  /** Address of the iovec array. */
  msg_iov: bigint;
  /** Number of iovecs. */
  msg_iovlen: number;
  /** Address of ancillary data. */
  msg_control: bigint;
  /** Its length. */
  msg_controllen: number;
  /** Flags of the received message (`MSG_TRUNC`, `MSG_CTRUNC`). */
  msg_flags: number;
}

/** An opaque libc object: only its size and alignment matter. */
export type Opaque = Record<string, never>;

/** The POSIX layouts of one ABI. */
export interface PosixLayouts {
  /** `struct timespec`. */
  readonly timespec: Layout<Timespec>;
  /** `struct timeval`. */
  readonly timeval: Layout<Timeval>;
  /** `struct pollfd`. */
  readonly pollfd: Layout<Pollfd>;
  /** `struct epoll_event` (packed on x86_64). */
  readonly epoll_event: Layout<EpollEvent>;
  /** `sigset_t`. */
  readonly sigset_t: Layout<Sigset>;
  /** `struct sigaction`. */
  readonly sigaction: Layout<Sigaction>;
  /** `struct stat`. */
  readonly stat: Layout<Stat>;
  /** `struct dirent`. */
  readonly dirent: Layout<Dirent>;
  /** `struct iovec`. */
  readonly iovec: Layout<Iovec>;
  /** `struct msghdr`. */
  readonly msghdr: Layout<Msghdr>;
  /** `posix_spawn_file_actions_t` (opaque). */
  readonly posix_spawn_file_actions_t: Layout<Opaque>;
  /** `posix_spawnattr_t` (opaque). */
  readonly posix_spawnattr_t: Layout<Opaque>;
}

const cache = new Map<Abi, PosixLayouts>();

/**
 * Returns the POSIX layouts of an ABI.
 *
 * @param abi The ABI (default: the host's).
 * @returns The layouts, built once per ABI.
 * @throws {Error} On a host that unixipc does not support, when no ABI is given.
 *
 * @example
 * ```ts
 * import { linuxAarch64, linuxX86_64, posixLayouts } from "@unixipc/unixipc/endian";
 * import assert from "node:assert/strict";
 *
 * assert.equal(posixLayouts(linuxX86_64).epoll_event.size, 12);
 * assert.equal(posixLayouts(linuxAarch64).epoll_event.size, 16);
 * ```
 */
export function posixLayouts(abi: Abi = requireHostAbi()): PosixLayouts {
  let layouts = cache.get(abi);
  if (!layouts) {
    layouts = buildPosixLayouts(abi);
    cache.set(abi, layouts);
  }
  return layouts;
}

function buildPosixLayouts(abi: Abi): PosixLayouts {
  const timespec = struct([
    ["tv_sec", cTimeT],
    ["tv_nsec", cLong],
  ], { name: "struct timespec", abi });

  const timeval = struct([
    ["tv_sec", cTimeT],
    ["tv_usec", cLong],
  ], { name: "struct timeval", abi });

  const pollfd = struct([
    ["fd", i32],
    ["events", i16],
    ["revents", i16],
  ], { name: "struct pollfd", abi });

  // x86_64 declares it __attribute__((packed)) so that 32-bit and 64-bit code agree.
  const epoll_event = abi.arch === "x86_64"
    ? packed([
      ["events", u32],
      ["data", u64],
    ], { name: "struct epoll_event", byteOrder: abi.byteOrder, abi })
    : struct([
      ["events", u32],
      ["data", u64],
    ], { name: "struct epoll_event", abi });

  const sigset_t = struct([
    ["__val", array(cUlong, 1024 / (8 * abi.long))],
  ], { name: "sigset_t", abi });

  const sigaction = struct([
    ["sa_handler", cPointer],
    ["sa_mask", sigset_t],
    ["sa_flags", i32],
    ["sa_restorer", cPointer],
  ], { name: "struct sigaction", abi });

  const times = [
    ["st_atim", timespec],
    ["st_mtim", timespec],
    ["st_ctim", timespec],
  ] as const;
  const stat = abi.arch === "x86_64"
    ? struct([
      ["st_dev", u64],
      ["st_ino", u64],
      ["st_nlink", cUlong],
      ["st_mode", u32],
      ["st_uid", u32],
      ["st_gid", u32],
      ["__pad0", reserved(i32)],
      ["st_rdev", u64],
      ["st_size", cLong],
      ["st_blksize", cLong],
      ["st_blocks", cLong],
      ...times,
      ["__glibc_reserved", reserved(array(cLong, 3))],
    ], { name: "struct stat", abi })
    : struct([
      ["st_dev", u64],
      ["st_ino", u64],
      ["st_mode", u32],
      ["st_nlink", u32],
      ["st_uid", u32],
      ["st_gid", u32],
      ["st_rdev", u64],
      ["__pad1", reserved(u64)],
      ["st_size", cLong],
      ["st_blksize", i32],
      ["__pad2", reserved(i32)],
      ["st_blocks", cLong],
      ...times,
      ["__glibc_reserved", reserved(array(i32, 2))],
    ], { name: "struct stat", abi });

  const dirent = struct([
    ["d_ino", u64],
    ["d_off", i64],
    ["d_reclen", u16],
    ["d_type", u8],
    ["d_name", chars(256)],
  ], { name: "struct dirent", abi });

  const iovec = struct([
    ["iov_base", cPointer],
    ["iov_len", cSizeT],
  ], { name: "struct iovec", abi });

  const msghdr = struct([
    ["msg_name", cPointer],
    ["msg_namelen", u32],
    ["msg_iov", cPointer],
    ["msg_iovlen", cSizeT],
    ["msg_control", cPointer],
    ["msg_controllen", cSizeT],
    ["msg_flags", i32],
  ], { name: "struct msghdr", abi });

  const posix_spawn_file_actions_t = struct([
    ["__allocated", reserved(i32)],
    ["__used", reserved(i32)],
    ["__actions", reserved(cPointer)],
    ["__pad", reserved(array(i32, 16))],
  ], { name: "posix_spawn_file_actions_t", abi });

  const posix_spawnattr_t = struct([
    ["__flags", reserved(i16)],
    ["__pgrp", reserved(i32)],
    ["__sd", reserved(sigset_t)],
    ["__ss", reserved(sigset_t)],
    ["__sp", reserved(i32)],
    ["__policy", reserved(i32)],
    ["__pad", reserved(array(i32, 16))],
  ], { name: "posix_spawnattr_t", abi });

  return Object.freeze({
    timespec,
    timeval,
    pollfd,
    epoll_event,
    sigset_t,
    sigaction,
    stat,
    dirent,
    iovec,
    msghdr,
    posix_spawn_file_actions_t,
    posix_spawnattr_t,
  });
}
