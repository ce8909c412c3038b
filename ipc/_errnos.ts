/**
 * The errno numbers the code branches on, by name: Linux's (the same on
 * x86_64 and aarch64). Messages get their codes from the table of
 * `errno.ts`; `tests/ipc/errno_test.ts` checks that the two agree.
 *
 * @module
 */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const ENXIO = 6;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOMSG = 42;
export const EIDRM = 43;
export const EPROTO = 71;
export const ECONNABORTED = 103;
export const ENOBUFS = 105;
export const ETIMEDOUT = 110;
export const EINPROGRESS = 115;
