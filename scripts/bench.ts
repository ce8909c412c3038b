/**
 * `deno task bench`: runs every benchmark of the project.
 *
 * - `scripts/bench/<module>.ts`: a script that measures in one run, against
 *   C compiled by itself where there is a C equivalent, and prints a table
 *   with ratios (absolute times on a shared machine mean little; ratios in
 *   the same run do). Run as `deno run -A <file> [args]`.
 * - `scripts/bench/<name>_bench.ts`: in-process `Deno.bench` files, run with
 *   `deno bench -A`.
 * - Files starting with `_` are helpers.
 *
 * Arguments: scenario names to run (`deno task bench core`), and flags
 * passed on to each script (`--quick` for fewer rounds). Exits 1 if any
 * benchmark failed.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const directory = `${root}/scripts/bench`;
const names = Deno.args.filter((a) => !a.startsWith("-"));
const flags = Deno.args.filter((a) => a.startsWith("-"));

const files = [...Deno.readDirSync(directory)]
  .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_"))
  .map((e) => e.name)
  .filter((file) =>
    names.length === 0 || names.includes(file.replace(/\.ts$/, "")) ||
    names.includes(file.replace(/(_bench)?\.ts$/, ""))
  )
  .sort();

if (files.length === 0) {
  console.error(
    `No benchmark${names.length ? ` named ${names.join(", ")}` : ""} in scripts/bench/`,
  );
  Deno.exit(2);
}

const failed: string[] = [];
for (const file of files) {
  const inProcess = file.endsWith("_bench.ts");
  console.log(`\n== scripts/bench/${file}${inProcess ? " (deno bench)" : ""}\n`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: inProcess
      ? ["bench", "--allow-all", `${directory}/${file}`]
      : ["run", "--allow-all", `${directory}/${file}`, ...flags],
    cwd: root,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (code !== 0) failed.push(file);
}

console.log(
  `\nBenchmarks: ${files.length - failed.length} ran, ${failed.length} failed${
    failed.length ? ` (${failed.join(", ")})` : ""
  }`,
);
Deno.exit(failed.length > 0 ? 1 : 0);
