/**
 * Checks every libc layout of `endian/` against what the C compiler says.
 *
 *   deno run -A scripts/layout_probe.ts [--abi linux-x86_64|linux-aarch64] [--json]
 *
 * For the host's ABI it compiles and runs a probe that prints `sizeof`,
 * `_Alignof` and, for every field, `offsetof` and `sizeof`, then compares
 * them with the layouts. For another ABI it compiles (with that ABI's cross
 * compiler, `aarch64-linux-gnu-gcc`) a file of `_Static_assert`s that holds
 * only if every figure matches. Exits 1 on any difference, naming it, and 2
 * when the compiler is missing.
 *
 * @module
 */

import {
  type Abi,
  type AbiName,
  abis,
  hostAbi,
  type Layout,
  netLayouts,
  posixLayouts,
  sysvLayouts,
} from "../endian/mod.ts";

const headers = [
  "stddef.h",
  "time.h",
  "sys/time.h",
  "sys/types.h",
  "sys/ipc.h",
  "sys/msg.h",
  "sys/sem.h",
  "sys/shm.h",
  "sys/socket.h",
  "sys/un.h",
  "netinet/in.h",
  "sys/epoll.h",
  "poll.h",
  "signal.h",
  "sys/stat.h",
  "dirent.h",
  "sys/uio.h",
  "spawn.h",
];

/** One figure the compiler must agree with. */
interface Figure {
  readonly label: string;
  readonly expr: string;
  readonly expected: number;
}

function allLayouts(abi: Abi): Layout<unknown>[] {
  return [sysvLayouts(abi), netLayouts(abi), posixLayouts(abi)].flatMap(
    (set) => Object.values(set) as Layout<unknown>[],
  );
}

function figures(abi: Abi): Figure[] {
  const out: Figure[] = [];
  for (const layout of allLayouts(abi)) {
    const t = layout.name;
    const flexible = layout.fields.find((f) => f.flexible);
    if (flexible) {
      // C's sizeof counts the placeholder array (`char mtext[1]`); ours is the header.
      out.push({
        label: `offsetof(${t}, ${flexible.name})`,
        expr: `offsetof(${t}, ${flexible.name})`,
        expected: layout.size,
      });
    } else {
      out.push({ label: `sizeof(${t})`, expr: `sizeof(${t})`, expected: layout.size });
    }
    out.push({ label: `_Alignof(${t})`, expr: `_Alignof(${t})`, expected: layout.align });
    for (const field of layout.fields) {
      if (field.flexible) continue;
      out.push({
        label: `offsetof(${t}, ${field.name})`,
        expr: `offsetof(${t}, ${field.name})`,
        expected: field.offset,
      });
      out.push({
        label: `sizeof(((${t} *)0)->${field.name})`,
        expr: `sizeof(((${t} *)0)->${field.name})`,
        expected: field.size,
      });
    }
  }
  return out;
}

function prelude(): string {
  return ["#define _GNU_SOURCE", ...headers.map((h) => `#include <${h}>`), "#include <stdio.h>", ""]
    .join("\n");
}

/** A program that prints every figure as `label<TAB>value`. */
function runProbeSource(all: Figure[]): string {
  const lines = all.map((f) =>
    `  printf("%s\\t%zu\\n", ${JSON.stringify(f.label)}, (size_t)(${f.expr}));`
  );
  return `${prelude()}int main(void) {\n${lines.join("\n")}\n  return 0;\n}\n`;
}

/** A translation unit that compiles only if every figure matches. */
function staticProbeSource(all: Figure[]): string {
  const lines = all.map((f) =>
    `_Static_assert((${f.expr}) == ${f.expected}, ${
      JSON.stringify(`${f.label} is not ${f.expected}`)
    });`
  );
  return `${prelude()}${lines.join("\n")}\n`;
}

const compilers: Record<AbiName, string> = {
  "linux-x86_64": "x86_64-linux-gnu-gcc",
  "linux-aarch64": "aarch64-linux-gnu-gcc",
};

async function which(command: string): Promise<boolean> {
  const { code } = await new Deno.Command("sh", {
    args: ["-c", `command -v ${command}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return code === 0;
}

async function compile(compiler: string, args: string[]): Promise<{ ok: boolean; stderr: string }> {
  const { code, stderr } = await new Deno.Command(compiler, {
    args,
    stdout: "inherit",
    stderr: "piped",
  })
    .output();
  return { ok: code === 0, stderr: new TextDecoder().decode(stderr) };
}

/** Result of one probe. */
export interface ProbeResult {
  abi: AbiName;
  mode: "run" | "static";
  checked: number;
  differences: string[];
}

async function probe(abi: Abi): Promise<ProbeResult | "no-compiler"> {
  const all = figures(abi);
  const native = hostAbi === abi;
  let compiler = compilers[abi.name];
  if (native && !(await which(compiler))) compiler = "gcc";
  if (!(await which(compiler))) return "no-compiler";
  const dir = await Deno.makeTempDir({ prefix: "unixipc-probe-" });
  try {
    if (native) {
      const source = `${dir}/probe.c`;
      await Deno.writeTextFile(source, runProbeSource(all));
      const built = await compile(compiler, ["-std=gnu11", "-O0", "-o", `${dir}/probe`, source]);
      if (!built.ok) return { abi: abi.name, mode: "run", checked: 0, differences: [built.stderr] };
      const { stdout, code } = await new Deno.Command(`${dir}/probe`, { stdout: "piped" }).output();
      if (code !== 0) throw new Error(`The probe exited with ${code}`);
      const measured = new Map(
        new TextDecoder().decode(stdout).trim().split("\n").map((line) => {
          const [label, value] = line.split("\t");
          return [label!, Number(value)];
        }),
      );
      const differences = all
        .filter((f) => measured.get(f.label) !== f.expected)
        .map((f) => `${f.label}: gcc says ${measured.get(f.label)}, the layout says ${f.expected}`);
      return { abi: abi.name, mode: "run", checked: all.length, differences };
    }
    const source = `${dir}/probe_static.c`;
    await Deno.writeTextFile(source, staticProbeSource(all));
    const built = await compile(compiler, ["-std=gnu11", "-fsyntax-only", source]);
    const differences = built.ok
      ? []
      : built.stderr.split("\n").filter((l) => l.includes("error:"));
    return { abi: abi.name, mode: "static", checked: all.length, differences };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const args = Deno.args;
  const abiIndex = args.indexOf("--abi");
  const names = abiIndex >= 0 ? [args[abiIndex + 1] as AbiName] : (Object.keys(abis) as AbiName[]);
  let failed = false;
  for (const name of names) {
    const abi = abis[name];
    if (!abi) {
      console.error(
        `Unknown ABI ${JSON.stringify(name)}: choose ${Object.keys(abis).join(" or ")}`,
      );
      Deno.exit(2);
    }
    const result = await probe(abi);
    if (result === "no-compiler") {
      console.error(`${name}: no compiler (${compilers[name]}); install it to check this ABI`);
      Deno.exit(2);
    }
    if (args.includes("--json")) console.log(JSON.stringify(result));
    else if (result.differences.length === 0) {
      console.log(
        `${name}: ${result.checked} figures match gcc (${
          result.mode === "run" ? "measured" : "_Static_assert"
        })`,
      );
    } else {
      console.log(`${name}: ${result.differences.length} differences from gcc:`);
      for (const d of result.differences) console.log(`  ${d}`);
    }
    if (result.differences.length > 0) failed = true;
  }
  Deno.exit(failed ? 1 : 0);
}
