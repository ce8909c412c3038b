/**
 * The contract between `deno task examples` (scripts/examples.ts) and the
 * scenario files in `scripts/examples/<module>.ts`.
 *
 * A scenario file exports a default async function that takes a
 * {@linkcode Scenario} and runs that module's examples, each inside
 * `t.example(name, fn)`: passive side first (`t.start`, then `waitFor` its
 * ready line), active side next (`t.run`), then checks of both outputs with
 * `t.expect*`. Whatever `t.start` started is stopped when its example ends,
 * pass or fail; temporary files go under `t.tempDir()`. A scenario may throw:
 * that counts as one more failure.
 *
 * A scenario never names the runtime: `t.program(permissions, file, ...args)`
 * is the command line of an example, `deno run <permissions> <file> <args>`
 * under Deno, `node npm/<file as .js> <args>` under Node (the npm build of
 * `deno task build:npm`, whose compiled examples import the built package).
 *
 * ```ts
 * import type { Scenario } from "./_harness.ts";
 *
 * export default async function xsi(t: Scenario): Promise<void> {
 *   const ffi = ["--allow-ffi"];
 *   await t.example("msg queue: receiver then sender", async () => {
 *     const receiver = t.start(t.program(ffi, "examples/xsi/msg_rcver.ts", "--count", "1"));
 *     await receiver.waitFor(/waiting/);
 *     const sender = await t.run(t.program(ffi, "examples/xsi/msg_snder.ts"));
 *     t.expectExit(sender, 0);
 *     const done = await receiver.finished();
 *     t.expectIncludes(done.stdout, '"name":"Alan"');
 *   });
 * }
 * ```
 *
 * @module
 */

/** The runtime that runs the examples. */
export type Runtime = "deno" | "node";

/** A command line: the program and its arguments. */
export interface CommandLine {
  /** The program (a path, or a name looked up on PATH). */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Text to write to its stdin, which is then closed (default: no stdin). */
  readonly stdin?: string;
}

/** How a program ended, and what it printed. */
export interface Finished {
  /** Exit code (128 + signal number when killed by a signal). */
  readonly code: number;
  /** The signal that ended it, if any. */
  readonly signal: Deno.Signal | null;
  /** Everything it wrote to stdout. */
  readonly stdout: string;
  /** Everything it wrote to stderr. */
  readonly stderr: string;
}

/** A program started in the background (a passive side). */
export interface Started {
  /** Its pid. */
  readonly pid: number;
  /** What it has written to stdout so far. */
  readonly stdout: string;
  /** What it has written to stderr so far. */
  readonly stderr: string;
  /** Waits until its stdout (or stderr) matches, up to `timeoutMs` (default 10 s). */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Waits for it to exit on its own, up to `timeoutMs` (default 30 s), then kills it and fails. */
  finished(timeoutMs?: number): Promise<Finished>;
  /**
   * Sends a signal (default SIGTERM) and waits for it to exit, up to
   * `timeoutMs` (default 10 s), then kills it and fails.
   */
  stop(signal?: Deno.Signal, timeoutMs?: number): Promise<Finished>;
}

/** What a scenario function gets. */
export interface Scenario {
  /** The repository's root directory. */
  readonly root: string;
  /** The runtime that runs the examples (scenarios should not need it). */
  readonly runtime: Runtime;
  /**
   * Runs one example: prints `ok` or `FAIL` with its name and time, records a
   * failure, never throws. Stops whatever it started and removes its temp dirs.
   */
  example(name: string, fn: () => Promise<void> | void): Promise<void>;
  /**
   * The command line that runs an example, `file` relative to the root
   * (`examples/ipc/pipe.ts`): `deno run <permissions> <file> <args>` under
   * Deno, `node npm/examples/ipc/pipe.js <args>` under Node (which has no
   * permissions: they are dropped).
   */
  program(permissions: readonly string[], file: string, ...args: string[]): CommandLine;
  /** Runs a program to its end (up to `timeoutMs`, default 30 s). */
  run(line: CommandLine, timeoutMs?: number): Promise<Finished>;
  /** Starts a program in the background; stopped when the example ends. */
  start(line: CommandLine): Started;
  /** A new temporary directory, removed when the example ends. */
  tempDir(): string;
  /** Fails unless the program exited with `code`, showing its output. */
  expectExit(result: Finished, code: number): void;
  /** Fails unless `text` contains every part (strings, or RegExps it must match). */
  expectIncludes(text: string, ...parts: (string | RegExp)[]): void;
  /** Fails unless `text` contains none of the parts. */
  expectExcludes(text: string, ...parts: (string | RegExp)[]): void;
}

/** An example's failure, with what to show. */
export class ExampleFailure extends Error {
  /** Makes the error. */
  constructor(message: string) {
    super(message);
    this.name = "ExampleFailure";
  }
}

const decoder = new TextDecoder();

function describe(line: CommandLine): string {
  return [line.command, ...line.args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ");
}

function showOutput(result: { stdout: string; stderr: string }): string {
  const parts: string[] = [];
  if (result.stdout.trim()) parts.push(`--- stdout ---\n${result.stdout.trimEnd()}`);
  if (result.stderr.trim()) parts.push(`--- stderr ---\n${result.stderr.trimEnd()}`);
  return parts.length ? `\n${parts.join("\n")}` : " (no output)";
}

class Process implements Started {
  readonly pid: number;
  #child: Deno.ChildProcess;
  #stdout = "";
  #stderr = "";
  #status: Promise<Deno.CommandStatus>;
  #drained: Promise<void>;
  #ended = false;
  #line: CommandLine;

  constructor(line: CommandLine, cwd: string) {
    this.#line = line;
    this.#child = new Deno.Command(line.command, {
      args: [...line.args],
      cwd,
      env: { NO_COLOR: "1", ...line.env },
      stdin: line.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#child.pid;
    if (line.stdin !== undefined) {
      const writer = this.#child.stdin.getWriter();
      writer.write(new TextEncoder().encode(line.stdin)).then(() => writer.close()).catch(() => {});
    }
    this.#drained = Promise.all([
      this.#pump(this.#child.stdout, (text) => this.#stdout += text),
      this.#pump(this.#child.stderr, (text) => this.#stderr += text),
    ]).then(() => {});
    this.#status = this.#child.status.then((status) => {
      this.#ended = true;
      return status;
    });
  }

  async #pump(stream: ReadableStream<Uint8Array>, add: (text: string) => void): Promise<void> {
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get ended(): boolean {
    return this.#ended;
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    const matches = () =>
      [this.#stdout, this.#stderr].some((text) =>
        typeof pattern === "string" ? text.includes(pattern) : pattern.test(text)
      );
    const deadline = Date.now() + timeoutMs;
    while (!matches()) {
      if (this.#ended) {
        await this.#drained;
        if (matches()) return;
        throw new ExampleFailure(
          `${describe(this.#line)} exited before printing ${String(pattern)}${showOutput(this)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new ExampleFailure(
          `${describe(this.#line)} did not print ${String(pattern)} within ${timeoutMs} ms${
            showOutput(this)
          }`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The status, or "timeout" if it has not come within `timeoutMs`. */
  async #statusWithin(timeoutMs: number): Promise<Deno.CommandStatus | "timeout"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([this.#status, timeout]);
    clearTimeout(timer);
    return outcome;
  }

  async finished(timeoutMs = 30_000): Promise<Finished> {
    const outcome = await this.#statusWithin(timeoutMs);
    if (outcome === "timeout") {
      await this.stop("SIGKILL");
      throw new ExampleFailure(
        `${describe(this.#line)} did not exit within ${timeoutMs} ms${showOutput(this)}`,
      );
    }
    await this.#drained;
    return {
      code: outcome.code,
      signal: outcome.signal,
      stdout: this.#stdout,
      stderr: this.#stderr,
    };
  }

  async stop(signal: Deno.Signal = "SIGTERM", timeoutMs = 10_000): Promise<Finished> {
    this.#kill(signal);
    const outcome = await this.#statusWithin(timeoutMs);
    if (outcome === "timeout") {
      this.#kill("SIGKILL");
      await this.#status;
      throw new ExampleFailure(
        `${describe(this.#line)} did not exit within ${timeoutMs} ms of ${signal}${
          showOutput(this)
        }`,
      );
    }
    await this.#drained;
    return {
      code: outcome.code,
      signal: outcome.signal,
      stdout: this.#stdout,
      stderr: this.#stderr,
    };
  }

  #kill(signal: Deno.Signal): void {
    if (this.#ended) return;
    try {
      this.#child.kill(signal);
    } catch {
      // Exited meanwhile.
    }
  }
}

/** One example's outcome. */
export interface ExampleResult {
  /** The scenario (module) it belongs to. */
  readonly scenario: string;
  /** Its name. */
  readonly name: string;
  /** Its failure, if it failed. */
  readonly error?: string;
  /** How long it took. */
  readonly ms: number;
}

/**
 * The command line of an example under `runtime`: `deno run` of the source,
 * or `node` of its compiled twin under `npm/`.
 */
function exampleCommand(
  runtime: Runtime,
  permissions: readonly string[],
  file: string,
  args: readonly string[],
): CommandLine {
  if (runtime === "deno") {
    return { command: Deno.execPath(), args: ["run", ...permissions, file, ...args] };
  }
  if (!/^examples\/.+\.ts$/.test(file)) {
    throw new Error(`not an example (examples/<module>/<program>.ts): ${file}`);
  }
  return { command: "node", args: [`npm/${file.replace(/\.ts$/, ".js")}`, ...args] };
}

/**
 * Makes the Scenario for one scenario file, its examples run by `runtime`;
 * results are pushed to `results`.
 */
export function makeScenario(
  scenario: string,
  root: string,
  results: ExampleResult[],
  runtime: Runtime = "deno",
): Scenario {
  let started: Process[] = [];
  let temps: string[] = [];

  const fail = (message: string): never => {
    throw new ExampleFailure(message);
  };

  const t: Scenario = {
    root,
    runtime,
    async example(name, fn) {
      const begin = performance.now();
      let error: string | undefined;
      try {
        await fn();
      } catch (e) {
        error = e instanceof ExampleFailure
          ? e.message
          : e instanceof Error
          ? (e.stack ?? e.message)
          : String(e);
      } finally {
        for (const p of started) {
          if (!p.ended) {
            await p.stop("SIGKILL").catch(() => {});
            error ??= `it left ${p.pid} running`;
          }
        }
        started = [];
        for (const dir of temps) await Deno.remove(dir, { recursive: true }).catch(() => {});
        temps = [];
      }
      const ms = Math.round(performance.now() - begin);
      results.push({ scenario, name, error, ms });
      if (error === undefined) console.log(`  ok    ${name} (${ms} ms)`);
      else console.log(`  FAIL  ${name} (${ms} ms)\n${error.replace(/^/gm, "        ")}`);
    },
    program(permissions, file, ...args) {
      return exampleCommand(runtime, permissions, file, args);
    },
    run(line, timeoutMs = 30_000) {
      const p = new Process(line, root);
      started.push(p);
      return p.finished(timeoutMs);
    },
    start(line) {
      const p = new Process(line, root);
      started.push(p);
      return p;
    },
    tempDir() {
      const dir = Deno.makeTempDirSync({ prefix: `unixipc-example-${scenario}-` });
      temps.push(dir);
      return dir;
    },
    expectExit(result, code) {
      if (result.code !== code) {
        fail(
          `exited with ${result.code}${result.signal ? ` (${result.signal})` : ""}, not ${code}${
            showOutput(result)
          }`,
        );
      }
    },
    expectIncludes(text, ...parts) {
      for (const part of parts) {
        const ok = typeof part === "string" ? text.includes(part) : part.test(text);
        if (!ok) {
          fail(
            `the output lacks ${typeof part === "string" ? JSON.stringify(part) : part}:\n${text}`,
          );
        }
      }
    },
    expectExcludes(text, ...parts) {
      for (const part of parts) {
        const found = typeof part === "string" ? text.includes(part) : part.test(text);
        if (found) {
          fail(
            `the output has ${typeof part === "string" ? JSON.stringify(part) : part}:\n${text}`,
          );
        }
      }
    },
  };
  return t;
}
