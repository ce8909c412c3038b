/**
 * The `Deno` namespace for the test suite under Node: the subset that the
 * tests, their helpers and fixtures use, over Node's APIs. The npm build
 * compiles it to `npm/tests/_node/deno_shim.js`; `deno task test:node`
 * (scripts/test_node.ts) loads it into every Node process of the run with
 * `--import` (through `NODE_OPTIONS`, so that the Node children the tests
 * start, a ProcessPool's workers say, have it too).
 *
 * Never a part of the library: the npm package itself must not need it.
 *
 * What it does beyond the namespace:
 *
 * - `Deno.test` registers with `node:test`; `ignore` becomes `skip`, and the
 *   `sanitize*` options are ignored (`test()` of tests/_util.ts checks fds,
 *   children and System V objects itself). After the last test of a file,
 *   a process still alive 10 s later (something of a test keeps Node's event
 *   loop running: Deno's op sanitizer would have failed that test) prints
 *   what keeps it and exits 1, which fails the file.
 * - `navigator` (`hardwareConcurrency`, `userAgent`), a web global of Deno
 *   that Node has only from version 21 on, which tests read (the library
 *   asks `node:os` under Node, through ipc/_process.node.ts).
 * - A module resolve hook: a `.ts` file that does not exist, beside a `.js`
 *   file that does (a module of the build named the way the source names
 *   it, as in `new URL("../_fixtures/pool_worker.ts", import.meta.url)`),
 *   resolves to the `.js` file.
 *
 * Not supported (they throw "... is not supported by the Node test shim"):
 * any property of `Deno` not defined here, `Deno.listen`, `Deno.connect`,
 * `Deno.listenDatagram` (only Deno children of the tests use them), test
 * steps, and the options of `Deno.Command` other than `args`, `cwd`, `env`,
 * `clearEnv`, `stdin`, `stdout`, `stderr`, `uid` and `gid`.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any

import { Buffer } from "node:buffer";
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import { createRequire, register } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

function unsupported(what: string): never {
  throw new Error(`${what} is not supported by the Node test shim`);
}

// ---- errors ---------------------------------------------------------------------

/** Deno's error classes that the shim throws: an fs or spawn error's errno code picks one. */
class DenoError extends Error {
  code?: string;
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
const errors: Record<string, typeof DenoError> = {};
for (
  const name of [
    "NotFound",
    "PermissionDenied",
    "NotCapable",
    "AlreadyExists",
    "BrokenPipe",
    "Interrupted",
    "InvalidData",
    "TimedOut",
    "WouldBlock",
    "NotADirectory",
    "IsADirectory",
    "ConnectionRefused",
    "ConnectionReset",
    "AddrInUse",
    "AddrNotAvailable",
    "NotConnected",
    "Busy",
    "BadResource",
  ]
) {
  errors[name] = { [name]: class extends DenoError {} }[name]!;
}
const errorOfCode: Record<string, string> = {
  ENOENT: "NotFound",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EEXIST: "AlreadyExists",
  EPIPE: "BrokenPipe",
  EINTR: "Interrupted",
  ETIMEDOUT: "TimedOut",
  EAGAIN: "WouldBlock",
  ENOTDIR: "NotADirectory",
  EISDIR: "IsADirectory",
  ECONNREFUSED: "ConnectionRefused",
  ECONNRESET: "ConnectionReset",
  EADDRINUSE: "AddrInUse",
  EADDRNOTAVAIL: "AddrNotAvailable",
  ENOTCONN: "NotConnected",
  EBUSY: "Busy",
  EBADF: "BadResource",
};

/** Node's error as Deno's class for its code (the message and code kept), or as it is. */
function denoError(error: any): unknown {
  const name = typeof error?.code === "string" ? errorOfCode[error.code] : undefined;
  if (!name) return error;
  const mapped = new errors[name]!(error.message, { cause: error });
  mapped.code = error.code;
  return mapped;
}

/** Runs an fs call, throwing Deno's error class for a failure. */
function fsCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw denoError(error);
  }
}

async function fsCallAsync<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw denoError(error);
  }
}

// ---- files ----------------------------------------------------------------------

type PathLike = string | URL;

function pathOf(p: PathLike): string {
  return p instanceof URL ? fileURLToPath(p) : p;
}

function fileInfo(s: fs.Stats): Record<string, unknown> {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    isFifo: s.isFIFO(),
    isSocket: s.isSocket(),
    isCharDevice: s.isCharacterDevice(),
    isBlockDevice: s.isBlockDevice(),
    size: s.size,
    mtime: s.mtime,
    atime: s.atime,
    ctime: s.ctime,
    birthtime: s.birthtime,
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    blksize: s.blksize,
    blocks: s.blocks,
  };
}

interface WriteOptions {
  append?: boolean;
  create?: boolean;
  createNew?: boolean;
  mode?: number;
}

function writeFlag(options: WriteOptions): string {
  if (options.createNew) return options.append ? "ax" : "wx";
  if (options.create === false) return options.append ? "a" : "r+"; // r+: no create, no append
  return options.append ? "a" : "w";
}

function writeTextFileSync(p: PathLike, data: string, options: WriteOptions = {}): void {
  fsCall(() => {
    if (options.create === false) fs.accessSync(pathOf(p)); // Deno: NotFound, no file made
    fs.writeFileSync(pathOf(p), data, { flag: writeFlag(options), mode: options.mode });
    // Deno applies the mode to an existing file too.
    if (options.mode !== undefined) fs.chmodSync(pathOf(p), options.mode);
    if (options.create === false && !options.append) {
      fs.truncateSync(pathOf(p), Buffer.byteLength(data));
    }
  });
}

function removeSync(p: PathLike, options: { recursive?: boolean } = {}): void {
  fsCall(() => {
    if (options.recursive) fs.rmSync(pathOf(p), { recursive: true });
    else if (fs.lstatSync(pathOf(p)).isDirectory()) fs.rmdirSync(pathOf(p));
    else fs.unlinkSync(pathOf(p));
  });
}

interface TempOptions {
  dir?: string;
  prefix?: string;
  suffix?: string;
}

/** Makes a new temporary file or directory the way Deno names them: prefix, random part, suffix. */
function makeTemp(options: TempOptions, make: (p: string) => void): string {
  const dir = options.dir ?? os.tmpdir();
  for (;;) {
    const random = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0");
    const p = path.join(dir, `${options.prefix ?? ""}${random}${options.suffix ?? ""}`);
    try {
      make(p);
      return p;
    } catch (error) {
      if ((error as any)?.code !== "EEXIST") throw denoError(error);
    }
  }
}

function readDirSync(p: PathLike): Iterable<Record<string, unknown>> {
  return fsCall(() => fs.readdirSync(pathOf(p), { withFileTypes: true })).map((d) => ({
    name: d.name,
    isFile: d.isFile(),
    isDirectory: d.isDirectory(),
    isSymlink: d.isSymbolicLink(),
  }));
}

// ---- processes --------------------------------------------------------------------

type Stdio = "piped" | "inherit" | "null";

interface CommandOptions {
  args?: string[];
  cwd?: PathLike;
  env?: Record<string, string>;
  clearEnv?: boolean;
  stdin?: Stdio;
  stdout?: Stdio;
  stderr?: Stdio;
  uid?: number;
  gid?: number;
  [other: string]: unknown;
}

const knownCommandOptions = new Set([
  "args",
  "cwd",
  "env",
  "clearEnv",
  "stdin",
  "stdout",
  "stderr",
  "uid",
  "gid",
]);

interface CommandStatus {
  success: boolean;
  code: number;
  signal: string | null;
}

function nodeStdio(kind: Stdio): "pipe" | "inherit" | "ignore" {
  if (kind === "piped") return "pipe";
  if (kind === "inherit") return "inherit";
  if (kind === "null") return "ignore";
  return unsupported(`stdio ${JSON.stringify(kind)}`);
}

/** Deno's status of an exit: a signal's death is code 128 + its number. */
function statusOf(code: number | null, signal: string | null): CommandStatus {
  if (signal !== null) {
    const number = (os.constants.signals as Record<string, number>)[signal] ?? 0;
    return { success: false, code: 128 + number, signal };
  }
  return { success: code === 0, code: code ?? 1, signal: null };
}

/** Why a command could not start, as Deno says it: NotFound or PermissionDenied. */
function spawnError(command: string, cwd: string | undefined): Error {
  const where = command.includes("/")
    ? [path.resolve(cwd ?? process.cwd(), command)]
    : (process.env.PATH ?? "").split(":").filter(Boolean).map((dir) => path.join(dir, command));
  const found = where.find((p) => fs.existsSync(p));
  if (cwd !== undefined && !fs.existsSync(cwd)) {
    return new errors.NotFound!(`Failed to spawn '${command}': No such cwd '${cwd}'`);
  }
  if (found === undefined) {
    return new errors.NotFound!(`Failed to spawn '${command}': No such file or directory`);
  }
  return new errors.PermissionDenied!(`Failed to spawn '${command}': Permission denied`);
}

/** A Node readable stream as a web stream of plain Uint8Arrays. */
function readableOf(stream: any): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) stream.pause();
      });
      stream.on("end", () => {
        try {
          controller.close();
        } catch {
          // Cancelled meanwhile.
        }
      });
      stream.on("error", (error: unknown) => {
        try {
          controller.error(denoError(error));
        } catch {
          // Cancelled meanwhile.
        }
      });
    },
    pull() {
      stream.resume();
    },
    cancel() {
      stream.destroy();
    },
  }, { highWaterMark: 1 });
}

/** A Node writable stream as a web stream: a write resolves once Node has written it. */
function writableOf(stream: any): WritableStream<Uint8Array> {
  stream.on("error", () => {}); // each write's callback gets the error
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise<void>((resolve, reject) =>
        stream.write(chunk, (error: unknown) => error ? reject(denoError(error)) : resolve())
      );
    },
    close() {
      return new Promise<void>((resolve) => stream.end(() => resolve()));
    },
    abort() {
      stream.destroy();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream as any as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    length += chunk.length;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

/** Deno's output: stdout and stderr throw when they were not piped. */
function commandOutput(
  status: CommandStatus,
  stdout: Uint8Array | null,
  stderr: Uint8Array | null,
): Record<string, unknown> {
  return {
    ...status,
    get stdout(): Uint8Array {
      if (!stdout) throw new TypeError("stdout is not piped");
      return stdout;
    },
    get stderr(): Uint8Array {
      if (!stderr) throw new TypeError("stderr is not piped");
      return stderr;
    },
  };
}

class ChildProcess {
  readonly #child: childProcess.ChildProcess;
  readonly #stdin: WritableStream<Uint8Array> | null;
  readonly #stdout: ReadableStream<Uint8Array> | null;
  readonly #stderr: ReadableStream<Uint8Array> | null;
  #exited = false;
  readonly status: Promise<CommandStatus>;

  constructor(child: childProcess.ChildProcess) {
    this.#child = child;
    this.#stdin = child.stdin ? writableOf(child.stdin) : null;
    this.#stdout = child.stdout ? readableOf(child.stdout) : null;
    this.#stderr = child.stderr ? readableOf(child.stderr) : null;
    this.status = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exited = true;
        resolve(statusOf(code, signal));
      });
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get stdin(): WritableStream<Uint8Array> {
    if (!this.#stdin) throw new TypeError("stdin is not piped");
    return this.#stdin;
  }

  get stdout(): ReadableStream<Uint8Array> {
    if (!this.#stdout) throw new TypeError("stdout is not piped");
    return this.#stdout;
  }

  get stderr(): ReadableStream<Uint8Array> {
    if (!this.#stderr) throw new TypeError("stderr is not piped");
    return this.#stderr;
  }

  async output(): Promise<Record<string, unknown>> {
    if (this.#stdin && !this.#stdin.locked) await this.#stdin.close().catch(() => {});
    const [status, stdout, stderr] = await Promise.all([
      this.status,
      this.#stdout ? readAll(this.#stdout) : null,
      this.#stderr ? readAll(this.#stderr) : null,
    ]);
    return commandOutput(status, stdout, stderr);
  }

  kill(signal = "SIGTERM"): void {
    if (this.#exited) throw new TypeError("Child process has already terminated");
    this.#child.kill(signal as NodeJS.Signals);
  }

  ref(): void {
    this.#child.ref();
    for (const s of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      (s as any)?.ref?.();
    }
  }

  unref(): void {
    this.#child.unref();
    for (const s of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      (s as any)?.unref?.();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) this.#child.kill("SIGTERM");
    await this.status;
  }
}

class Command {
  readonly #command: string;
  readonly #options: CommandOptions;

  constructor(command: PathLike, options: CommandOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!knownCommandOptions.has(key)) unsupported(`Deno.Command's option ${key}`);
    }
    this.#command = pathOf(command);
    this.#options = options;
  }

  #nodeOptions(defaults: Stdio): Record<string, unknown> {
    const o = this.#options;
    return {
      cwd: o.cwd === undefined ? undefined : pathOf(o.cwd),
      env: o.clearEnv ? { ...o.env } : { ...process.env, ...o.env },
      stdio: [
        nodeStdio(o.stdin ?? defaults),
        nodeStdio(o.stdout ?? (defaults === "inherit" ? "inherit" : "piped")),
        nodeStdio(o.stderr ?? (defaults === "inherit" ? "inherit" : "piped")),
      ],
      uid: o.uid,
      gid: o.gid,
    };
  }

  #cwd(): string | undefined {
    return this.#options.cwd === undefined ? undefined : pathOf(this.#options.cwd);
  }

  outputSync(): Record<string, unknown> {
    const result = childProcess.spawnSync(this.#command, this.#options.args ?? [], {
      ...this.#nodeOptions("null"),
      maxBuffer: Infinity,
    } as childProcess.SpawnSyncOptions);
    if (result.error) {
      if ((result.error as any).code === "ENOENT" || (result.error as any).code === "EACCES") {
        throw spawnError(this.#command, this.#cwd());
      }
      throw result.error;
    }
    const bytes = (b: unknown) => (b ? new Uint8Array(b as Uint8Array) : null);
    return commandOutput(
      statusOf(result.status, result.signal),
      bytes(result.stdout),
      bytes(result.stderr),
    );
  }

  output(): Promise<Record<string, unknown>> {
    const child = this.#start("null");
    return child.output();
  }

  spawn(): ChildProcess {
    return this.#start("inherit");
  }

  #start(defaults: Stdio): ChildProcess {
    const child = childProcess.spawn(
      this.#command,
      this.#options.args ?? [],
      this.#nodeOptions(defaults) as childProcess.SpawnOptions,
    );
    if (child.pid === undefined) {
      child.on("error", () => {}); // the error event follows; we throw now, as Deno does
      throw spawnError(this.#command, this.#cwd());
    }
    return new ChildProcess(child);
  }
}

// ---- tests --------------------------------------------------------------------------

interface TestDefinition {
  name: string;
  fn: (t: unknown) => void | Promise<void>;
  ignore?: boolean;
  only?: boolean;
  [other: string]: unknown;
}

let exitCheckInstalled = false;

/**
 * After a file's last test: a process that is still alive 10 s later has
 * something of a test keeping the event loop running. Say what, and fail.
 */
function installExitCheck(nodeTest: any): void {
  if (exitCheckInstalled) return;
  exitCheckInstalled = true;
  nodeTest.after(() => {
    setTimeout(() => {
      console.error(
        `The tests of ${process.argv[1]} ended 10 s ago, but something keeps the process ` +
          `alive: ${process.getActiveResourcesInfo().join(", ")}`,
      );
      process.exit(1);
    }, 10_000).unref();
  });
}

function denoTest(a: any, b?: any, c?: any): void {
  let definition: TestDefinition;
  if (typeof a === "string") {
    definition = typeof b === "function" ? { name: a, fn: b } : { ...b, name: a, fn: c };
  } else if (typeof a === "function") {
    definition = typeof b === "function" ? { ...a, fn: b } : { name: a.name, fn: a };
  } else {
    definition = typeof b === "function" ? { ...a, fn: b } : a;
  }
  const nodeTest = require("node:test");
  installExitCheck(nodeTest);
  const context = {
    name: definition.name,
    step: () => unsupported("Deno.test's steps (t.step)"),
  };
  nodeTest.test(
    definition.name,
    definition.only
      ? { skip: definition.ignore === true, only: true }
      : { skip: definition.ignore === true },
    () => definition.fn(context),
  );
}

// ---- the namespace ------------------------------------------------------------------

const signalHandlers = new Map<string, Set<() => void>>();

const shim: Record<string, unknown> = {
  errors,
  test: denoTest,
  build: {
    os: "linux",
    arch: process.arch === "arm64" ? "aarch64" : process.arch === "x64" ? "x86_64" : process.arch,
  },
  get args(): string[] {
    return process.argv.slice(2);
  },
  pid: process.pid,
  get ppid(): number {
    return process.ppid;
  },
  execPath: (): string => process.execPath,
  exit: (code?: number): never => process.exit(code),
  cwd: (): string => process.cwd(),
  env: {
    get: (name: string): string | undefined => process.env[name],
    set: (name: string, value: string): void => {
      process.env[name] = value;
    },
    delete: (name: string): void => {
      delete process.env[name];
    },
    has: (name: string): boolean => name in process.env,
    toObject: (): Record<string, string> => ({ ...process.env }) as Record<string, string>,
  },
  permissions: {
    querySync: () => ({ state: "granted", partial: false, onchange: null }),
    query: () => Promise.resolve({ state: "granted", partial: false, onchange: null }),
    requestSync: () => unsupported("Deno.permissions.requestSync"),
    request: () => unsupported("Deno.permissions.request"),
    revokeSync: () => unsupported("Deno.permissions.revokeSync"),
    revoke: () => unsupported("Deno.permissions.revoke"),
  },
  addSignalListener(signal: string, handler: () => void): void {
    // Deno calls a handler once however often it is added; so must we.
    const handlers = signalHandlers.get(signal) ?? new Set();
    if (handlers.has(handler)) return;
    handlers.add(handler);
    signalHandlers.set(signal, handlers);
    process.on(signal, handler);
  },
  removeSignalListener(signal: string, handler: () => void): void {
    signalHandlers.get(signal)?.delete(handler);
    process.off(signal, handler);
  },
  kill(pid: number, signal = "SIGTERM"): void {
    fsCall(() => process.kill(pid, signal));
  },
  uid: (): number => process.getuid!(),
  gid: (): number => process.getgid!(),
  umask: (mask?: number): number => mask === undefined ? process.umask() : process.umask(mask),
  Command,
  ChildProcess,
  readTextFileSync: (p: PathLike): string => fsCall(() => fs.readFileSync(pathOf(p), "utf8")),
  readTextFile: (p: PathLike): Promise<string> =>
    fsCallAsync(() => fs.promises.readFile(pathOf(p), "utf8")),
  readFileSync: (p: PathLike): Uint8Array =>
    new Uint8Array(fsCall(() => fs.readFileSync(pathOf(p)))),
  readFile: async (p: PathLike): Promise<Uint8Array> =>
    new Uint8Array(await fsCallAsync(() => fs.promises.readFile(pathOf(p)))),
  writeTextFileSync,
  writeTextFile: (p: PathLike, data: string, options?: WriteOptions): Promise<void> =>
    Promise.resolve().then(() => writeTextFileSync(p, data, options)),
  readDirSync,
  readLinkSync: (p: PathLike): string => fsCall(() => fs.readlinkSync(pathOf(p))),
  statSync: (p: PathLike) => fileInfo(fsCall(() => fs.statSync(pathOf(p)))),
  lstatSync: (p: PathLike) => fileInfo(fsCall(() => fs.lstatSync(pathOf(p)))),
  stat: async (p: PathLike) => fileInfo(await fsCallAsync(() => fs.promises.stat(pathOf(p)))),
  lstat: async (p: PathLike) => fileInfo(await fsCallAsync(() => fs.promises.lstat(pathOf(p)))),
  realPathSync: (p: PathLike): string => fsCall(() => fs.realpathSync.native(pathOf(p))),
  mkdirSync: (p: PathLike, options: { recursive?: boolean; mode?: number } = {}): void => {
    fsCall(() => fs.mkdirSync(pathOf(p), options));
  },
  mkdir: async (p: PathLike, options: { recursive?: boolean; mode?: number } = {}) => {
    await fsCallAsync(() => fs.promises.mkdir(pathOf(p), options));
  },
  renameSync: (from: PathLike, to: PathLike): void =>
    fsCall(() => fs.renameSync(pathOf(from), pathOf(to))),
  rename: (from: PathLike, to: PathLike): Promise<void> =>
    fsCallAsync(() => fs.promises.rename(pathOf(from), pathOf(to))),
  removeSync,
  remove: (p: PathLike, options?: { recursive?: boolean }): Promise<void> =>
    Promise.resolve().then(() => removeSync(p, options)),
  makeTempDirSync: (options: TempOptions = {}): string =>
    makeTemp(options, (p) => fs.mkdirSync(p, { mode: 0o700 })),
  makeTempDir: (options: TempOptions = {}): Promise<string> =>
    Promise.resolve().then(() => makeTemp(options, (p) => fs.mkdirSync(p, { mode: 0o700 }))),
  makeTempFileSync: (options: TempOptions = {}): string =>
    makeTemp(options, (p) => fs.closeSync(fs.openSync(p, "wx", 0o600))),
  makeTempFile: (options: TempOptions = {}): Promise<string> =>
    Promise.resolve().then(() =>
      makeTemp(options, (p) => fs.closeSync(fs.openSync(p, "wx", 0o600)))
    ),
  listen: () => unsupported("Deno.listen"),
  connect: () => unsupported("Deno.connect"),
  listenDatagram: () => unsupported("Deno.listenDatagram"),
};

/** Names a missing member loudly instead of handing out undefined. */
const namespace = new Proxy(shim, {
  get(target, key) {
    if (typeof key === "symbol" || key in target) return Reflect.get(target, key);
    return unsupported(`Deno.${key}`);
  },
});

if (!("Deno" in globalThis)) {
  Object.defineProperty(globalThis, "Deno", {
    value: namespace,
    writable: false,
    enumerable: false,
    configurable: true,
  });
}

// Deno's (and Node 21's) navigator, which tests read; Node 20 has none.
if (!("navigator" in globalThis)) {
  Object.defineProperty(globalThis, "navigator", {
    value: {
      hardwareConcurrency: os.availableParallelism(),
      userAgent: `Node.js/${process.versions.node.split(".")[0]}`,
    },
    writable: false,
    enumerable: false,
    configurable: true,
  });
}

// ---- .ts names of the build's .js modules --------------------------------------------

const hooks = `
import { existsSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (specifier.endsWith(".ts")) {
    let url;
    try {
      url = specifier.startsWith("/") ? new URL("file://" + specifier) : new URL(specifier, context.parentURL);
    } catch {}
    if (url?.protocol === "file:" && !existsSync(url)) {
      const js = new URL(url.href.slice(0, -3) + ".js");
      if (existsSync(js)) return next(js.href, context);
    }
  }
  return next(specifier, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
