/**
 * `deno task examples`: runs every example of the project and checks what it
 * prints.
 *
 * Each file `scripts/examples/<module>.ts` (files starting with `_` aside) is
 * a scenario: its default export runs that module's examples through the
 * {@linkcode Scenario} of `scripts/examples/_harness.ts`, which prints `ok` or
 * `FAIL` for each. Arguments pick scenarios by name (`deno task examples
 * endian`). Exits 1 if any example failed.
 *
 * @module
 */

import { type ExampleResult, makeScenario, type Scenario } from "./examples/_harness.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const directory = `${root}/scripts/examples`;

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
    await module.default(makeScenario(name, root, results));
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
console.log(`\nExamples: ${results.length - failed.length} passed, ${failed.length} failed`);
Deno.exit(failed.length > 0 ? 1 : 0);
