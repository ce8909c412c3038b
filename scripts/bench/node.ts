/**
 * unixipc under Node (the npm build: FFI through koffi) against unixipc
 * under Deno and against C, measured in one run:
 *
 * - msg pair: an in-process `msgsnd` + `msgrcv` of a 64-byte message on a
 *   private queue (as `core.ts` measures it): C (`c/msg_pair.c`), the
 *   library's `libc()` under Deno (`ipc/_libc.ts`) and under Node
 *   (`npm/ipc/_libc.js`), and each runtime's floor, a raw binding of the two
 *   symbols: `Deno.dlopen` (bigint sizes) and `koffi.load` (numbers);
 * - msg ping-pong: the client sends a 64-byte message of type 1, the server
 *   answers with type 2 (as `xsi.ts` measures it): C (`c/xsi_pair.c`), the
 *   sync API (`sendSync`, `receiveSync` into one buffer) and the async API
 *   (`send`, `receive`, their default spin) under Deno and under Node, both
 *   sides of a pair on the same runtime.
 *
 * Both runtimes run the same loops (`_msg_loops.ts`, compiled here for
 * Node into `.bench/node/`). Node runs a copy of the npm build taken at the
 * start (`.bench/node/npm/`), so that a rebuild of `npm/` during the run
 * changes nothing. Every measurement is a fresh process (or pair
 * of processes) that warms up, then times; rounds of every variant are
 * interleaved and the median round kept, so that a shared machine's load
 * hits all alike: the ratios count, absolute times do not.
 *
 * Needs the npm build (`deno task build:npm`) and `node` on PATH.
 *
 *   deno run -A scripts/bench/node.ts [--quick]
 *
 * @module
 */

import { lastError, libc } from "../../ipc/_libc.ts";
import { IPC_PRIVATE, MessageQueue } from "../../xsi/mod.ts";
import { buildC, buildDir, root } from "./_c.ts";
import { libcPairs, pingPongAsync, pingPongSync, rawPairs } from "./_msg_loops.ts";

const SIZE = 64;
const WARM = 500;

// ---- the Deno sides (this same file, with --role) ------------------------------------

/**
 * Arguments: `--role pair --mode libc|raw --n PAIRS --queue ID`, or
 * `--role server|client --mode sync|async --n N --queue ID`.
 */
async function role(args: string[]): Promise<void> {
  const get = (name: string) => args[args.indexOf(name) + 1]!;
  const [side, mode, n, id] = [get("--role"), get("--mode"), Number(get("--n")), get("--queue")];
  if (side === "pair") {
    const out = new Uint8Array(8 + SIZE).fill(0x78);
    new DataView(out.buffer).setBigInt64(0, 1n, true);
    const loop = { queue: Number(id), out, into: new Uint8Array(8 + SIZE), pairs: n };
    let run: () => void;
    if (mode === "libc") {
      const symbols = libc();
      run = () => libcPairs(symbols, lastError, loop);
    } else {
      // A benchmark may dlopen; the library never does outside ipc/_ffi.ts.
      const lib = Deno.dlopen("libc.so.6", {
        msgsnd: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
        msgrcv: { parameters: ["i32", "buffer", "usize", "i64", "i32"], result: "isize" },
      });
      const raw = { ...lib.symbols };
      run = () => rawPairs(raw, 0n, loop);
    }
    run(); // warm-up: the JIT, page faults
    const t0 = performance.now();
    run();
    console.log(((performance.now() - t0) * 1e6) / n);
    return;
  }
  using queue = MessageQueue.fromId(Number(id));
  const options = {
    queue,
    server: side === "server",
    n,
    warm: WARM,
    data: new Uint8Array(SIZE).fill(0x78),
    into: new Uint8Array(SIZE),
  };
  const ns = mode === "sync" ? pingPongSync(options) : await pingPongAsync(options);
  if (ns !== undefined) console.log(ns);
}

// ---- the orchestra ---------------------------------------------------------------------

type Work = "pair" | "pingpong";
type Runtime = "C" | "Deno" | "Node";

interface Variant {
  work: Work;
  runtime: Runtime;
  /** pair: `libc` or `raw`; pingpong: `sync` or `async`; none for C. */
  mode?: string;
  name: string;
}

const variants: Variant[] = [
  { work: "pair", runtime: "C", name: "C (gcc -O2)" },
  { work: "pair", runtime: "Deno", mode: "raw", name: "Deno, raw Deno.dlopen" },
  { work: "pair", runtime: "Deno", mode: "libc", name: "Deno, unixipc libc()" },
  { work: "pair", runtime: "Node", mode: "raw", name: "Node, raw koffi" },
  { work: "pair", runtime: "Node", mode: "libc", name: "Node, unixipc libc()" },
  { work: "pingpong", runtime: "C", name: "C (gcc -O2)" },
  { work: "pingpong", runtime: "Deno", mode: "sync", name: "Deno, unixipc sync" },
  { work: "pingpong", runtime: "Deno", mode: "async", name: "Deno, unixipc async" },
  { work: "pingpong", runtime: "Node", mode: "sync", name: "Node, unixipc sync" },
  { work: "pingpong", runtime: "Node", mode: "async", name: "Node, unixipc async" },
];
const titles: Record<Work, string> = {
  pair: "msg pair, in-process",
  pingpong: "msg ping-pong round trip",
};
/** How long one measurement may take before its processes are killed. */
const TIMEOUT_MS = 300_000;
const decoder = new TextDecoder();
const nodeSide = `${root}/scripts/bench/_node_side.mjs`;
/** What the Node side imports: the npm build's copy and the compiled loops. */
const nodeDir = `${buildDir}/node`;

/** What must go if the run is interrupted: live children, queues. */
const cleanups = new Set<() => void>();

function onSignal(): void {
  for (const cleanup of cleanups) cleanup();
  Deno.exit(130);
}

/** The files of the npm build this script runs; exits 1 when one is missing. */
function checkNpmBuild(): void {
  // The library's files may be missing for a moment while a build runs: the copy waits for them.
  const needed = [
    "npm/package.json",
    "npm/node_modules/koffi/index.js",
    "npm/node_modules/typescript/lib/typescript.js",
  ];
  const missing = needed.filter((path) => {
    try {
      Deno.statSync(`${root}/${path}`);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    console.error(
      `node: the npm build is missing (${missing.join(", ")}): run \`deno task build:npm\` first`,
    );
    Deno.exit(1);
  }
  // A build older than the sources measures old code: say so (it is not an error).
  let built: number;
  try {
    built = Deno.statSync(`${root}/npm/xsi/mod.js`).mtime!.getTime();
  } catch {
    return; // being rebuilt
  }
  const newer: string[] = [];
  for (const directory of ["ipc", "xsi", "endian"]) {
    for (const entry of Deno.readDirSync(`${root}/${directory}`)) {
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      const path = `${directory}/${entry.name}`;
      if (Deno.statSync(`${root}/${path}`).mtime!.getTime() > built) newer.push(path);
    }
  }
  if (newer.length > 0) {
    console.error(
      `node: warning: ${newer.join(", ")} changed after the npm build; ` +
        "run `deno task build:npm` to measure the current code\n",
    );
  }
}

/**
 * Copies the npm build's library (all but its tests, examples, scripts;
 * `node_modules` as a link) into `.bench/node/npm/`, and checks that Node
 * imports it. A build in progress (files missing) is waited for: up to a
 * minute.
 */
async function snapshotNpmBuild(): Promise<void> {
  const target = `${nodeDir}/npm`;
  const skip = new Set(["node_modules", "tests", "examples", "scripts"]);
  let failure = "";
  for (let attempt = 0; attempt < 12; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 5_000));
    await Deno.remove(target, { recursive: true }).catch(() => {});
    await Deno.mkdir(target, { recursive: true });
    const entries = (await Array.fromAsync(Deno.readDir(`${root}/npm`)))
      .filter((e) => !skip.has(e.name));
    const copy = await new Deno.Command("cp", {
      args: ["-a", ...entries.map((e) => `${root}/npm/${e.name}`), target],
      stderr: "piped",
    }).output();
    await Deno.symlink(`${root}/npm/node_modules`, `${target}/node_modules`);
    const check = await new Deno.Command("node", {
      args: [
        "--input-type=module",
        "-e",
        "for (const path of process.argv.slice(1)) await import(path);",
        `${target}/ipc/_libc.js`,
        `${target}/xsi/mod.js`,
        `${target}/node_modules/koffi/index.js`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (copy.success && check.success) return;
    failure = decoder.decode(copy.success ? check.stderr : copy.stderr).trim();
  }
  throw new Error(`Cannot take a working copy of the npm build: ${failure}`);
}

/** Compiles `_msg_loops.ts` for Node (TypeScript's transpileModule: types stripped, no checks). */
async function compileLoops(): Promise<void> {
  await Deno.mkdir(nodeDir, { recursive: true });
  const script = `
    import { readFileSync, writeFileSync } from "node:fs";
    const [typescript, source, target] = process.argv.slice(1);
    const ts = (await import(typescript)).default;
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(source, "utf8"), {
      fileName: source,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    if (diagnostics.length > 0) {
      console.error(ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f, getCurrentDirectory: () => "", getNewLine: () => "\\n",
      }));
      process.exit(1);
    }
    writeFileSync(target, outputText);
  `;
  const { success, stderr } = await new Deno.Command("node", {
    args: [
      "--input-type=module",
      "-e",
      script,
      `${root}/npm/node_modules/typescript/lib/typescript.js`,
      `${root}/scripts/bench/_msg_loops.ts`,
      `${nodeDir}/_msg_loops.mjs`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`Cannot compile _msg_loops.ts for Node: ${decoder.decode(stderr)}`);
}

interface Tools {
  pair: string;
  xsi: string;
}

/** The command of one process of a measurement. */
function command(
  variant: Variant,
  side: "pair" | "server" | "client",
  n: number,
  queue: number,
  tools: Tools,
): Deno.Command {
  const io = { stdin: "null", stdout: "piped", stderr: "piped" } as const;
  const { runtime, mode } = variant;
  if (runtime === "C") {
    return side === "pair"
      ? new Deno.Command(tools.pair, { args: [String(n), String(queue)], ...io })
      : new Deno.Command(tools.xsi, { args: [side, "pingpong", String(n), String(queue)], ...io });
  }
  if (runtime === "Node") {
    const args = side === "pair"
      ? ["pair", mode!, String(n), String(SIZE), String(queue)]
      : ["pingpong", mode!, side, String(n), String(WARM), String(SIZE), String(queue)];
    return new Deno.Command("node", { args: [nodeSide, nodeDir, ...args], ...io });
  }
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      import.meta.filename!,
      "--role",
      side,
      "--mode",
      mode!,
      "--n",
      String(n),
      "--queue",
      String(queue),
    ],
    ...io,
  });
}

/**
 * One measurement: a fresh private queue, the variant's processes; the
 * result (ns) is what the last process (the pair, or the client) prints.
 * When one process fails or the time runs out, the others are killed; the
 * queue is removed in every case.
 */
async function measure(variant: Variant, n: number, tools: Tools): Promise<number> {
  const queue = MessageQueue.open(IPC_PRIVATE);
  const removeQueue = () => {
    if (queue.closed) return;
    queue.remove();
    queue.close();
  };
  cleanups.add(removeQueue);
  const sides = variant.work === "pair" ? ["pair"] as const : ["server", "client"] as const;
  const running = new Set<Deno.ChildProcess>();
  const killAll = () => {
    for (const child of running) {
      try {
        child.kill("SIGKILL");
      } catch {
        // It has just exited.
      }
    }
  };
  cleanups.add(killAll);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, TIMEOUT_MS);
  try {
    const children = sides.map((side) => {
      const child = command(variant, side, n, queue.id, tools).spawn();
      running.add(child);
      return child;
    });
    const outputs = await Promise.all(children.map(async (child) => {
      const output = await child.output();
      running.delete(child);
      if (!output.success) killAll();
      return output;
    }));
    const failed = outputs.some((o) => !o.success);
    const result = Number(decoder.decode(outputs.at(-1)!.stdout).trim());
    if (failed || timedOut || !Number.isFinite(result) || result <= 0) {
      const report = outputs.map((o, i) =>
        `  ${sides[i]} (exit ${o.code}${o.signal ? `, ${o.signal}` : ""}): ` +
        (decoder.decode(o.stdout) + decoder.decode(o.stderr)).trim()
      ).join("\n");
      throw new Error(
        `${titles[variant.work]}, ${variant.name} failed${
          timedOut ? ` (killed after ${TIMEOUT_MS / 1000} s)` : ""
        }:\n${report}`,
      );
    }
    return result;
  } finally {
    clearTimeout(timer);
    killAll();
    cleanups.delete(killAll);
    removeQueue();
    cleanups.delete(removeQueue);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const rounds = quick ? 3 : 7;
  const counts: Record<Work, number> = quick
    ? { pair: 20_000, pingpong: 2_000 }
    : { pair: 200_000, pingpong: 20_000 };
  checkNpmBuild();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const [pair, xsi] = await Promise.all([
    buildC("msg_pair", { defines: { MESSAGE: SIZE } }),
    buildC("xsi_pair", { defines: { SIZE, WARM } }),
    compileLoops(),
    snapshotNpmBuild(),
  ]);
  const tools: Tools = { pair, xsi };

  const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      samples.get(variant)!.push(await measure(variant, counts[variant.work], tools));
    }
  }
  const result = (work: Work, runtime: Runtime, mode?: string) =>
    median(
      samples.get(
        variants.find((v) => v.work === work && v.runtime === runtime && v.mode === mode)!,
      )!,
    );

  console.log(
    `node: unixipc on Node (npm build, koffi) and on Deno, against C; ${SIZE}-byte messages ` +
      `(median of ${rounds} interleaved rounds; ${counts.pair} pairs, ` +
      `${counts.pingpong} round trips)\n`,
  );
  const rows: string[][] = [];
  for (const variant of variants) {
    const { work, runtime, mode } = variant;
    const ns = result(work, runtime, mode);
    const perDeno = runtime === "Node"
      ? `${(ns / result(work, "Deno", mode)).toFixed(2)}x Deno`
      : "";
    rows.push([
      titles[work],
      variant.name,
      `${(ns / 1000).toFixed(2)} us`,
      `${(ns / result(work, "C")).toFixed(2)}x C`,
      perDeno,
    ]);
  }
  const header = ["workload", "variant", "time", "ratio", "Node/Deno"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `| ${
      r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(
        " | ",
      )
    } |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));

  const ratios = (work: Work, mode: string) => {
    const [c, deno, node] = [
      result(work, "C"),
      result(work, "Deno", mode),
      result(work, "Node", mode),
    ];
    return `Node/C ${(node / c).toFixed(2)}x, Deno/C ${(deno / c).toFixed(2)}x, ` +
      `Node/Deno ${(node / deno).toFixed(2)}x`;
  };
  console.log(
    `\nSummary: pair (libc()) ${ratios("pair", "libc")}; ping-pong sync ${
      ratios("pingpong", "sync")
    }; ping-pong async ${ratios("pingpong", "async")}`,
  );
}

if (Deno.args.includes("--role")) {
  await role(Deno.args);
} else {
  try {
    await main();
  } catch (error) {
    console.error(`node: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
