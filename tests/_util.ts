/**
 * Shared test helpers: a `test()` that fails when a test leaves an open fd,
 * a child process or a System V object behind, and peers (external
 * programs) that a test needs.
 *
 * @module
 */

import { libc } from "../ipc/_libc.ts";
import { pollerStatus } from "../ipc/_poller.ts";
import { deno as denoPath, evalCommand, runtime } from "./_runtime.ts";

// libc stays open for the life of the process once a call opens it: open it
// now, before any test, so that Deno's resource sanitizer does not blame the
// first test that happens to call libc for "a dynamic library was loaded".
if (Deno.permissions.querySync({ name: "ffi" }).state === "granted") libc();

// Deno opens a socket pair the first time a program listens for any signal
// and keeps it: open it now, so that it is not taken for a test's leak.
{
  const nothing = () => {};
  Deno.addSignalListener("SIGUSR2", nothing);
  Deno.removeSignalListener("SIGUSR2", nothing);
}

/** A System V object, as `/proc/sysvipc` lists it. */
export interface SysvObject {
  kind: "msg" | "sem" | "shm";
  key: number;
  id: number;
}

/** The System V objects that exist now, on the whole host. */
export function sysvObjects(): SysvObject[] {
  const out: SysvObject[] = [];
  for (const kind of ["msg", "sem", "shm"] as const) {
    const lines = Deno.readTextFileSync(`/proc/sysvipc/${kind}`).trim().split("\n").slice(1);
    for (const line of lines) {
      const [key, id] = line.trim().split(/\s+/);
      if (key !== undefined && id !== undefined) {
        out.push({ kind, key: Number(key), id: Number(id) });
      }
    }
  }
  return out;
}

/** This process's open fds, with what each points at. */
export function openFds(): Map<number, string> {
  const fds = new Map<number, string>();
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    const fd = Number(entry.name);
    try {
      fds.set(fd, Deno.readLinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // The fd of the directory listing itself, closed by now.
    }
  }
  return fds;
}

/** Pids of this process's children (running or zombie). */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const task of Deno.readDirSync("/proc/self/task")) {
    const text = Deno.readTextFileSync(`/proc/self/task/${task.name}/children`).trim();
    if (text) pids.push(...text.split(/\s+/).map(Number));
  }
  return pids.sort((a, b) => a - b);
}

/** What a test may leave behind, seen before and after it. */
interface Snapshot {
  fds: Map<number, string>;
  children: number[];
  sysv: SysvObject[];
}

function snapshot(): Snapshot {
  return { fds: openFds(), children: childPids(), sysv: sysvObjects() };
}

/**
 * fds that Deno itself opens on first use of a feature and keeps (each
 * Worker's epoll and eventfd, the signal machinery, a child's pidfd while
 * Deno.Command reaps it, the sqlite files of its cache when a test imports
 * a module for the first time), and those unixipc keeps for the life of the
 * process (the poller's epoll and eventfd, the one inotify instance of
 * `ipc/_inotify.ts`): not leaks of the test's. The socket pair of the first
 * signal listener is opened above, before any test. Under Node (the npm
 * build, `deno task test:node`), Node opens its own (libuv's epoll, eventfd
 * and signal pipe, the test runner's stdio) at startup, before any test,
 * and koffi's calls have opened none: nothing more has needed allowing.
 */
function isRuntimeFd(target: string): boolean {
  return target === "anon_inode:[eventpoll]" || target === "anon_inode:[eventfd]" ||
    target === "anon_inode:inotify" ||
    target === "anon_inode:[signalfd]" || target === "anon_inode:[pidfd]" ||
    target.startsWith("anon_inode:[timerfd]") ||
    /\/[a-z0-9_]+_cache_v\d+(-wal|-shm|-journal)?$/.test(target);
}

/** Describes what a test left behind, or returns "" when it left nothing. */
function leaks(before: Snapshot, after: Snapshot): string {
  const problems: string[] = [];
  for (const [fd, target] of after.fds) {
    if (before.fds.get(fd) !== target && !isRuntimeFd(target)) {
      problems.push(`fd ${fd} -> ${target}`);
    }
  }
  for (const pid of after.children) {
    if (!before.children.includes(pid)) problems.push(`child process ${pid}`);
  }
  const had = new Set(before.sysv.map((o) => `${o.kind}:${o.id}`));
  for (const o of after.sysv) {
    if (!had.has(`${o.kind}:${o.id}`)) {
      problems.push(
        `System V ${o.kind} id ${o.id} key 0x${(o.key >>> 0).toString(16).padStart(8, "0")}`,
      );
    }
  }
  return problems.join(", ");
}

/** A program a test talks to. */
export interface Peer {
  /** The command to look for on PATH. */
  command: string;
  /** What to install when it is missing (a Debian package). */
  install: string;
  /** Another check than `command -v` (a Python module, say): a shell command that succeeds when the peer is there. */
  probe?: string;
}

const peerCache = new Map<string, boolean>();

/** Whether a peer is installed. */
export function hasPeer(peer: Peer): boolean {
  const check = peer.probe ?? `command -v ${peer.command}`;
  let present = peerCache.get(check);
  if (present === undefined) {
    present = new Deno.Command("sh", { args: ["-c", check], stdout: "null", stderr: "null" })
      .outputSync().success;
    peerCache.set(check, present);
  }
  return present;
}

let sysvIpcPython: string | undefined;

/** The first of `python3` on PATH and `/usr/bin/python3` that has sysv_ipc (else `python3`). */
function pythonWithSysvIpc(): string {
  sysvIpcPython ??= ["python3", "/usr/bin/python3"].find((python) =>
    new Deno.Command("sh", {
      args: ["-c", `${python} -c 'import sysv_ipc'`],
      stdout: "null",
      stderr: "null",
    }).outputSync().success
  ) ?? "python3";
  return sysvIpcPython;
}

/** The peers the tests use. */
export const peers = {
  gcc: { command: "gcc", install: "gcc" },
  aarch64Gcc: { command: "aarch64-linux-gnu-gcc", install: "gcc-aarch64-linux-gnu" },
  python3: { command: "python3", install: "python3" },
  /** A python3 that can `import sysv_ipc`: Debian's python3-sysv-ipc serves /usr/bin/python3, which a pyenv or venv python3 on PATH hides. */
  pythonSysvIpc: {
    get command(): string {
      return pythonWithSysvIpc();
    },
    install: "python3-sysv-ipc",
    get probe(): string {
      return `${pythonWithSysvIpc()} -c 'import sysv_ipc'`;
    },
  },
  perl: { command: "perl", install: "perl" },
  socat: { command: "socat", install: "socat" },
  nc: { command: "nc", install: "netcat-openbsd" },
  ip: { command: "ip", install: "iproute2" },
  ipcs: { command: "ipcs", install: "util-linux" },
  setpriv: { command: "setpriv", install: "util-linux" },
  node: { command: "node", install: "nodejs" },
} as const satisfies Record<string, Peer>;

/** True when running in CI, where every peer must be present and no test may be skipped. */
export const inCi: boolean = Deno.env.get("CI") === "true";

/** Options of {@linkcode test}. */
export interface TestOptions {
  /** Programs the test needs; without them it is skipped (outside CI), and its name says why. */
  peers?: readonly Peer[];
  /** Skip the check for leaks (for a test that checks leaking itself). */
  leakCheck?: boolean;
  /**
   * Why the test means nothing under Node (what it checks runs in Deno
   * children only, or is Deno's own): under Node it is skipped, and its name
   * says why. A Deno child that is only a peer of the library under test is
   * no reason: such tests run under Node too.
   */
  denoOnly?: string;
  /** Passed to Deno.test. */
  sanitizeOps?: boolean;
  /** Passed to Deno.test. */
  sanitizeResources?: boolean;
}

/**
 * Registers a Deno test that also fails when it leaves an fd, a child
 * process or a System V object behind. A test whose peers are missing is
 * skipped with the reason in its name, except in CI (`CI=true`), where it
 * runs and fails. Under Node, a `denoOnly` test is skipped, its name saying
 * why.
 */
export function test(
  name: string,
  fn: () => void | Promise<void>,
  options: TestOptions = {},
): void {
  if (runtime === "node" && options.denoOnly !== undefined) {
    Deno.test({ name: `${name} [skipped under Node: ${options.denoOnly}]`, ignore: true, fn });
    return;
  }
  const missing = (options.peers ?? []).filter((p) => !hasPeer(p));
  const skip = missing.length > 0 && !inCi;
  const fullName = skip
    ? `${name} [skipped: ${
      missing.map((p) => `${p.command} missing, install ${p.install}`).join("; ")
    }]`
    : name;
  Deno.test({
    name: fullName,
    ignore: skip,
    sanitizeOps: options.sanitizeOps ?? true,
    sanitizeResources: options.sanitizeResources ?? true,
    async fn() {
      if (missing.length > 0) {
        throw new Error(
          `Missing peers in CI: ${missing.map((p) => `${p.command} (${p.install})`).join(", ")}`,
        );
      }
      const before = options.leakCheck === false ? undefined : snapshot();
      await fn();
      await pollerWound();
      if (before) {
        const left = leaks(before, await settled(before));
        if (left) throw new Error(`The test left behind: ${left}`);
      }
    },
  });
}

/**
 * When nothing waits any more but the poller's last epoll_wait is still
 * returning (woken by its eventfd after a close or an abort), lets it return
 * (up to a second), so that Deno's op sanitizer judges the test, not that
 * hop. A wait the test really left pending keeps waiters > 0 and is still
 * reported.
 */
async function pollerWound(): Promise<void> {
  for (let i = 0; i < 100 && pollerStatus().waiters === 0 && pollerStatus().waiting; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets children that are exiting be reaped (up to a second) before judging. */
async function settled(before: Snapshot): Promise<Snapshot> {
  let after = snapshot();
  for (let i = 0; i < 50 && leaks(before, after); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    after = snapshot();
  }
  return after;
}

/** A fresh temporary directory, removed by the returned disposer. */
export function tempDir(): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "unixipc-test-" });
  return {
    path,
    [Symbol.dispose]() {
      Deno.removeSync(path, { recursive: true });
    },
  };
}

/**
 * Compiles a C program for a test, once per source, in a cache under the
 * system's temporary directory.
 *
 * @returns The path of the executable.
 */
export async function compileC(
  name: string,
  source: string,
  flags: string[] = [],
): Promise<string> {
  const hash = Array.from(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(source + flags.join(" "))),
    ),
  ).slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/unixipc-c-cache`;
  await Deno.mkdir(dir, { recursive: true });
  const exe = `${dir}/${name}-${hash}`;
  try {
    await Deno.stat(exe);
    return exe;
  } catch {
    // Not built yet.
  }
  const src = `${exe}.c`;
  await Deno.writeTextFile(src, source);
  const { success, stderr } = await new Deno.Command("gcc", {
    args: ["-O2", "-Wall", "-o", `${exe}.tmp`, src, ...flags],
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`Cannot compile ${name}: ${new TextDecoder().decode(stderr)}`);
  await Deno.rename(`${exe}.tmp`, exe);
  return exe;
}

/**
 * Runs a command to completion and returns its exit code and output as text.
 * A command still running after `timeout` ms (default 60 s) is killed (by
 * its pid, with SIGKILL) and the call throws, so a hang fails the test
 * instead of the suite.
 */
export async function run(
  command: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
    cwd: options.cwd,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeout ?? 60_000);
  try {
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    const { code, stdout, stderr } = await child.output();
    const result = {
      code,
      stdout: new TextDecoder().decode(stdout),
      stderr: new TextDecoder().decode(stderr),
    };
    if (timedOut) {
      throw new Error(
        `${command} ${args.join(" ")} did not finish in ${
          options.timeout ?? 60_000
        } ms: ${result.stderr}`,
      );
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a plain JavaScript module's text in a child of the runtime running the
 * tests (`deno eval`, or `node --eval` in the Node pass), as {@linkcode run}.
 */
export function runScript(
  script: string,
  options: { env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { command, args } = evalCommand(script);
  return run(command, args, options);
}

/**
 * The deno for Deno children of the tests: the one running them, or under
 * Node the one running `deno task test:node` (see tests/_runtime.node.ts).
 */
export const deno: string = denoPath;

/** A random System V key that no one else is likely to use, in [0x10000000, 0x7fffffff]. */
export function randomKey(): number {
  return 0x10000000 + Math.floor(Math.random() * 0x6fffffff);
}

/** An error class, for {@linkcode throwsWith}. */
// deno-lint-ignore no-explicit-any
export type ErrorClass = new (...args: any[]) => Error;

/**
 * Asserts that `fn` throws an error of exactly the class `kind` (a RangeError
 * is not accepted where a TypeError is expected), whose message contains
 * every part (a string, or a RegExp it must match).
 *
 * @returns The error, for further checks.
 */
export function throwsWith(
  fn: () => unknown,
  kind: ErrorClass,
  ...parts: (string | RegExp)[]
): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  return checkError(thrown, kind, parts);
}

/** Like {@linkcode throwsWith}, for a promise that must reject. */
export async function rejectsWith(
  fn: () => Promise<unknown>,
  kind: ErrorClass,
  ...parts: (string | RegExp)[]
): Promise<Error> {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  return checkError(thrown, kind, parts);
}

function checkError(thrown: unknown, kind: ErrorClass, parts: (string | RegExp)[]): Error {
  if (thrown === undefined) throw new Error(`Expected a ${kind.name}, but nothing was thrown`);
  if (!(thrown instanceof Error) || thrown.constructor !== kind) {
    throw new Error(
      `Expected a ${kind.name}, got ${
        thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}` : String(thrown)
      }`,
      { cause: thrown },
    );
  }
  for (const part of parts) {
    const ok = typeof part === "string" ? thrown.message.includes(part) : part.test(thrown.message);
    if (!ok) {
      throw new Error(
        `Expected the ${kind.name}'s message to contain ${
          typeof part === "string" ? JSON.stringify(part) : String(part)
        }: ${JSON.stringify(thrown.message)}`,
      );
    }
  }
  return thrown;
}
