/**
 * The process pool at saturation, measured in one run: connections served
 * per second by
 *
 * - a C pre-forked server with the same dynamic pool (`c/prefork_server.c`:
 *   minSpare 5, maxSpare 10, maxClients 20, a scoreboard in shared memory);
 * - unixipc's `ProcessPool` (`examples/net/pool_server.ts`, same limits);
 * - a single-process server on unixipc's TCP listener
 *   (`examples/net/tcp_server.ts`),
 *
 * each loaded by the C load generator `c/tcp_load.c` (50 concurrent
 * clients). Rounds are interleaved and the median kept; the ratios to C are
 * what count. Then a load ramp (1, 2, 5, 10, 20, 50 concurrent clients) on
 * the unixipc pool, with the pool's size at each step, from its scoreboard.
 *
 *   deno run -A scripts/bench/pool.ts [--quick] [--rounds=N] [--seconds=S]
 *
 * @module
 */

import { buildC, root } from "./_c.ts";

const quick = Deno.args.includes("--quick");
const flag = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const rounds = Number(flag("rounds") ?? (quick ? 1 : 3));
const seconds = Number(flag("seconds") ?? (quick ? 1 : 3));
const concurrency = 50;
const ramp = [1, 2, 5, 10, 20, 50];
const limits = { minSpare: 5, maxSpare: 10, maxClients: 20 };

const decoder = new TextDecoder();

/** A server started in the background, with what it prints so far. */
interface Server {
  readonly child: Deno.ChildProcess;
  readonly port: number;
  stdout: string;
  stderr: string;
}

async function startServer(command: string, args: string[], ready: RegExp): Promise<Server> {
  const child = new Deno.Command(command, {
    args,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const server = { child, port: 0, stdout: "", stderr: "" };
  const pump = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) server[key] += chunk;
  };
  void pump(child.stdout, "stdout");
  void pump(child.stderr, "stderr");
  const deadline = performance.now() + 30_000;
  for (;;) {
    const match = ready.exec(server.stdout + server.stderr);
    if (match) {
      return {
        ...server,
        port: Number(match[1]),
        child,
        get stdout() {
          return server.stdout;
        },
        get stderr() {
          return server.stderr;
        },
      } as Server;
    }
    if (performance.now() > deadline) throw new Error(`${command} did not start: ${server.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stopServer(server: Server): Promise<void> {
  server.child.kill("SIGTERM");
  await server.child.status;
}

interface Load {
  connections: number;
  failures: number;
  perSecond: number;
}

async function load(tcpLoad: string, port: number, clients: number, secs: number): Promise<Load> {
  const { stdout, success } = await new Deno.Command(tcpLoad, {
    args: [String(port), String(clients), String(secs)],
    stdout: "piped",
  }).output();
  if (!success) throw new Error("tcp_load failed");
  return JSON.parse(decoder.decode(stdout));
}

/** The last scoreboard line the pool printed: its size is the slots not free. */
function lastBoard(server: Server): string {
  const lines = server.stdout.trim().split("\n").filter((l) => /^[.x-]+$/.test(l));
  return lines.at(-1) ?? "";
}

async function waitForIdle(server: Server, idle: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  while ((lastBoard(server).match(/\./g)?.length ?? 0) < idle) {
    if (performance.now() > deadline) throw new Error(`the pool never had ${idle} idle workers`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Impl = "C pre-forked" | "unixipc pool" | "unixipc single process";
const impls: Impl[] = ["C pre-forked", "unixipc pool", "unixipc single process"];

const prefork = await buildC("prefork_server");
const tcpLoad = await buildC("tcp_load", { flags: ["-pthread"] });

async function start(impl: Impl): Promise<Server> {
  const { minSpare, maxSpare, maxClients } = limits;
  switch (impl) {
    case "C pre-forked":
      return await startServer(
        prefork,
        ["0", `${minSpare}`, `${maxSpare}`, `${maxClients}`],
        /listening (\d+)/,
      );
    case "unixipc pool": {
      const server = await startServer(Deno.execPath(), [
        "run",
        "--allow-ffi",
        "examples/net/pool_server.ts",
        "--port",
        "0",
        "--min-spare",
        `${minSpare}`,
        "--max-spare",
        `${maxSpare}`,
        "--max-clients",
        `${maxClients}`,
      ], /listening on [0-9.]+:(\d+)/);
      await waitForIdle(server, minSpare);
      return server;
    }
    case "unixipc single process":
      return await startServer(Deno.execPath(), [
        "run",
        "--allow-ffi",
        "examples/net/tcp_server.ts",
        "--port",
        "0",
      ], /listening on [0-9.]+:(\d+)/);
  }
}

const results = new Map<Impl, Load[]>(impls.map((i) => [i, []]));
for (let round = 0; round < rounds; round++) {
  for (const impl of impls) {
    const server = await start(impl);
    try {
      await load(tcpLoad, server.port, concurrency, 0.5); // warm up: the pool grows
      results.get(impl)!.push(await load(tcpLoad, server.port, concurrency, seconds));
    } finally {
      await stopServer(server);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cRate = median(results.get("C pre-forked")!.map((r) => r.perSecond));
console.log(
  `Connections per second, ${concurrency} concurrent clients, ${seconds} s, median of ${rounds}` +
    ` (load average ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")})\n`,
);
console.log("| server | connections/s | failures | ratio to C |");
console.log("|---|---|---|---|");
for (const impl of impls) {
  const rate = median(results.get(impl)!.map((r) => r.perSecond));
  const failures = results.get(impl)!.reduce((n, r) => n + r.failures, 0);
  console.log(`| ${impl} | ${rate.toFixed(0)} | ${failures} | ${(rate / cRate).toFixed(2)}x |`);
}

console.log(
  `\nLoad ramp on the unixipc pool (minSpare ${limits.minSpare}, maxSpare ${limits.maxSpare}, maxClients ${limits.maxClients})\n`,
);
console.log("| clients | connections/s | failures | pool size at the end | scoreboard |");
console.log("|---|---|---|---|---|");
const server = await start("unixipc pool");
try {
  for (const clients of [...ramp, 0]) {
    if (clients === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const board = lastBoard(server);
      console.log(`| 0 (1.5 s after) | - | - | ${board.replace(/-/g, "").length} | \`${board}\` |`);
      break;
    }
    const result = await load(tcpLoad, server.port, clients, quick ? 1 : 2);
    const board = lastBoard(server);
    console.log(
      `| ${clients} | ${result.perSecond.toFixed(0)} | ${result.failures} | ${
        board.replace(/-/g, "").length
      } | \`${board}\` |`,
    );
  }
} finally {
  await stopServer(server);
}
