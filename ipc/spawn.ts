/**
 * Child processes that inherit fds: `spawn` (through `posix_spawn`) maps
 * our pipe ends, FIFOs and other fds onto the child's fd numbers, which
 * `Deno.Command` cannot do; `spawnModule` runs a Deno module as a child,
 * the idiom that replaces `fork()`.
 *
 * @module
 */

import { posixLayouts } from "../endian/libc_posix.ts";
import { checkBoolean, checkOptions, checkString } from "./_checks.ts";
import { checkPath, describeFileType, missingReason, S_IFDIR, S_IFMT, statMode } from "./_file.ts";
import {
  addressOf,
  cString,
  environ,
  environEntries,
  errnoError,
  lastErrno,
  libc,
  type Pointer,
  pointerOf,
} from "./_libc.ts";
import { forget, waitFor } from "./_poller.ts";
import { type WaitOptions, waitSignal } from "./_signal.ts";
import { addFileActions, checkFdMap, type FdSource, planFds } from "./_spawn_fds.ts";
import { errnoCode, ErrnoError } from "./errno.ts";
import { type SignalName, signalName, signalNumber } from "./signals.ts";

export type { FdSource } from "./_spawn_fds.ts";

const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SYS_pidfd_open = 434n; // x86_64 and aarch64 alike
const WNOHANG = 1;
const EINTR = 4;
const ESRCH = 3;
const ENOENT = 2;
const ENOTDIR = 20;
/** The longest pause between two looks at a child without a pidfd (kernels before 5.3). */
const POLL_MAX_MS = 50;

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

/** How a child process ended. */
export interface ChildStatus {
  /** True when it exited with code 0. */
  readonly success: boolean;
  /** Its exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The number of the signal that ended it, or null when it exited. */
  readonly signal: number | null;
  /** That signal's name (`"SIGTERM"`), or null. */
  readonly signalName: string | null;
}

/**
 * A child process started by {@linkcode spawn} or {@linkcode spawnModule}.
 * Wait for it (`wait()`, or `await using`): until then it stays a zombie
 * after it exits, and holds an fd (its pidfd).
 */
export interface ChildProcess extends AsyncDisposable {
  /** The child's process id. */
  readonly pid: number;
  /** How it ended, once `wait()` or `waitSync()` has seen it; undefined before. */
  readonly status: ChildStatus | undefined;
  /**
   * Waits until the child ends, without blocking the event loop, and reaps
   * it. Calling it again gives the same status.
   *
   * @param options `signal` and `timeout` cancel the wait (the child goes on).
   * @returns How it ended.
   * @throws {ErrnoError} If waitpid fails.
   */
  wait(options?: WaitOptions): Promise<ChildStatus>;
  /**
   * Waits until the child ends, blocking the calling thread, and reaps it.
   *
   * @returns How it ended.
   * @throws {ErrnoError} If waitpid fails.
   */
  waitSync(): ChildStatus;
  /**
   * Sends a signal to the child (`kill(pid, signal)`). Safe against pid
   * reuse: until it is reaped, the pid is the child's.
   *
   * @param signal A name or number; default `"SIGTERM"`.
   * @throws {TypeError} If the signal is neither a name nor a number.
   * @throws {RangeError} If there is no such signal.
   * @throws {ErrnoError} ESRCH once the child has been waited for.
   */
  kill(signal?: SignalName | number): void;
}

class Child implements ChildProcess {
  readonly pid: number;
  readonly #command: string;
  #pidfd: number;
  #status: ChildStatus | undefined;
  readonly #statusBuffer = new Int32Array(1);

  constructor(pid: number, pidfd: number, command: string) {
    this.pid = pid;
    this.#pidfd = pidfd;
    this.#command = command;
  }

  get status(): ChildStatus | undefined {
    return this.#status;
  }

  /** waitpid; returns true once reaped (status set). */
  #reap(options: number): boolean {
    if (this.#status) return true;
    const { waitpid } = libc();
    for (;;) {
      const r = waitpid(this.pid, new Uint8Array(this.#statusBuffer.buffer), options);
      if (r === this.pid) {
        this.#status = decodeStatus(this.#statusBuffer[0]!);
        this.#release();
        return true;
      }
      if (r === 0) return false;
      const errno = lastErrno();
      if (errno === EINTR) continue;
      throw errnoError(errno, "waitpid", {
        action: `wait for ${this.#command} (pid ${this.pid})`,
        details: { pid: this.pid },
        reasons: { ECHILD: "it is not a child of this process, or was reaped by other code" },
      });
    }
  }

  #release(): void {
    const fd = this.#pidfd;
    if (fd < 0) return;
    this.#pidfd = -1;
    forget(fd, new ErrnoError(ESRCH, { syscall: "waitpid", action: "wait", reason: "reaped" }));
    libc().close(fd);
  }

  async wait(options?: WaitOptions): Promise<ChildStatus> {
    const signal = options === undefined ? undefined : waitSignal(checkOptions(options));
    for (let delay = 1;; delay = Math.min(delay * 2, POLL_MAX_MS)) {
      if (this.#reap(WNOHANG)) return this.#status!;
      if (signal?.aborted) throw signal.reason;
      if (this.#pidfd >= 0) {
        try {
          await waitFor(this.#pidfd, "read", signal);
        } catch (error) {
          if (this.#status) return this.#status; // Reaped by another wait meanwhile.
          throw error;
        }
      } else {
        await sleep(delay, signal);
      }
    }
  }

  waitSync(): ChildStatus {
    this.#reap(0);
    return this.#status!;
  }

  kill(signal: SignalName | number = "SIGTERM"): void {
    const n = signalNumber(signal);
    if (this.#status) {
      throw new ErrnoError(ESRCH, {
        syscall: "kill",
        action: `send ${signalName(n)} to ${this.#command} (pid ${this.pid})`,
        reason: "it has ended and been waited for",
      });
    }
    if (libc().kill(this.pid, n) === -1) {
      throw errnoError(lastErrno(), "kill", {
        action: `send ${signalName(n)} to ${this.#command} (pid ${this.pid})`,
        details: { pid: this.pid, signal: n },
      });
    }
  }

  /** Ends the child (SIGTERM) if it still runs, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#status) return;
    if (!this.#reap(WNOHANG)) {
      libc().kill(this.pid, 15);
      await this.wait();
    }
  }
}

function decodeStatus(status: number): ChildStatus {
  const termsig = status & 0x7f;
  if (termsig === 0) {
    const code = (status >> 8) & 0xff;
    return { success: code === 0, code, signal: null, signalName: null };
  }
  return { success: false, code: null, signal: termsig, signalName: signalName(termsig) };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
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
 *   option's when it sets PATH. A relative command or `cwd` is relative to
 *   our working directory.
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
      cString(resolved.path, "Command"),
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
    const child = pid[0]!;
    const pidfd = Number(lib.syscall(SYS_pidfd_open, BigInt(child), 0n, 0n));
    return new Child(child, pidfd < 0 ? -1 : pidfd, file);
  } finally {
    lib.posix_spawn_file_actions_destroy(actions);
    lib.posix_spawnattr_destroy(attr);
    for (const fd of plan.temporaries) lib.close(fd);
  }
}

function checkStrings(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${capitalize(what)} must be an array of strings: got ${typeof value}`);
  }
  return value.map((item, i) => checkString(item, `${what}[${i}]`));
}

function checkEnv(env: unknown): Record<string, string> {
  if (env === null || typeof env !== "object" || Array.isArray(env)) {
    throw new TypeError(
      `Options.env must be an object of strings: got ${env === null ? "null" : typeof env}`,
    );
  }
  for (const [name, value] of Object.entries(env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      throw new TypeError(
        `Options.env names must be non-empty, without "=" or NUL: got ${JSON.stringify(name)}`,
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
  const encoded = strings.map((s) => cString(s, capitalize(what)));
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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- spawnModule -------------------------------------------------------------

/** A permission of a Deno child: all of it (true) or a list (paths, hosts, names). */
export type PermissionGrant = boolean | readonly string[];

/** The permissions a Deno child runs with, stated explicitly: nothing is inherited. */
export interface ModulePermissions {
  /** `--allow-all`. */
  readonly all?: boolean;
  /** `--allow-read`. */
  readonly read?: PermissionGrant;
  /** `--allow-write`. */
  readonly write?: PermissionGrant;
  /** `--allow-net`. */
  readonly net?: PermissionGrant;
  /** `--allow-env`. */
  readonly env?: PermissionGrant;
  /** `--allow-run`. */
  readonly run?: PermissionGrant;
  /** `--allow-ffi` (needed to use unixipc: it grants full access to the process). */
  readonly ffi?: PermissionGrant;
  /** `--allow-sys`. */
  readonly sys?: PermissionGrant;
  /** `--allow-import`. */
  readonly import?: PermissionGrant;
}

/** Options of {@linkcode spawnModule}: those of {@linkcode spawn}, and what the Deno child needs. */
export interface SpawnModuleOptions extends SpawnOptions {
  /** The child's permissions (required: `{}` for none). */
  readonly permissions: ModulePermissions;
  /** The child's role: its first argument (`Deno.args[0]`), before `args`. */
  readonly role?: string;
  /** More flags for `deno run` (`--config`, `--unstable-...`), before the module. */
  readonly denoArgs?: readonly string[];
}

const permissionNames = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const;

/**
 * Runs a Deno module as a child process (`deno run` with the same deno),
 * with the fds, permissions, role and arguments given: the idiom that
 * replaces `fork()`. A module can run itself (`import.meta.url`) and branch
 * on its role:
 *
 * ```ts ignore
 * if (Deno.args[0] === "child") {
 *   using input = new FdHandle(3); // The pipe's read end, as the parent mapped it.
 *   // ...
 * } else {
 *   using p = pipe();
 *   await using child = spawnModule(import.meta.url, {
 *     role: "child",
 *     fds: { 3: p.read },
 *     permissions: { ffi: true },
 *   });
 *   p.read.close();
 *   // ...
 * }
 * ```
 *
 * The child runs with `--no-prompt`: a permission it lacks is an error, not
 * a question on a terminal it may not have.
 *
 * @param module The module: a URL (`import.meta.url`) or a path.
 * @param options Those of {@linkcode spawn}, and `permissions` (required), `role`, `denoArgs`.
 * @returns The child; `wait()` for it.
 * @throws {TypeError} If an argument has the wrong type, or `permissions` is missing.
 * @throws {RangeError} If a permission list holds a comma (Deno could not parse it).
 * @throws {ErrnoError} As {@linkcode spawn} does.
 *
 * @example
 * ```ts
 * import { spawnModule } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * try {
 *   Deno.writeTextFileSync(`${dir}/child.ts`, "Deno.exit(Deno.args[0] === 'child' ? 3 : 1);");
 *   await using child = spawnModule(`${dir}/child.ts`, { role: "child", permissions: {} });
 *   assert.equal((await child.wait()).code, 3);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function spawnModule(module: string | URL, options: SpawnModuleOptions): ChildProcess {
  const specifier = module instanceof URL ? module.href : checkString(module, "module");
  checkOptions(options);
  const permissions = options.permissions;
  if (permissions === undefined || permissions === null || typeof permissions !== "object") {
    throw new TypeError(
      "Options.permissions must state the child's permissions (an object; {} for none)",
    );
  }
  const flags: string[] = [];
  if (permissions.all !== undefined && checkBoolean(permissions.all, "options.permissions.all")) {
    flags.push("--allow-all");
  }
  for (const name of permissionNames) {
    const grant = permissions[name];
    if (grant === undefined || grant === false) continue;
    if (grant === true) {
      flags.push(`--allow-${name}`);
      continue;
    }
    const list = checkStrings(grant, `options.permissions.${name}`);
    for (const item of list) {
      if (item.includes(",")) {
        throw new RangeError(
          `Options.permissions.${name} entries must not contain a comma: got ${
            JSON.stringify(item)
          }`,
        );
      }
    }
    if (list.length > 0) flags.push(`--allow-${name}=${list.join(",")}`);
  }
  const denoArgs = checkStrings(options.denoArgs ?? [], "options.denoArgs");
  const role = options.role === undefined ? [] : [checkString(options.role, "options.role")];
  const args = checkStrings(options.args ?? [], "options.args");
  return spawn(Deno.execPath(), {
    ...options,
    args: ["run", "--no-prompt", ...flags, ...denoArgs, specifier, ...role, ...args],
  });
}
