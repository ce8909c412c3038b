/**
 * The libc binding core: the table of every libc symbol unixipc uses, the
 * one place that opens libc, errno, and native pointers. With `_ffi.ts`
 * (the FFI) and `_process.ts` (args, pid, env, signals) it is the runtime
 * seam: the npm build swaps those two for their `.node.ts` twins (koffi and
 * `node:process`), and nothing else in unixipc knows which runtime it runs on.
 *
 * The library opens on first use, never at import. `UNIXIPC_LIBC` (when the
 * env permission allows reading it) names another libc to open.
 *
 * Conventions of the table:
 * - `size_t` and `ssize_t` are `usize`/`isize`: pass bigints on hot paths
 *   (a number costs a slow conversion), and results come back as bigints.
 * - Byte buffers we own are `buffer` (a `Uint8Array`, or null); pointers
 *   libc owns are `pointer`.
 * - A `_async` twin runs the call on a thread of the runtime's blocking pool
 *   (Deno's, or libuv's under Node) and returns a promise. errno is lost
 *   after it (it belongs to that thread), and a pending one keeps the
 *   process alive: use them only through the waiting machinery of `ipc/`.
 * - Variadic functions (`open`, `fcntl`, `ioctl`, `semctl`, `syscall`) are
 *   declared with a fixed signature, which the Linux x86_64 and aarch64
 *   calling conventions pass the same way (integer and pointer arguments in
 *   registers). This does not hold on macOS arm64.
 *
 * @module
 */

import { describeValue } from "../endian/integers.ts";
import { errnoCode, ErrnoError } from "./errno.ts";
import {
  addressOf,
  bindLibrary,
  detachView,
  nativeMemory,
  pointerAt,
  readCString,
  readPointer,
} from "./_ffi.ts";
import type { Declaration, ForeignFunctions, Pointer } from "./_native_types.ts";
import { environmentVariable } from "./_process.ts";

export {
  addressOf,
  blockingPoolSize,
  copyFromNative,
  nativeMemory,
  pointerAt,
  pointerOf,
  readCString,
} from "./_ffi.ts";
export type { Pointer } from "./_native_types.ts";

const symbols = {
  // ---- errno, process, time ------------------------------------------------
  /** int *__errno_location(void); */
  __errno_location: { parameters: [], result: "pointer" },
  /** pid_t getpid(void); */
  getpid: { parameters: [], result: "i32" },
  /** pid_t getppid(void); */
  getppid: { parameters: [], result: "i32" },
  /** pid_t gettid(void); (glibc 2.30) */
  gettid: { parameters: [], result: "i32", optional: true },
  /** struct passwd *getpwuid(uid_t uid); (NSS: not reentrant, main thread only) */
  getpwuid: { parameters: ["u32"], result: "pointer" },
  /** uid_t getuid(void); */
  getuid: { parameters: [], result: "u32" },
  /** uid_t geteuid(void); */
  geteuid: { parameters: [], result: "u32" },
  /** gid_t getgid(void); */
  getgid: { parameters: [], result: "u32" },
  /** gid_t getegid(void); */
  getegid: { parameters: [], result: "u32" },
  /** long sysconf(int name); */
  sysconf: { parameters: ["i32"], result: "i64" },
  /** int clock_gettime(clockid_t clockid, struct timespec *tp); */
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  /** long syscall(long number, ...); (variadic: three long arguments) */
  syscall: { parameters: ["i64", "i64", "i64", "i64"], result: "i64" },
  /** void *dlsym(void *handle, const char *symbol); (in libc since glibc 2.34) */
  dlsym: { parameters: ["pointer", "buffer"], result: "pointer", optional: true },

  // ---- files and fds ------------------------------------------------------
  /** int open(const char *pathname, int flags, mode_t mode); (variadic) */
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  /** The same, on a pool thread: opening a FIFO waits for the other side. */
  open_async: {
    name: "open",
    parameters: ["buffer", "i32", "u32"],
    result: "i32",
    nonblocking: true,
  },
  /** int close(int fd); */
  close: { parameters: ["i32"], result: "i32" },
  /** ssize_t read(int fd, void *buf, size_t count); */
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /**
   * The same, with the result as an i32: right for counts below 2^31 (the
   * kernel caps one call at 0x7ffff000), since x86_64 and aarch64 return
   * ssize_t in a 64-bit register whose low half holds it. A number, not a
   * bigint: no allocation on the return path, so nothing can run between
   * the call and a read of errno.
   */
  read_i32: { name: "read", parameters: ["i32", "buffer", "usize"], result: "i32" },
  /** ssize_t write(int fd, const void *buf, size_t count); */
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** The same, with the result as an i32 (see read_i32). */
  write_i32: { name: "write", parameters: ["i32", "buffer", "usize"], result: "i32" },
  /** int pipe2(int pipefd[2], int flags); */
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  /** int fcntl(int fd, int cmd, int arg); (variadic) */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int dup(int oldfd); */
  dup: { parameters: ["i32"], result: "i32" },
  /** int dup3(int oldfd, int newfd, int flags); */
  dup3: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int ioctl(int fd, unsigned long request, void *argp); (variadic) */
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  /** int unlink(const char *pathname); */
  unlink: { parameters: ["buffer"], result: "i32" },
  /** ssize_t tee(int fd_in, int fd_out, size_t len, unsigned int flags); */
  tee: { parameters: ["i32", "i32", "usize", "u32"], result: "isize" },
  /** int inotify_init1(int flags); */
  inotify_init1: { parameters: ["i32"], result: "i32" },
  /** int inotify_add_watch(int fd, const char *pathname, uint32_t mask); */
  inotify_add_watch: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int inotify_rm_watch(int fd, int wd); */
  inotify_rm_watch: { parameters: ["i32", "i32"], result: "i32" },
  /** int mkfifo(const char *pathname, mode_t mode); */
  mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
  /** int stat(const char *pathname, struct stat *statbuf); (glibc 2.33) */
  stat: { parameters: ["buffer", "buffer"], result: "i32" },
  /** int lstat(const char *pathname, struct stat *statbuf); (glibc 2.33) */
  lstat: { parameters: ["buffer", "buffer"], result: "i32" },
  /** int fstat(int fd, struct stat *statbuf); (glibc 2.33) */
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  /** DIR *opendir(const char *name); */
  opendir: { parameters: ["buffer"], result: "pointer" },
  /** struct dirent *readdir(DIR *dirp); */
  readdir: { parameters: ["pointer"], result: "pointer" },
  /** int closedir(DIR *dirp); */
  closedir: { parameters: ["pointer"], result: "i32" },

  // ---- readiness ----------------------------------------------------------
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  /** int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo_p, const sigset_t *sigmask); */
  ppoll: { parameters: ["buffer", "u64", "buffer", "pointer"], result: "i32" },
  /** The same, on a pool thread. */
  poll_async: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** int epoll_create1(int flags); */
  epoll_create1: { parameters: ["i32"], result: "i32" },
  /** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event); */
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); */
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /** The same, on a pool thread. */
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** int eventfd(unsigned int initval, int flags); */
  eventfd: { parameters: ["u32", "i32"], result: "i32" },

  // ---- processes and signals ----------------------------------------------
  /** int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *file_actions, const posix_spawnattr_t *attrp, char *const argv[], char *const envp[]); (envp as a pointer: libc's own `environ`, or a built array) */
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "pointer"],
    result: "i32",
  },
  /** int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *file_actions, const posix_spawnattr_t *attrp, char *const argv[], char *const envp[]); (envp as for posix_spawn) */
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "pointer"],
    result: "i32",
  },
  /** int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions); */
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions); */
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *file_actions, int fildes, int newfildes); */
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  /** int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *file_actions, int fildes); */
  posix_spawn_file_actions_addclose: { parameters: ["buffer", "i32"], result: "i32" },
  /** int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *file_actions, int fildes, const char *path, int oflag, mode_t mode); */
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  /** int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *file_actions, const char *path); (glibc 2.29) */
  posix_spawn_file_actions_addchdir_np: {
    parameters: ["buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  /** int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *file_actions, int from); (glibc 2.34) */
  posix_spawn_file_actions_addclosefrom_np: {
    parameters: ["buffer", "i32"],
    result: "i32",
    optional: true,
  },
  /** int posix_spawnattr_init(posix_spawnattr_t *attr); */
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawnattr_destroy(posix_spawnattr_t *attr); */
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags); */
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  /** int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask); */
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  /** int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault); */
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  /** int posix_spawnattr_setpgroup(posix_spawnattr_t *attr, pid_t pgroup); */
  posix_spawnattr_setpgroup: { parameters: ["buffer", "i32"], result: "i32" },
  /** pid_t waitpid(pid_t pid, int *wstatus, int options); */
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** int kill(pid_t pid, int sig); */
  kill: { parameters: ["i32", "i32"], result: "i32" },
  /** int tgkill(pid_t tgid, pid_t tid, int sig); (glibc 2.30) */
  tgkill: { parameters: ["i32", "i32", "i32"], result: "i32", optional: true },
  /** int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact); */
  sigaction: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5); (variadic) */
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  /** int __libc_current_sigrtmin(void); */
  __libc_current_sigrtmin: { parameters: [], result: "i32" },
  /** int __libc_current_sigrtmax(void); */
  __libc_current_sigrtmax: { parameters: [], result: "i32" },

  // ---- System V IPC -------------------------------------------------------
  /** key_t ftok(const char *pathname, int proj_id); */
  ftok: { parameters: ["buffer", "i32"], result: "i32" },
  /** int msgget(key_t key, int msgflg); */
  msgget: { parameters: ["i32", "i32"], result: "i32" },
  /** int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg); */
  msgsnd: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  /** The same, on a pool thread: a send that waits for room. */
  msgsnd_async: {
    name: "msgsnd",
    parameters: ["i32", "buffer", "usize", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg); */
  msgrcv: { parameters: ["i32", "buffer", "usize", "i64", "i32"], result: "isize" },
  /** The same, on a pool thread: a waiter. */
  msgrcv_async: {
    name: "msgrcv",
    parameters: ["i32", "buffer", "usize", "i64", "i32"],
    result: "isize",
    nonblocking: true,
  },
  /** int msgctl(int msqid, int cmd, struct msqid_ds *buf); */
  msgctl: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** int semget(key_t key, int nsems, int semflg); */
  semget: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int semop(int semid, struct sembuf *sops, size_t nsops); */
  semop: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  /** int semtimedop(int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout); */
  semtimedop: { parameters: ["i32", "buffer", "usize", "buffer"], result: "i32" },
  /** The same, on a pool thread. */
  semtimedop_async: {
    name: "semtimedop",
    parameters: ["i32", "buffer", "usize", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  /** int semctl(int semid, int semnum, int cmd, union semun arg); with a pointer member (buf, array, __buf) */
  semctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** int semctl(int semid, int semnum, int cmd, union semun arg); with the int member (val) */
  semctl_val: { name: "semctl", parameters: ["i32", "i32", "i32", "i32"], result: "i32" },
  /** int shmget(key_t key, size_t size, int shmflg); */
  shmget: { parameters: ["i32", "usize", "i32"], result: "i32" },
  /** void *shmat(int shmid, const void *shmaddr, int shmflg); */
  shmat: { parameters: ["i32", "pointer", "i32"], result: "pointer" },
  /** int shmdt(const void *shmaddr); */
  shmdt: { parameters: ["pointer"], result: "i32" },
  /** int shmctl(int shmid, int cmd, struct shmid_ds *buf); */
  shmctl: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); */
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  /** int munmap(void *addr, size_t length); */
  munmap: { parameters: ["pointer", "usize"], result: "i32" },

  // ---- sockets ------------------------------------------------------------
  /** int socket(int domain, int type, int protocol); */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int socketpair(int domain, int type, int protocol, int sv[2]); */
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int listen(int sockfd, int backlog); */
  listen: { parameters: ["i32", "i32"], result: "i32" },
  /** int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags); */
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  /** int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int shutdown(int sockfd, int how); */
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  /** ssize_t send(int sockfd, const void *buf, size_t len, int flags); */
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** ssize_t recv(int sockfd, void *buf, size_t len, int flags); */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen); */
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  /** ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen); */
  recvfrom: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"],
    result: "isize",
  },
  /** ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags); */
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags); */
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  /** int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen); */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen); */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen); */
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen); */
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** int inet_pton(int af, const char *src, void *dst); */
  inet_pton: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** const char *inet_ntop(int af, const void *src, char *dst, socklen_t size); */
  inet_ntop: { parameters: ["i32", "buffer", "buffer", "u32"], result: "pointer" },
  /** unsigned int if_nametoindex(const char *ifname); */
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  /** char *if_indextoname(unsigned int ifindex, char *ifname); */
  if_indextoname: { parameters: ["u32", "buffer"], result: "pointer" },
} as const satisfies Readonly<Record<string, Declaration>>;

/** The libc functions, as `libc()` returns them. */
export type Libc = ForeignFunctions<typeof symbols>;

/** The default libc: glibc's soname on Linux. */
const defaultLibcPath = "libc.so.6";

let library: Libc | undefined;

/** The libc path: `UNIXIPC_LIBC` when set and readable without a prompt, else glibc's. */
export function libcPath(): string {
  return environmentVariable("UNIXIPC_LIBC") || defaultLibcPath;
}

/**
 * Returns libc's functions, opening the library on first use.
 *
 * @throws {Error} Without `--allow-ffi`, or if the library cannot be opened, saying which.
 */
export function libc(): Libc {
  return library ??= bindLibrary(libcPath(), symbols) as unknown as Libc;
}

/**
 * Reads errno of the calling thread. Call it right after the failing
 * synchronous call, before any other libc call: only {@linkcode lastError}
 * and {@linkcode unwrap} should.
 */
function readErrno(): number {
  return (errnoArray ?? errnoCell())[0]!;
}

let errnoArray: Int32Array | undefined;

/**
 * The calling thread's errno as a one-element `Int32Array` over its memory,
 * for hot paths that must read it with no function call between the failing
 * call and the read: `const n = read(fd, b, c); const errno = n < 0 ? cell[0] : 0;`.
 *
 * A call in between, even one that only reads errno, is a point where V8 may
 * service interrupts (install optimized code, a GC step, the embedder's
 * callbacks), and their own libc calls can change errno: measured here, a
 * read that failed with EAGAIN seen as ENOENT, a few times per million calls
 * early in a process's life. {@linkcode lastErrno} and {@linkcode lastError}
 * (a function call away) are fine on cold paths, where a wrong code can only
 * mislabel an error that happened anyway.
 *
 * The view belongs to the thread that first asked for it (errno is
 * thread-local): one per isolate, as module state is.
 */
export function errnoCell(): Int32Array {
  if (!errnoArray) {
    const location = libc().__errno_location();
    if (location === null) throw new Error("Cannot read errno: __errno_location returned NULL");
    errnoArray = new Int32Array(nativeMemory(location, 4));
  }
  return errnoArray;
}

/** The description of a failed call, for {@linkcode lastError}. */
export interface CallContext {
  /** What could not be done, as the end of "Cannot ...". */
  readonly action: string;
  /** The arguments that matter. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Reasons by errno code, in the words of the caller's domain: `{ EIDRM: "the queue was removed" }`. */
  readonly reasons?: Readonly<Record<string, string>>;
}

/**
 * Builds the error of the call that just failed, reading errno first. Call
 * it at once after the call returned its error value, with no libc call in
 * between.
 *
 * @param syscall The libc function that failed.
 * @param context What it was doing.
 * @returns The error to throw.
 */
export function lastError(syscall: string, context: CallContext): ErrnoError {
  return errnoError(readErrno(), syscall, context);
}

/** The errno of the call that just failed; for callers that branch on it (EINTR, EAGAIN) before deciding to throw. */
export function lastErrno(): number {
  return readErrno();
}

/**
 * Builds an error from a known errno (one returned directly, as
 * `posix_spawn` and `pthread_*` do, or read earlier with {@linkcode lastErrno}).
 *
 * @param errno The errno number.
 * @param syscall The libc function that failed.
 * @param context What it was doing.
 * @returns The error to throw.
 */
export function errnoError(errno: number, syscall: string, context: CallContext): ErrnoError {
  return new ErrnoError(errno, {
    syscall,
    action: context.action,
    reason: context.reasons?.[errnoCode(errno)],
    details: context.details,
  });
}

/**
 * Returns `result` unless it is the error value -1, in which case it throws
 * the call's error (errno read at once).
 *
 * @param result What the call returned.
 * @param syscall The libc function.
 * @param context What it was doing.
 * @returns The result, as a number.
 * @throws {ErrnoError} If the result is -1.
 */
export function unwrap(result: number | bigint, syscall: string, context: CallContext): number {
  if (result === -1 || result === -1n) throw lastError(syscall, context);
  return Number(result);
}

// ---- native memory -----------------------------------------------------------

const pageSize = () => Number(libc().sysconf(30 /* _SC_PAGESIZE */));

/** Unmaps what replaced the mappings of views that could not be detached, once they are gone. */
const strandedMappings = new FinalizationRegistry<{ address: bigint; length: bigint }>(
  ({ address, length }) => libc().munmap(pointerAt(address), length),
);

/**
 * Detaches a System V shared memory segment (`shmdt`) that `view` (from
 * {@linkcode nativeMemory}) shows, never leaving a view over unmapped memory:
 * the view is detached first (length 0) where the runtime can; where it
 * cannot (Node), the segment's pages are replaced by private zero pages
 * (`mmap` with `MAP_FIXED` over them detaches the segment as `shmdt` does),
 * which the view then shows until it is collected, and which are unmapped
 * then.
 *
 * @param pointer The attach address (shmat's result).
 * @param size The segment's size in bytes.
 * @param view The buffer over it.
 * @returns 0, or -1 with errno set (of `shmdt` or `mmap`).
 */
export function detachSharedMemory(pointer: Pointer, size: number, view: ArrayBuffer): number {
  const lib = libc();
  if (detachView(view)) return lib.shmdt(pointer);
  const page = pageSize();
  const length = BigInt(Math.ceil(Math.max(size, 1) / page) * page);
  const replaced = lib.mmap(
    pointer,
    length,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE_ANONYMOUS_FIXED,
    -1,
    0n,
  );
  if (addressOf(replaced) === MAP_FAILED) return -1;
  strandedMappings.register(view, { address: addressOf(pointer), length });
  return 0;
}

const PROT_READ = 1;
const PROT_WRITE = 2;
/** MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE (Linux). */
const MAP_PRIVATE_ANONYMOUS_FIXED = 0x02 | 0x10 | 0x20 | 0x4000;
/** (void *) -1 */
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

const encoder = new TextEncoder();

/**
 * Encodes a string as a NUL-terminated C string.
 *
 * @throws {TypeError} If it is not a string.
 * @throws {RangeError} If it contains a NUL character (C would cut it there) or a lone surrogate (UTF-8 cannot hold it).
 */
export function cString(value: string, what: string): Uint8Array {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string: got ${describeValue(value)}`);
  }
  if (value.includes("\0")) {
    throw new RangeError(`${what} must not contain a NUL character: got ${describeValue(value)}`);
  }
  if (!value.isWellFormed()) {
    throw new RangeError(
      `${what} must be valid Unicode, but it holds a lone surrogate: got ${describeValue(value)}`,
    );
  }
  const bytes = new Uint8Array(value.length * 3 + 1);
  const { written } = encoder.encodeInto(value, bytes);
  return bytes.subarray(0, written + 1);
}

/**
 * The address of a libc function, for passing as a function pointer (a
 * signal handler that does nothing harmful, say).
 *
 * @throws {Error} If libc has no `dlsym` or no such function.
 */
export function functionAddress(name: string): Pointer {
  const { dlsym } = libc();
  if (!dlsym) throw new Error(`Cannot find ${name}: this libc has no dlsym`);
  const address = dlsym(null, cString(name, "Function name"));
  if (address === null) throw new Error(`Cannot find ${name} in libc`);
  return address;
}

/**
 * The environment as libc holds it now (`environ`, a `char **`): what a
 * child process inherits. It moves when the environment grows, so read it
 * right before use.
 *
 * @throws {Error} If libc has no `dlsym` or no `environ`.
 */
export function environ(): Pointer {
  const pointer = readPointer(functionAddress("environ"));
  if (pointer === null) throw new Error("Cannot read the environment: environ is NULL");
  return pointer;
}

/** The entries (`NAME=value`) of an environment array such as {@linkcode environ}. */
export function environEntries(envp: Pointer = environ()): string[] {
  if (envp === null) return [];
  const entries: string[] = [];
  for (let offset = 0;; offset += 8) {
    const entry = readPointer(envp, offset);
    if (entry === null) return entries;
    entries.push(readCString(entry));
  }
}
