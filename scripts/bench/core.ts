/**
 * The libc core's overhead, measured in one run against raw `Deno.dlopen`
 * and against C:
 *
 * - (a) a call that makes no syscall: `__errno_location()` (glibc returns
 *   the thread's errno address; no kernel entry);
 * - (b) an in-process `msgsnd` + `msgrcv` pair of a 64-byte message on a
 *   private queue: through the library's own call path (`libc()` symbols,
 *   bigint sizes, the `-1` check with `lastError`), through a raw
 *   `Deno.dlopen` of the same two symbols, the naive way (sizes passed as
 *   numbers), and in C (`c/msg_pair.c`, compiled here with gcc -O2).
 *
 * Rounds of each are interleaved and the median round is kept, so that the
 * load of a shared machine hits all alike; the ratios are what count.
 *
 *   deno run -A scripts/bench/core.ts [--quick]
 *
 * @module
 */

import { lastError, libc } from "../../ipc/_libc.ts";
import { buildC } from "./_c.ts";
import { libcPairs } from "./_msg_loops.ts";

const quick = Deno.args.includes("--quick");
const rounds = quick ? 3 : 7;
const noSyscallCalls = quick ? 200_000 : 2_000_000;
const pairs = quick ? 20_000 : 200_000;
const MESSAGE = 64;
const IPC_PRIVATE = 0;
const IPC_CREAT = 0o1000;
const IPC_RMID = 0;

// ---- C (c/msg_pair.c) -------------------------------------------------------------

async function cPair(exe: string): Promise<number> {
  const { success, stdout, stderr } = await new Deno.Command(exe, {
    args: [String(pairs), String(queue)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`C benchmark failed: ${new TextDecoder().decode(stderr)}`);
  return Number(new TextDecoder().decode(stdout).trim());
}

// ---- raw Deno.dlopen (this file is a benchmark, not the library: it may) --------------

const rawLibrary = Deno.dlopen("libc.so.6", {
  __errno_location: { parameters: [], result: "pointer" },
  msgsnd: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  msgrcv: { parameters: ["i32", "buffer", "usize", "i64", "i32"], result: "isize" },
});
// Destructured once, as the library does on its hot paths: the same for both.
const raw = { ...rawLibrary.symbols };

// ---- the measurements ----------------------------------------------------------------

function nsPer(count: number, run: () => void): number {
  const start = performance.now();
  run();
  return ((performance.now() - start) * 1e6) / count;
}

const { __errno_location } = libc();
const symbols = libc();

const queue = libc().msgget(IPC_PRIVATE, IPC_CREAT | 0o600);
if (queue === -1) throw lastError("msgget", { action: "create a private message queue" });

const out = new Uint8Array(8 + MESSAGE).fill(0x78);
new DataView(out.buffer).setBigInt64(0, 1n, true);
const into = new Uint8Array(8 + MESSAGE);
const size = BigInt(MESSAGE);

const variants: Record<string, () => number> = {
  "no syscall: raw Deno.dlopen": () =>
    nsPer(noSyscallCalls, () => {
      for (let i = 0; i < noSyscallCalls; i++) raw.__errno_location();
    }),
  "no syscall: unixipc libc()": () =>
    nsPer(noSyscallCalls, () => {
      for (let i = 0; i < noSyscallCalls; i++) __errno_location();
    }),
  "msg pair: raw Deno.dlopen": () =>
    nsPer(pairs, () => {
      for (let i = 0; i < pairs; i++) {
        if (raw.msgsnd(queue, out, size, 0) === -1) throw new Error("msgsnd");
        if (raw.msgrcv(queue, into, size, 0n, 0) === -1n) throw new Error("msgrcv");
      }
    }),
  "msg pair: unixipc libc()": () =>
    nsPer(pairs, () => libcPairs(symbols, lastError, { queue, out, into, pairs })),
  "msg pair: naive FFI (number sizes)": () =>
    nsPer(pairs, () => {
      for (let i = 0; i < pairs; i++) {
        if (raw.msgsnd(queue, out, MESSAGE as unknown as bigint, 0) === -1) {
          throw new Error("msgsnd");
        }
        if (
          Number(
            raw.msgrcv(queue, into, MESSAGE as unknown as bigint, 0 as unknown as bigint, 0),
          ) === -1
        ) {
          throw new Error("msgrcv");
        }
      }
    }),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  const exe = await buildC("msg_pair", { defines: { MESSAGE } });
  const samples: Record<string, number[]> = { "msg pair: C (gcc -O2)": [] };
  for (const name of Object.keys(variants)) samples[name] = [];
  // One warm-up round (JIT, page faults), then interleaved rounds.
  for (const run of Object.values(variants)) run();
  for (let round = 0; round < rounds; round++) {
    samples["msg pair: C (gcc -O2)"]!.push(await cPair(exe));
    for (const [name, run] of Object.entries(variants)) samples[name]!.push(run());
  }
  const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const c = result["msg pair: C (gcc -O2)"]!;
  const rawNoSyscall = result["no syscall: raw Deno.dlopen"]!;

  console.log(
    `core: libc wrapper overhead (median of ${rounds} interleaved rounds; ` +
      `${noSyscallCalls} calls, ${pairs} pairs of ${MESSAGE}-byte messages each)\n`,
  );
  const rows: [string, string, string][] = [];
  for (const name of ["no syscall: raw Deno.dlopen", "no syscall: unixipc libc()"]) {
    rows.push([
      name,
      `${result[name]!.toFixed(1)} ns/call`,
      `${(result[name]! / rawNoSyscall).toFixed(2)}x raw`,
    ]);
  }
  for (
    const name of [
      "msg pair: C (gcc -O2)",
      "msg pair: raw Deno.dlopen",
      "msg pair: unixipc libc()",
      "msg pair: naive FFI (number sizes)",
    ]
  ) {
    rows.push([
      name,
      `${(result[name]! / 1000).toFixed(2)} us/pair`,
      `${(result[name]! / c).toFixed(2)}x C`,
    ]);
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`| ${"measure".padEnd(w0)} | ${"time".padStart(w1)} | ratio     |`);
  console.log(`|${"-".repeat(w0 + 2)}|${"-".repeat(w1 + 2)}|-----------|`);
  for (const [a, b, r] of rows) {
    console.log(`| ${a.padEnd(w0)} | ${b.padStart(w1)} | ${r.padEnd(9)} |`);
  }
  const wrapperRatio = result["msg pair: unixipc libc()"]! / c;
  console.log(
    `\nTarget: the wrapper's pair within 1.10x of C: ${wrapperRatio.toFixed(2)}x ${
      wrapperRatio <= 1.10 ? "(met)" : "(NOT met)"
    }`,
  );
} finally {
  if (libc().msgctl(queue, IPC_RMID, null) === -1) {
    console.error(lastError("msgctl", { action: `remove message queue ${queue}` }).message);
  }
}
