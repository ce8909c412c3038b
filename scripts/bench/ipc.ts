/**
 * Pipes and FIFOs between two processes, measured in one run against C:
 *
 * - ping-pong: a 64-byte message goes to the other process and comes back
 *   (the round trip is what is timed);
 * - stream: 64 KiB chunks flow one way (bytes per second at the reader).
 *
 * Each over an anonymous pipe (the child inherits the ends: `spawnModule`,
 * or `fork` in C) and over two FIFOs, for our sync API (`readSync`,
 * `writeSync`), our async API (`await read()`, `await write()`) and the same
 * program in C (blocking `read`/`write`, gcc -O2), both sides of each pair
 * using the same API. Rounds are interleaved and the median round kept, so
 * that the load of a shared machine hits all alike: the ratios are what
 * count.
 *
 *   deno run -A scripts/bench/ipc.ts [--quick] [--only=pingpong|stream]
 *
 * @module
 */

import { FdHandle, mkfifo, openFifo, pipe, spawnModule } from "../../ipc/mod.ts";
import { buildC } from "./_c.ts";

const MESSAGE = 64;
const CHUNK = 65536;
const quick = Deno.args.includes("--quick");
/** `--only=<mode>`: `pingpong` or `stream`, to measure one kind only. */
const only = Deno.args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const rounds = quick ? 3 : 7;
const trips = quick ? 5_000 : 20_000;
const warmTrips = 2_000;
const streamBytes = (quick ? 64 : 256) * CHUNK * 16; // 64 or 256 MiB

type Api = "sync" | "async";
/** A variant of ours: the API, and whether reads and writes spin before parking (the default) or park at once. */
interface Ours {
  readonly api: Api;
  readonly spin: boolean;
}
type Transport = "pipe" | "fifo";
type Mode = "pingpong" | "stream";

// ---- the child: the server side of each measurement --------------------------------

async function child(args: string[]): Promise<void> {
  const [mode, api, spinning, transport, count, down, up] = args as [
    Mode,
    Api,
    string,
    Transport,
    string,
    string?,
    string?,
  ];
  const n = Number(count);
  const spin = spinning === "spin" ? undefined : 0;
  const input = transport === "pipe"
    ? new FdHandle(3, { spin })
    : await openFifo(down!, "read", { spin });
  const output = transport === "pipe"
    ? new FdHandle(4, { spin })
    : await openFifo(up!, "write", { spin });
  try {
    output.writeSync(new Uint8Array([1])); // Ready: the parent times from here.
    if (mode === "pingpong") {
      const buffer = new Uint8Array(MESSAGE);
      for (let i = 0; i < n; i++) {
        if (api === "sync") {
          readFullSync(input, buffer);
          output.writeSync(buffer);
        } else {
          await readFull(input, buffer);
          await output.write(buffer);
        }
      }
    } else {
      const chunk = new Uint8Array(CHUNK).fill(0x5a);
      const go = new Uint8Array(1);
      if (api === "sync") readFullSync(input, go);
      else await readFull(input, go);
      for (let sent = 0; sent < n; sent += CHUNK) {
        if (api === "sync") output.writeSync(chunk);
        else await output.write(chunk);
      }
    }
  } finally {
    input.close();
    output.close();
  }
}

function readFullSync(handle: FdHandle, buffer: Uint8Array): void {
  for (let offset = 0; offset < buffer.length;) {
    const n = handle.readSync(offset === 0 ? buffer : buffer.subarray(offset));
    if (n === null) throw new Error("unexpected end of stream");
    offset += n;
  }
}

async function readFull(handle: FdHandle, buffer: Uint8Array): Promise<void> {
  for (let offset = 0; offset < buffer.length;) {
    const n = await handle.read(offset === 0 ? buffer : buffer.subarray(offset));
    if (n === null) throw new Error("unexpected end of stream");
    offset += n;
  }
}

// ---- our side (the client) ------------------------------------------------------------

/** Runs one measurement against a Deno child: microseconds per round trip, or MB/s. */
async function ours(
  mode: Mode,
  { api, spin: spinning }: Ours,
  transport: Transport,
): Promise<number> {
  const spin = spinning ? undefined : 0;
  const count = mode === "pingpong" ? warmTrips + trips : streamBytes;
  const dir = await Deno.makeTempDir({ prefix: "unixipc-bench-" });
  try {
    let toChild: FdHandle;
    let fromChild: FdHandle;
    let close: () => void;
    let childArgs: string[] = [mode, api, spinning ? "spin" : "park", transport, String(count)];
    const spawnArgs = { role: "child", permissions: { ffi: true } } as const;
    let spawned;
    if (transport === "pipe") {
      const down = pipe({ spin });
      const up = pipe({ spin });
      spawned = spawnModule(import.meta.url, {
        ...spawnArgs,
        args: childArgs,
        fds: { 3: down.read, 4: up.write },
      });
      down.read.close();
      up.write.close();
      toChild = down.write;
      fromChild = up.read;
      close = () => (down.close(), up.close());
    } else {
      mkfifo(`${dir}/down`);
      mkfifo(`${dir}/up`);
      childArgs = [...childArgs, `${dir}/down`, `${dir}/up`];
      spawned = spawnModule(import.meta.url, { ...spawnArgs, args: childArgs });
      toChild = await openFifo(`${dir}/down`, "write", { spin });
      fromChild = await openFifo(`${dir}/up`, "read", { spin });
      close = () => (toChild.close(), fromChild.close());
    }
    await using child = spawned;
    try {
      await readFull(fromChild, new Uint8Array(1)); // The child is ready.
      return mode === "pingpong"
        ? await pingPong(api, toChild, fromChild)
        : await stream(api, toChild, fromChild);
    } finally {
      close();
      await child.wait();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function pingPong(api: Api, out: FdHandle, back: FdHandle): Promise<number> {
  const buffer = new Uint8Array(MESSAGE).fill(0x78);
  let start = 0;
  for (let i = 0; i < warmTrips + trips; i++) {
    if (i === warmTrips) start = performance.now();
    if (api === "sync") {
      out.writeSync(buffer);
      readFullSync(back, buffer);
    } else {
      await out.write(buffer);
      await readFull(back, buffer);
    }
  }
  return ((performance.now() - start) * 1000) / trips;
}

async function stream(api: Api, out: FdHandle, back: FdHandle): Promise<number> {
  const buffer = new Uint8Array(CHUNK);
  const start = performance.now();
  out.writeSync(new Uint8Array([1]));
  let received = 0;
  while (received < streamBytes) {
    const n = api === "sync" ? back.readSync(buffer) : await back.read(buffer);
    if (n === null) throw new Error("unexpected end of stream");
    received += n;
  }
  return streamBytes / 1e6 / ((performance.now() - start) / 1000);
}

// ---- C (c/ipc_bench.c) ------------------------------------------------------------------

async function inC(exe: string, mode: Mode, transport: Transport): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "unixipc-bench-" });
  try {
    const fifos = transport === "fifo" ? [`${dir}/down`, `${dir}/up`] : [];
    for (const path of fifos) mkfifo(path);
    const count = mode === "pingpong" ? trips : streamBytes;
    const { success, stdout, stderr } = await new Deno.Command(exe, {
      args: [mode, transport, String(count), String(warmTrips), ...fifos],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`C benchmark failed: ${new TextDecoder().decode(stderr)}`);
    return Number(new TextDecoder().decode(stdout).trim());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---- the table -------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const variants = {
  C: undefined,
  sync: { api: "sync", spin: true },
  async: { api: "async", spin: true },
  "sync, no spin": { api: "sync", spin: false },
  "async, no spin": { api: "async", spin: false },
} as const satisfies Record<string, Ours | undefined>;
type Variant = keyof typeof variants;

async function main(): Promise<void> {
  const exe = await buildC("ipc_bench", { defines: { MESSAGE, CHUNK } });
  const cases = ([
    { mode: "pingpong", transport: "pipe" },
    { mode: "pingpong", transport: "fifo" },
    { mode: "stream", transport: "pipe" },
    { mode: "stream", transport: "fifo" },
  ] as const).filter((c) => only === undefined || c.mode === only);
  const names = Object.keys(variants) as Variant[];
  const samples = new Map<string, number[]>();
  const key = (mode: Mode, transport: Transport, variant: Variant) =>
    `${mode} ${transport} ${variant}`;
  const measure = (mode: Mode, transport: Transport, variant: Variant) => {
    const ours_ = variants[variant];
    return ours_ === undefined ? inC(exe, mode, transport) : ours(mode, ours_, transport);
  };
  // One warm-up round of each (page cache, deno's module cache), then interleaved rounds.
  for (const { mode, transport } of cases) {
    for (const variant of names) await measure(mode, transport, variant);
  }
  for (let round = 0; round < rounds; round++) {
    for (const { mode, transport } of cases) {
      for (const variant of names) {
        const k = key(mode, transport, variant);
        samples.set(k, [...(samples.get(k) ?? []), await measure(mode, transport, variant)]);
      }
    }
  }
  const value = (mode: Mode, transport: Transport, variant: Variant) =>
    median(samples.get(key(mode, transport, variant))!);

  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(
    `ipc: pipes and FIFOs between two processes (median of ${rounds} interleaved rounds; ` +
      `${trips} round trips of ${MESSAGE} bytes, ${streamBytes >> 20} MiB in ${
        CHUNK >> 10
      } KiB chunks; load ${load})\n`,
  );
  const header = ["measure", ...names.flatMap((n) => (n === "C" ? ["C"] : [n, "/C"]))];
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const { mode, transport } of cases) {
    const c = value(mode, transport, "C");
    const row = [
      mode === "pingpong" ? `${transport} round trip (us)` : `${transport} stream (MB/s)`,
    ];
    for (const name of names) {
      const v = value(mode, transport, name);
      row.push(mode === "pingpong" ? v.toFixed(2) : v.toFixed(0));
      if (name !== "C") row.push(`${(v / c).toFixed(2)}x`);
    }
    rows.push(row);
    const sync = value(mode, transport, "sync") / c;
    const async = value(mode, transport, "async") / c;
    if (mode === "pingpong") {
      verdicts.push(
        `${transport} sync round trip within 1.15x of C: ${sync.toFixed(2)}x ${
          sync <= 1.15 ? "(met)" : "(NOT met)"
        }`,
        `${transport} async round trip within 1.5x of C: ${async.toFixed(2)}x ${
          async <= 1.5 ? "(met)" : "(NOT met)"
        }`,
      );
    } else {
      verdicts.push(
        `${transport} stream at least 0.9x C's bytes/s: sync ${sync.toFixed(2)}x, async ${
          async.toFixed(2)
        }x ${sync >= 0.9 && async >= 0.9 ? "(met)" : "(NOT met)"}`,
      );
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")
    } |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  console.log(
    `\nRound trips in us (lower is better), streams in MB/s (higher is better); /C is our figure ` +
      `over C's. "no spin": reads and writes park at once (spin: 0) instead of trying again ` +
      `for up to 50 us.`,
  );
  console.log(
    `\nTargets (default handles, which spin):\n${verdicts.map((v) => `  ${v}`).join("\n")}`,
  );
}

if (Deno.args[0] === "child") await child(Deno.args.slice(1));
else await main();
