/**
 * Loads `examples/net/pool_server.ts` the way the seed does, then harder,
 * and reports connections served, failures, and the pool's size over time.
 *
 *   deno run -A scripts/pool_load.ts [--seed-seconds 5] [--clients 50]
 *     [--seconds 10] [--kill] [--min-spare 5] [--max-spare 10] [--max-clients 20]
 *
 * 1. The seed's client loop: `while true; do (./client 127.0.0.1 &); sleep 1; done`,
 *    here `examples/net/tcp_client.ts` started in the background once a
 *    second for `--seed-seconds`.
 * 2. A heavier load: `--clients` concurrent clients (unixipc TCP
 *    connections in this process) connecting again and again for
 *    `--seconds`. With `--kill`, a busy worker is killed with SIGKILL
 *    halfway through: it must be replaced, and at most its connection fail.
 * 3. After the load: the pool must come back within [minSpare, maxSpare]
 *    idle workers within a few ticks.
 *
 * The pool's size comes from the scoreboard lines the server prints. Exits 1
 * if a connection failed (beyond the killed worker's one), the pool grew
 * past maxClients, or the idle count did not come back.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { TcpConnection } from "../net/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "seed-seconds": { type: "string", default: "5" },
    clients: { type: "string", default: "50" },
    seconds: { type: "string", default: "10" },
    kill: { type: "boolean", default: false },
    "min-spare": { type: "string", default: "5" },
    "max-spare": { type: "string", default: "10" },
    "max-clients": { type: "string", default: "20" },
  },
});
const seedSeconds = Number(values["seed-seconds"]);
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const minSpare = Number(values["min-spare"]);
const maxSpare = Number(values["max-spare"]);
const maxClients = Number(values["max-clients"]);

const root = new URL("..", import.meta.url).pathname;
const started = performance.now();
const elapsed = () => ((performance.now() - started) / 1000).toFixed(1).padStart(5);

// ---- the server, and its scoreboard lines -----------------------------------

const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-ffi",
    `${root}examples/net/pool_server.ts`,
    "--port",
    "0",
    "--min-spare",
    `${minSpare}`,
    "--max-spare",
    `${maxSpare}`,
    "--max-clients",
    `${maxClients}`,
  ],
  stdin: "null",
  stdout: "piped",
  stderr: "piped",
}).spawn();
let board = "";
let largest = 0;
let stderr = "";
void (async () => {
  for await (
    const line of server.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lines())
  ) {
    board = line;
    largest = Math.max(largest, size(line));
  }
})();
void (async () => {
  for await (const chunk of server.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
})();

function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) controller.enqueue(part);
    },
  });
}

function size(line: string): number {
  return line.replace(/-/g, "").length;
}

function idle(line: string): number {
  return line.replace(/[^.]/g, "").length;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

if (!(await until(() => /listening on [0-9.]+:\d+/.test(stderr), 30_000))) {
  console.error(`The server did not start: ${stderr}`);
  Deno.exit(1);
}
const port = Number(stderr.match(/listening on [0-9.]+:(\d+)/)![1]);
await until(() => idle(board) >= minSpare, 30_000);
console.log(
  `pool_server on port ${port}: minSpare ${minSpare}, maxSpare ${maxSpare}, maxClients ${maxClients}\n`,
);
console.log("  time  phase        served  failed  size  idle  scoreboard");

let served = 0;
let failed = 0;
let phase = "seed loop";
const report = setInterval(() => {
  console.log(
    `${elapsed()}  ${phase.padEnd(11)}  ${String(served).padStart(6)}  ${
      String(failed).padStart(6)
    }  ${String(size(board)).padStart(4)}  ${String(idle(board)).padStart(4)}  ${board}`,
  );
}, 1000);

// ---- 1. the seed's client loop ------------------------------------------------

const seedClients: Promise<void>[] = [];
for (let i = 0; i < seedSeconds; i++) {
  seedClients.push((async () => {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-ffi",
        `${root}examples/net/tcp_client.ts`,
        "127.0.0.1",
        "--port",
        `${port}`,
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code === 0 && /^\d+\n$/.test(new TextDecoder().decode(stdout))) served++;
    else failed++;
  })());
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
await Promise.all(seedClients);

// ---- 2. the heavier load ------------------------------------------------------

phase = `${clients} clients`;
const buffer = new Uint8Array(64);
async function client(until: number): Promise<void> {
  while (performance.now() < until) {
    try {
      using connection = await TcpConnection.connect(`127.0.0.1:${port}`, { timeout: 10_000 });
      let length = 0;
      for (;;) {
        const n = await connection.read(buffer.subarray(length), { timeout: 10_000 });
        if (n === null) break;
        length += n;
      }
      if (length >= 3 && buffer[length - 2] === 13 && buffer[length - 1] === 10) served++;
      else failed++;
    } catch {
      failed++;
    }
  }
}
const end = performance.now() + seconds * 1000;
const load = Array.from({ length: clients }, () => client(end));
let killed = 0;
if (values.kill) {
  await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 2));
  const workers = new TextDecoder().decode(
    (await new Deno.Command("pgrep", { args: ["-P", `${server.pid}`], stdout: "piped" }).output())
      .stdout,
  ).trim().split("\n").map(Number).filter((pid) => pid > 0);
  if (workers.length > 0) {
    Deno.kill(workers[0]!, "SIGKILL");
    killed = workers[0]!;
    console.log(`${elapsed()}  killed worker ${killed} with SIGKILL`);
  }
}
await Promise.all(load);

// ---- 3. after the load --------------------------------------------------------

phase = "after";
const settled = await until(
  () => idle(board) >= minSpare && idle(board) <= maxSpare && size(board) === idle(board),
  10_000,
);
await new Promise((resolve) => setTimeout(resolve, 1000));
clearInterval(report);
server.kill("SIGTERM");
const status = await server.status;

const allowedFailures = killed ? 1 : 0;
console.log(
  `\nserved ${served}, failed ${failed}, largest pool ${largest} (maxClients ${maxClients})`,
);
console.log(
  `idle back within [${minSpare}, ${maxSpare}] after the load: ${settled ? "yes" : "no"}`,
);
if (killed) {
  const replaced = stderr.includes(`worker ${killed}`) ? "seen and replaced" : "NOT seen";
  console.log(`killed worker ${killed}: ${replaced}`);
}
console.log(`server exit code ${status.code}`);
const ok = failed <= allowedFailures && largest <= maxClients && settled && status.code === 0;
console.log(ok ? "PASS" : "FAIL");
Deno.exit(ok ? 0 : 1);
