/**
 * `deno task examples`: runs every example of the project and checks what it
 * prints. `deno task examples:node` (`--node`) runs the same scenarios with
 * Node and the npm build: `node npm/examples/<module>/<program>.js` instead
 * of `deno run examples/<module>/<program>.ts` (build it first with
 * `deno task build:npm`).
 *
 * Each file `scripts/examples/<module>.ts` (files starting with `_` aside) is
 * a scenario: its default export runs that module's examples through the
 * {@linkcode Scenario} of `scripts/examples/_harness.ts`, which prints `ok` or
 * `FAIL` for each. Arguments pick scenarios by name (`deno task examples
 * endian`). Ends with `Examples (deno): N passed, N failed` (or `(node)`);
 * exits 1 if any example failed.
 *
 * @module
 */

import {
  type ExampleResult,
  makeScenario,
  type Runtime,
  type Scenario,
} from "./examples/_harness.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const directory = `${root}/scripts/examples`;

const options = Deno.args.filter((a) => a.startsWith("-"));
const badOptions = options.filter((o) => o !== "--node");
if (badOptions.length > 0) {
  console.error(`Unknown option ${badOptions.join(", ")} (the one option is --node)`);
  Deno.exit(2);
}
const runtime: Runtime = options.includes("--node") ? "node" : "deno";
if (runtime === "node") checkNpmBuild();

const wanted = Deno.args.filter((a) => !a.startsWith("-"));
const files = [...Deno.readDirSync(directory)]
  .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_"))
  .map((e) => e.name.replace(/\.ts$/, ""))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

const unknown = wanted.filter((name) => !files.includes(name));
if (unknown.length > 0) {
  console.error(`No scenario named ${unknown.join(", ")} in scripts/examples/`);
  Deno.exit(2);
}

const results: ExampleResult[] = [];
for (const name of files) {
  console.log(`\n${name} (scripts/examples/${name}.ts)`);
  const before = results.length;
  try {
    const module = await import(`${directory}/${name}.ts`) as {
      default?: (t: Scenario) => Promise<void>;
    };
    if (typeof module.default !== "function") {
      throw new Error(`scripts/examples/${name}.ts has no default export function`);
    }
    await module.default(makeScenario(name, root, results, runtime));
    if (results.length === before) throw new Error("it ran no example");
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.push({ scenario: name, name: "(the scenario itself)", error: message, ms: 0 });
    console.log(`  FAIL  the scenario threw\n${message.replace(/^/gm, "        ")}`);
  }
}

const failed = results.filter((r) => r.error !== undefined);
if (failed.length > 0) {
  console.log(`\nFailed:`);
  for (const r of failed) console.log(`  ${r.scenario}: ${r.name}`);
}
console.log(
  `\nExamples (${runtime}): ${results.length - failed.length} passed, ${failed.length} failed`,
);
Deno.exit(failed.length > 0 ? 1 : 0);

/**
 * Exits 1 unless the npm build and node are there; warns when a source is
 * newer than the build (its examples would run yesterday's code).
 */
function checkNpmBuild(): void {
  const built = (path: string) => {
    try {
      return Deno.statSync(`${root}/npm/${path}`).mtime?.getTime() ?? 0;
    } catch {
      return undefined;
    }
  };
  const missing = ["mod.js", "examples", "node_modules/koffi"].filter((p) =>
    built(p) === undefined
  );
  if (missing.length > 0) {
    console.error(
      `The npm build is missing (no npm/${missing[0]}): run \`deno task build:npm\` first`,
    );
    Deno.exit(1);
  }
  try {
    new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
  } catch {
    console.error("No node on PATH: the Node mode runs the examples with `node`");
    Deno.exit(1);
  }
  const buildTime = built("mod.js")!;
  const newer = (dir: string): string | undefined => {
    for (const entry of Deno.readDirSync(`${root}/${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        const found = newer(path);
        if (found) return found;
      } else if (entry.name.endsWith(".ts")) {
        if ((Deno.statSync(`${root}/${path}`).mtime?.getTime() ?? 0) > buildTime) return path;
      }
    }
    return undefined;
  };
  const stale = ["endian", "ipc", "xsi", "net", "examples"].map(newer).find((p) => p);
  if (stale) {
    console.error(
      `warning: ${stale} is newer than the npm build: run \`deno task build:npm\` to test it`,
    );
  }
}
