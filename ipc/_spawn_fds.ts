/**
 * The fds of a child process: which of ours goes to which of its, prepared
 * so that nothing else leaks in and the child never sees our O_NONBLOCK.
 *
 * How the mapping is made safe whatever the numbers:
 * - each source is first copied (F_DUPFD_CLOEXEC) to a number above every
 *   child fd, so that no `dup2` onto a child fd can clobber a source that a
 *   later `dup2` still needs (`{ 3: 4, 4: 3 }` works);
 * - a pipe or FIFO whose description is O_NONBLOCK (all of ours are) is not
 *   copied but opened again through `/proc/self/fd/N`: a new description of
 *   the same pipe, blocking, so that the child sees an ordinary pipe while
 *   our handle stays non-blocking (O_NONBLOCK belongs to the description, so
 *   clearing it on a shared one would make our own async reads block the
 *   event loop). Where that open fails (no /proc, or a write end whose
 *   readers are all gone: ENXIO), the description is shared as it is;
 * - in the child, after the `dup2`s: every fd between 3 and the highest
 *   child fd that is not mapped is closed, and every fd above it
 *   (`closefrom`, or each open fd of ours found in /proc/self/fd where libc
 *   has no `posix_spawn_file_actions_addclosefrom_np`).
 *
 * @module
 */

import { EBADF } from "./_errnos.ts";
import { posixLayouts } from "../endian/libc_posix.ts";
import { checkString, describeValue } from "./_checks.ts";
import { fstatMode, S_IFIFO, S_IFMT } from "./_file.ts";
import { cString, errnoCell, errnoError, libc, readCString } from "./_libc.ts";
import { O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_RDWR } from "./constants.ts";
import { FdHandle } from "./fd.ts";

const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;
const O_ACCMODE = 3;

/** What a child fd is: one of our handles, one of our fd numbers, ours under the same number, or /dev/null. */
export type FdSource = FdHandle | number | "inherit" | "null";

/** One child fd, ready for the file actions. */
interface Slot {
  readonly target: number;
  /** Our temporary fd (CLOEXEC, above every target) to dup2 from; -1 for /dev/null; -2 to leave the fd as it is. */
  readonly from: number;
}

/** The prepared mapping: the slots, and the temporary fds to close once the child is spawned. */
export interface FdPlan {
  readonly slots: readonly Slot[];
  readonly highest: number;
  readonly temporaries: number[];
}

/**
 * Checks the `fds` option. Keys are child fds (decimal integers, 0 or
 * more); values are sources. 0, 1 and 2 default to "inherit".
 */
export function checkFdMap(fds: unknown): Map<number, FdSource> {
  const map = new Map<number, FdSource>([[0, "inherit"], [1, "inherit"], [2, "inherit"]]);
  if (fds === undefined) return map;
  if (fds === null || typeof fds !== "object" || Array.isArray(fds)) {
    throw new TypeError(
      `options.fds must be an object mapping child fds to sources: got ${describeValue(fds)}`,
    );
  }
  for (const [key, value] of Object.entries(fds)) {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(key) || Number(key) > 0x7fffffff) {
      throw new RangeError(
        `options.fds keys must be child fd numbers (integers in [0, 2147483647]): got ${
          JSON.stringify(key)
        }`,
      );
    }
    map.set(Number(key), checkSource(value, `options.fds[${key}]`));
  }
  return map;
}

function checkSource(value: unknown, what: string): FdSource {
  if (value instanceof FdHandle || value === "inherit" || value === "null") return value;
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0 && value <= 0x7fffffff && !Object.is(value, -0)) {
      return value;
    }
    throw new RangeError(`${what} must be an fd in [0, 2147483647]: got ${describeValue(value)}`);
  }
  throw new TypeError(
    `${what} must be an FdHandle, an fd number, "inherit" or "null": got ${describeValue(value)}`,
  );
}

/**
 * Makes the temporary fds of a mapping. On failure, closes what it made and
 * throws.
 */
export function planFds(map: Map<number, FdSource>, command: string): FdPlan {
  const highest = Math.max(...map.keys());
  const temporaries: number[] = [];
  const slots: Slot[] = [];
  try {
    for (const [target, source] of [...map].sort((a, b) => a[0] - b[0])) {
      if (source === "null") {
        slots.push({ target, from: -1 });
        continue;
      }
      const explicit = !(target <= 2 && source === "inherit");
      const fd = source instanceof FdHandle ? source.fd : source === "inherit" ? target : source;
      const from = copyForChild(fd, highest + 1, explicit, command, target);
      if (from === -2) {
        slots.push({ target, from: -2 });
        continue;
      }
      temporaries.push(from);
      slots.push({ target, from });
    }
  } catch (error) {
    for (const fd of temporaries) libc().close(fd);
    throw error;
  }
  return { slots, highest, temporaries };
}

/**
 * A CLOEXEC copy of `fd` numbered at least `min`, or a new blocking open of
 * it when it is a non-blocking pipe or FIFO. Returns -2 when `fd` is not
 * open and was not asked for explicitly (an inherited 0, 1 or 2 that we do
 * not have: the child does not get it either).
 */
function copyForChild(
  fd: number,
  min: number,
  explicit: boolean,
  command: string,
  target: number,
): number {
  const lib = libc();
  const errnoNow = errnoCell();
  const flags = lib.fcntl(fd, F_GETFL, 0);
  if (flags === -1) {
    const errno = errnoNow[0]!; // At once: see errnoCell.
    if (errno === EBADF && !explicit) return -2;
    throw errnoError(errno, "fcntl", {
      action: `give fd ${fd} to ${command} as its fd ${target}`,
      details: { fd, target },
      reasons: { EBADF: `fd ${fd} is not open in this process` },
    });
  }
  if (flags & O_NONBLOCK) {
    const mode = fstatMode(fd);
    if (mode >= 0 && (mode & S_IFMT) === S_IFIFO) {
      const reopened = lib.open(
        cString(`/proc/self/fd/${fd}`, "path"),
        (flags & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
        0,
      );
      if (reopened !== -1) {
        lib.fcntl(reopened, F_SETFL, flags & ~O_NONBLOCK);
        if (reopened >= min) return reopened;
        const high = lib.fcntl(reopened, F_DUPFD_CLOEXEC, min);
        const errno = high === -1 ? errnoNow[0]! : 0;
        lib.close(reopened);
        if (high === -1) throw dupError(errno, fd, min, command, target);
        return high;
      }
    }
  }
  const high = lib.fcntl(fd, F_DUPFD_CLOEXEC, min);
  if (high === -1) throw dupError(errnoNow[0]!, fd, min, command, target);
  return high;
}

function dupError(errno: number, fd: number, min: number, command: string, target: number) {
  return errnoError(errno, "fcntl", {
    action: `give fd ${fd} to ${command} as its fd ${target}`,
    details: { fd, target },
    reasons: {
      EINVAL: `fd ${min} is above this process's limit of open fds (ulimit -n)`,
      EMFILE: "this process has too many open fds",
    },
  });
}

/**
 * Fills `actions` (an initialised posix_spawn_file_actions_t) with the
 * mapping. Returns the errno of the call that failed, or 0.
 */
export function addFileActions(actions: Uint8Array, plan: FdPlan, cwd: string | undefined): number {
  const lib = libc();
  const devNull = cString("/dev/null", "path");
  let rc = 0;
  const targets = new Set<number>();
  for (const { target, from } of plan.slots) {
    targets.add(target);
    if (from === -2) continue;
    rc = from === -1
      ? lib.posix_spawn_file_actions_addopen(actions, target, devNull, O_RDWR, 0)
      : lib.posix_spawn_file_actions_adddup2(actions, from, target);
    if (rc !== 0) return rc;
  }
  for (let fd = 3; fd < plan.highest; fd++) {
    if (!targets.has(fd)) {
      rc = lib.posix_spawn_file_actions_addclose(actions, fd);
      if (rc !== 0) return rc;
    }
  }
  const closefrom = lib.posix_spawn_file_actions_addclosefrom_np;
  if (closefrom) {
    rc = closefrom(actions, plan.highest + 1);
  } else {
    for (const fd of openFds()) {
      if (fd > plan.highest) {
        rc = lib.posix_spawn_file_actions_addclose(actions, fd);
        if (rc !== 0) return rc;
      }
    }
  }
  if (rc !== 0 || cwd === undefined) return rc;
  const chdir = lib.posix_spawn_file_actions_addchdir_np;
  if (!chdir) return -1;
  return chdir(actions, cString(cwd, "options.cwd"));
}

/** This process's open fds, from /proc/self/fd. */
function openFds(): number[] {
  const lib = libc();
  const dir = lib.opendir(cString("/proc/self/fd", "path"));
  if (dir === null) return [];
  const nameOffset = posixLayouts().dirent.offsetOf("d_name");
  const fds: number[] = [];
  try {
    for (let entry = lib.readdir(dir); entry !== null; entry = lib.readdir(dir)) {
      const name = readCString(entry, nameOffset);
      if (/^[0-9]+$/.test(name)) fds.push(Number(name));
    }
  } finally {
    lib.closedir(dir);
  }
  return fds;
}

/** An array of strings (arguments). */
export function checkStrings(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${what} must be an array of strings: got ${describeValue(value)}`);
  }
  return value.map((item, i) => checkString(item, `${what}[${i}]`));
}
