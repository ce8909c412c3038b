/**
 * Child processes that inherit fds: `spawn` (through `posix_spawn`) maps
 * our pipe ends, FIFOs and other fds onto the child's fd numbers, which
 * `Deno.Command` cannot do.
 *
 * @module
 */

import { ENOENT, ENOTDIR } from "./_errnos.ts";
import { posixLayouts } from "../endian/libc_posix.ts";
import { checkBoolean, checkOptions, checkString, describeValue } from "./_checks.ts";
import { checkPath, describeFileType, missingReason, S_IFDIR, S_IFMT, statMode } from "./_file.ts";
import {
  addressOf,
  cString,
  environ,
  environEntries,
  errnoError,
  libc,
  type Pointer,
  pointerOf,
} from "./_libc.ts";
import { addFileActions, checkFdMap, checkStrings, type FdSource, planFds } from "./_spawn_fds.ts";
import { adoptChild } from "./_child.ts";
import type { ChildProcess } from "./child_process.ts";
import { errnoCode } from "./errno.ts";

export type { FdSource } from "./_spawn_fds.ts";

const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;

/** Options of {@linkcode spawn}. */
export interface SpawnOptions {
  /** The arguments after the command (`argv[1]` on). */
  readonly args?: readonly string[];
  /** `argv[0]`, what the child sees as its name. Default: the command as given. */
  readonly argv0?: string;
  /**
   * The child's fds: child fd number to what it is. A value is an
   * {@linkcode FdHandle} of ours, one of our fd numbers, `"inherit"` (our fd
   * of the same number) or `"null"` (/dev/null). 0, 1 and 2 are inherited
   * unless given; no other fd of ours reaches the child.
   */
  readonly fds?: Readonly<Record<number, FdSource>>;
  /** Variables to set in the child's environment, over the inherited ones. */
  readonly env?: Readonly<Record<string, string>>;
  /** Start from an empty environment (then only `env`). Default false. */
  readonly clearEnv?: boolean;
  /** The child's working directory (a path or `file:` URL). Default: ours. */
  readonly cwd?: string | URL;
  /** Put the child in a new process group of its own (so that a signal to the group reaches it and its children, not us). Default false. */
  readonly newProcessGroup?: boolean;
}

/**
 * Starts a program as a child process, through `posix_spawn`, with the fds,
 * environment and working directory given, and nothing else of ours.
 *
 * - `fds` maps child fd numbers to our handles or fds; everything else of
 *   ours (Deno's own fds included) is closed in the child, whatever its
 *   close-on-exec flag.
 * - A pipe or FIFO end given to the child reaches it as a blocking open of
 *   the same pipe (our handles are O_NONBLOCK, a flag the child would
 *   otherwise share); close your copy of an end you gave away, or the other
 *   side never sees the end of the stream.
 * - Signal dispositions are reset to their defaults in the child and its
 *   signal mask is emptied: Deno ignores SIGPIPE, and an ignored signal stays
 *   ignored across exec (`yes | head` would never end).
 * - A command without a slash is looked up in PATH: ours, or the `env`
 *   option's when it sets PATH. A relative `cwd` is relative to our working
 *   directory; a relative command path (`./tool`) to the child's, since it
 *   is executed there.
 *
 * @param command The program: a name looked up in PATH, or a path (or `file:` URL).
 * @param options `args`, `argv0`, `fds`, `env`, `clearEnv`, `cwd`, `newProcessGroup`.
 * @returns The child; `wait()` for it.
 * @throws {TypeError} If an argument has the wrong type.
 * @throws {RangeError} If an fd number is out of range.
 * @throws {ErrnoError} ENOENT (no such command, or `cwd` missing), EACCES
 *   (not executable), EBADF (a handle or fd given is not open).
 *
 * @example
 * ```ts
 * import { pipe, spawn } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * // echo hello | our pipe
 * using p = pipe();
 * await using child = spawn("echo", { args: ["hello"], fds: { 1: p.write } });
 * p.write.close(); // The child has its own copy: ours would keep the pipe open.
 * const buffer = new Uint8Array(16);
 * const n = await p.read.read(buffer);
 * assert.equal(new TextDecoder().decode(buffer.subarray(0, n!)), "hello\n");
 * assert.equal((await child.wait()).code, 0);
 * ```
 */
export function spawn(command: string | URL, options: SpawnOptions = {}): ChildProcess {
  const file = checkPath(command, "command");
  checkOptions(options);
  const args = checkStrings(options.args ?? [], "options.args");
  const argv0 = options.argv0 === undefined ? file : checkString(options.argv0, "options.argv0");
  const clearEnv = options.clearEnv === undefined
    ? false
    : checkBoolean(options.clearEnv, "options.clearEnv");
  const env = options.env === undefined ? undefined : checkEnv(options.env);
  const cwd = options.cwd === undefined ? undefined : checkPath(options.cwd, "options.cwd");
  const newProcessGroup = options.newProcessGroup === undefined
    ? false
    : checkBoolean(options.newProcessGroup, "options.newProcessGroup");
  const fdMap = checkFdMap(options.fds);
  const argv = cStringArray([argv0, ...args], "options.args");
  const envBlock = clearEnv || env
    ? cStringArray(mergeEnv(clearEnv, env), "options.env")
    : undefined;
  const action = `spawn ${file}`;
  if (cwd !== undefined) checkDirectory(cwd, action);
  const resolved = resolveCommand(file, clearEnv, env);

  const lib = libc();
  const layouts = posixLayouts();
  const actions = new Uint8Array(layouts.posix_spawn_file_actions_t.size);
  const attr = new Uint8Array(layouts.posix_spawnattr_t.size);
  const emptySet = new Uint8Array(layouts.sigset_t.size);
  const fullSet = new Uint8Array(layouts.sigset_t.size).fill(0xff);
  const plan = planFds(fdMap, file);
  lib.posix_spawn_file_actions_init(actions);
  lib.posix_spawnattr_init(attr);
  try {
    let rc = addFileActions(actions, plan, cwd);
    if (rc === -1) {
      throw new Error(
        `Cannot ${action} with a cwd: this libc has no posix_spawn_file_actions_addchdir_np (glibc 2.29)`,
      );
    }
    if (rc === 0) {
      const flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
        (newProcessGroup ? POSIX_SPAWN_SETPGROUP : 0);
      rc = lib.posix_spawnattr_setflags(attr, flags) ||
        lib.posix_spawnattr_setsigmask(attr, emptySet) ||
        lib.posix_spawnattr_setsigdefault(attr, fullSet) ||
        (newProcessGroup ? lib.posix_spawnattr_setpgroup(attr, 0) : 0);
    }
    if (rc !== 0) throw errnoError(rc, "posix_spawn_file_actions", { action });
    const pid = new Int32Array(1);
    const envp: Pointer = envBlock ? envBlock.pointer : environ();
    const spawnFn = resolved.search ? lib.posix_spawnp : lib.posix_spawn;
    rc = spawnFn(
      new Uint8Array(pid.buffer),
      cString(resolved.path, "command"),
      actions,
      attr,
      argv.array,
      envp,
    );
    // Keep the strings alive until here: the arrays hold their addresses.
    void argv.block;
    void envBlock?.block;
    if (rc !== 0) {
      throw errnoError(rc, resolved.search ? "posix_spawnp" : "posix_spawn", {
        action,
        details: { command: file, args },
        reasons: {
          ENOENT: resolved.search ? `no command ${file} in PATH` : "no such file",
          EACCES: "it is not executable, or a directory on its path cannot be searched",
          ENOEXEC: "it is not in an executable format",
        },
      });
    }
    return adoptChild(pid[0]!, file);
  } finally {
    lib.posix_spawn_file_actions_destroy(actions);
    lib.posix_spawnattr_destroy(attr);
    for (const fd of plan.temporaries) lib.close(fd);
  }
}

function checkEnv(env: unknown): Record<string, string> {
  if (env === null || typeof env !== "object" || Array.isArray(env)) {
    throw new TypeError(
      `options.env must be an object of strings: got ${describeValue(env)}`,
    );
  }
  for (const [name, value] of Object.entries(env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      throw new TypeError(
        `options.env names must be non-empty, without "=" or NUL: got ${JSON.stringify(name)}`,
      );
    }
    checkString(value, `options.env.${name}`);
  }
  return env as Record<string, string>;
}

function mergeEnv(clear: boolean, env: Record<string, string> | undefined): string[] {
  const merged = new Map<string, string>();
  if (!clear) {
    for (const entry of environEntries()) {
      const eq = entry.indexOf("=");
      if (eq > 0) merged.set(entry.slice(0, eq), entry);
    }
  }
  for (const [name, value] of Object.entries(env ?? {})) merged.set(name, `${name}=${value}`);
  return [...merged.values()];
}

/** How to find the program: `search` lets posix_spawnp look in our PATH. */
function resolveCommand(
  file: string,
  clearEnv: boolean,
  env: Record<string, string> | undefined,
): { path: string; search: boolean } {
  if (file.includes("/")) return { path: file, search: false };
  const path = env?.PATH ?? (clearEnv ? undefined : null);
  if (path === null) return { path: file, search: true }; // Our PATH: posix_spawnp's.
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const candidate = `${dir || "."}/${file}`;
    const mode = statMode(candidate);
    if (mode >= 0 && (mode & S_IFMT) === 0o100000 && (mode & 0o111) !== 0) {
      return { path: candidate, search: false };
    }
  }
  throw errnoError(ENOENT, "posix_spawn", {
    action: `spawn ${file}`,
    details: { command: file, PATH: path },
    reasons: { ENOENT: `no command ${file} in the PATH given (${path ?? "the default PATH"})` },
  });
}

function checkDirectory(cwd: string, action: string): void {
  const mode = statMode(cwd);
  if (mode >= 0 && (mode & S_IFMT) === S_IFDIR) return;
  const errno = mode < 0 ? -mode : ENOTDIR;
  const reason = mode >= 0
    ? `it is ${describeFileType(mode)}, not a directory`
    : errno === ENOENT
    ? missingReason(cwd).replace("nothing exists at this path", "it does not exist")
    : undefined;
  throw errnoError(errno, "posix_spawn_file_actions_addchdir_np", {
    action: `${action} in ${cwd}`,
    details: { cwd },
    reasons: reason === undefined ? {} : { [errnoCode(errno)]: reason },
  });
}

/** A NULL-terminated array of C strings (`char *const []`), and the block that holds the strings. */
function cStringArray(
  strings: readonly string[],
  what: string,
): { block: Uint8Array; array: Uint8Array; pointer: Pointer } {
  const encoded = strings.map((s) => cString(s, what));
  const total = encoded.reduce((n, e) => n + e.length, 0);
  // More than 64 bytes, so that V8 never keeps it on its moving heap.
  const block = new Uint8Array(Math.max(total, 128));
  const addresses = new BigUint64Array(strings.length + 1);
  const base = addressOf(pointerOf(block));
  let offset = 0;
  encoded.forEach((e, i) => {
    block.set(e, offset);
    addresses[i] = base + BigInt(offset);
    offset += e.length;
  });
  const array = new Uint8Array(addresses.buffer);
  return { block, array, pointer: pointerOf(array) };
}
