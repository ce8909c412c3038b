/**
 * Sockets between two processes on loopback, measured in one run: C
 * (blocking sockets, compiled here with gcc -O2), unixipc's sync API,
 * unixipc's async API, Deno's built-in sockets and Node's.
 *
 * - UDP round trip of a 64-byte datagram (client and echo server of the same kind);
 * - TCP round trip of a 64-byte message (TCP_NODELAY on both sides);
 * - TCP streaming in 64 KiB chunks, one way, to a reader of the same kind;
 * - connections accepted per second by a time server, under the C load
 *   generator `c/tcp_load.c` (4 concurrent clients).
 *
 * Rounds of each are interleaved and the median kept, so that the load of
 * a shared machine hits every implementation alike; the ratios to C are
 * what count.
 *
 *   deno run -A scripts/bench/net.ts [--quick] [--rounds=N] [--only=TEXT]
 *
 * @module
 */

import { buildC, root } from "./_c.ts";

const quick = Deno.args.includes("--quick");
const flag = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const rounds = Number(flag("rounds") ?? (quick ? 1 : 5));
/** `--only=udp` runs the measures whose name contains the text (for quick looks). */
const only = flag("only")?.toLowerCase();
const roundTrips = quick ? 3_000 : 20_000;
const streamMiB = quick ? 64 : 512;
const acceptSeconds = quick ? 1 : 2;
const loadConcurrency = 4;

const decoder = new TextDecoder();

type Impl = "C" | "unixipc sync" | "unixipc async" | "Deno" | "Node";
const impls: Impl[] = ["C", "unixipc sync", "unixipc async", "Deno", "Node"];

let cPeer = "";
let tcpLoad = "";

function command(impl: Impl, role: string, args: string[]): [string, string[]] {
  switch (impl) {
    case "C":
      return [cPeer, [role, ...args]];
    case "Node":
      return ["node", [`${root}/scripts/bench/_net_peer_node.mjs`, role, ...args]];
    default:
      return [Deno.execPath(), [
        "run",
        "-A",
        "--unstable-net",
        `${root}/scripts/bench/_net_peer.ts`,
        impl === "unixipc sync" ? "sync" : impl === "unixipc async" ? "async" : "deno",
        role,
        ...args,
      ]];
  }
}

/** A server of `impl` playing `role`, once it has said its port. */
async function startServer(
  impl: Impl,
  role: string,
): Promise<{ port: number; stop(): Promise<void> }> {
  const [cmd, args] = command(impl, role, []);
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${impl} ${role} exited before saying its port`);
    text += decoder.decode(value);
  }
  const port = Number(text.match(/port ([0-9]+)/)?.[1]);
  if (!port) throw new Error(`${impl} ${role} said ${JSON.stringify(text)}`);
  return {
    port,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited on its own.
      }
      await child.status;
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
    },
  };
}

/** Runs a client to its end and returns the one number it prints. */
async function client(cmd: string, args: string[]): Promise<number> {
  const { success, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(stdout).trim();
  if (!success) throw new Error(`${cmd} ${args.join(" ")} failed: ${decoder.decode(stderr)}`);
  return Number(text.startsWith("{") ? JSON.parse(text).perSecond : text);
}

interface Measure {
  readonly name: string;
  readonly unit: string;
  /** True when more is better (throughput), false for times. */
  readonly higherIsBetter: boolean;
  run(impl: Impl): Promise<number>;
}

function pairMeasure(
  name: string,
  unit: string,
  higherIsBetter: boolean,
  serverRole: string,
  clientRole: string,
  clientArgs: (port: number) => string[],
): Measure {
  return {
    name,
    unit,
    higherIsBetter,
    async run(impl) {
      const server = await startServer(impl, serverRole);
      try {
        const [cmd, args] = command(impl, clientRole, clientArgs(server.port));
        return await client(cmd, args);
      } finally {
        await server.stop();
      }
    },
  };
}

const allMeasures: Measure[] = [
  pairMeasure(
    "UDP round trip, 64 B",
    "us",
    false,
    "udp-echo",
    "udp-client",
    (port) => [String(port), String(roundTrips)],
  ),
  pairMeasure(
    "TCP round trip, 64 B",
    "us",
    false,
    "tcp-echo",
    "tcp-client",
    (port) => [String(port), String(roundTrips)],
  ),
  pairMeasure(
    "TCP streaming, 64 KiB chunks",
    "MiB/s",
    true,
    "tcp-sink",
    "tcp-source",
    (port) => [String(port), String(streamMiB)],
  ),
  {
    name: `TCP connections accepted (${loadConcurrency} clients)`,
    unit: "conn/s",
    higherIsBetter: true,
    async run(impl) {
      const server = await startServer(impl, "accept-server");
      try {
        return await client(tcpLoad, [
          String(server.port),
          String(loadConcurrency),
          String(acceptSeconds),
        ]);
      } finally {
        await server.stop();
      }
    },
  },
];

const measures = only === undefined
  ? allMeasures
  : allMeasures.filter((m) => m.name.toLowerCase().includes(only));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function loadAverage(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

function format(value: number, unit: string): string {
  if (unit === "us") return `${value.toFixed(1)} us`;
  return `${Math.round(value)} ${unit}`;
}

cPeer = await buildC("net_peer");
tcpLoad = await buildC("tcp_load", { flags: ["-pthread"] });

const loadBefore = loadAverage();
const samples = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const measure of measures) {
    for (const impl of impls) {
      const key = `${measure.name}|${impl}`;
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key)!.push(await measure.run(impl));
    }
  }
}
const loadAfter = loadAverage();
const result = (m: Measure, impl: Impl) => median(samples.get(`${m.name}|${impl}`)!);

console.log(
  `net: two processes on loopback, median of ${rounds} interleaved round(s); ` +
    `${roundTrips} round trips, ${streamMiB} MiB streamed, ${acceptSeconds} s of connections; ` +
    `${navigator.hardwareConcurrency} cores, load average ${loadBefore} before, ${loadAfter} after\n`,
);
const header = ["measure", ...impls];
const rows: string[][] = [];
for (const m of measures) {
  const c = result(m, "C");
  rows.push([
    `${m.name} (${m.unit})`,
    ...impls.map((impl) => {
      const v = result(m, impl);
      // Ratios as "x C": time ratios for times, C / value for throughputs, so that >1 is always slower.
      const ratio = m.higherIsBetter ? v / c : v / c;
      return impl === "C" ? format(v, m.unit) : `${format(v, m.unit)} (${ratio.toFixed(2)}x)`;
    }),
  ]);
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log("\n(ratios are to C: times for round trips, throughput for the others)\n");

const [udp, tcp, stream] = allMeasures as [Measure, Measure, Measure, Measure];
const checks: [string, boolean][] = [];
for (const m of [udp, tcp].filter((m) => measures.includes(m))) {
  const c = result(m, "C");
  const sync = result(m, "unixipc sync") / c;
  const async = result(m, "unixipc async") / c;
  checks.push([`${m.name}: sync within 1.15x of C (${sync.toFixed(2)}x)`, sync <= 1.15]);
  checks.push([`${m.name}: async within 1.5x of C (${async.toFixed(2)}x)`, async <= 1.5]);
}
for (const impl of measures.includes(stream) ? ["unixipc sync", "unixipc async"] as const : []) {
  const ratio = result(stream, impl) / result(stream, "C");
  checks.push([`${stream.name}: ${impl} at least 0.9x of C (${ratio.toFixed(2)}x)`, ratio >= 0.9]);
}
for (const m of measures) {
  for (const impl of ["unixipc sync", "unixipc async"] as const) {
    const ours = result(m, impl);
    const best = m.higherIsBetter
      ? Math.max(result(m, "Deno"), result(m, "Node"))
      : Math.min(result(m, "Deno"), result(m, "Node"));
    const ahead = m.higherIsBetter ? ours > best : ours < best;
    checks.push([`${m.name}: ${impl} ahead of Deno's and Node's built-ins`, ahead]);
  }
}
for (const [text, ok] of checks) console.log(`${ok ? "met    " : "NOT met"}  ${text}`);
