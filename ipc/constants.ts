/**
 * Constants of the fd and process calls, with their C names and Linux
 * values (the same on x86_64 and aarch64).
 *
 * @module
 */

/** open(2): read only. */
export const O_RDONLY = 0;
/** open(2): write only. */
export const O_WRONLY = 1;
/** open(2): read and write. */
export const O_RDWR = 2;
/** open(2): create the file if it does not exist. */
export const O_CREAT = 0o100;
/** open(2): with O_CREAT, fail if it exists. */
export const O_EXCL = 0o200;
/** open(2): do not make it the controlling terminal. */
export const O_NOCTTY = 0o400;
/** open(2): truncate to length 0. */
export const O_TRUNC = 0o1000;
/** open(2): append. */
export const O_APPEND = 0o2000;
/** open(2), pipe2(2), fcntl(2): non-blocking I/O. */
export const O_NONBLOCK = 0o4000;
/** open(2), pipe2(2): close the fd in child processes (on exec). */
export const O_CLOEXEC = 0o2000000;

/** fcntl(2): get the fd flags. */
export const F_GETFD = 1;
/** fcntl(2): set the fd flags. */
export const F_SETFD = 2;
/** fcntl(2): get the file status flags. */
export const F_GETFL = 3;
/** fcntl(2): set the file status flags. */
export const F_SETFL = 4;
/** fcntl(2): set a pipe's capacity. */
export const F_SETPIPE_SZ = 1031;
/** fcntl(2): get a pipe's capacity. */
export const F_GETPIPE_SZ = 1032;
/** The fd flag: close on exec. */
export const FD_CLOEXEC = 1;

/** Writes of at most this many bytes to a pipe or FIFO are atomic (never interleaved with other writers'). */
export const PIPE_BUF = 4096;
