/**
 * The test command under Node: `deno task test:node`.
 *
 * Runs every test of the npm build (`npm/tests/**\/*_test.js`, built by
 * `deno task build:npm`) with Node's test runner, one file at a time (the
 * leak checks compare the whole IPC namespace before and after each test),
 * from `npm/`, with the same suite-level checks as `deno task test`
 * (scripts/test.ts, see scripts/_test_guard.ts): a private IPC namespace
 * where `unshare --ipc` works, then no System V object and no process may be
 * left.
 *
 * Every Node process of the run, the test runner's and those the tests
 * start (a ProcessPool's workers), loads `npm/tests/_node/deno_shim.js`
 * (`--import` through `NODE_OPTIONS`): the `Deno` namespace the tests use.
 * Deno children of the tests (peers) run the library from source: they get
 * this deno through a wrapper (`UNIXIPC_TEST_DENO`) that maps paths into
 * the build to the source tree (`npm/xsi/mod.ts` to `xsi/mod.ts`).
 *
 * Extra arguments: those that start with `-` go to `node --test`
 * (`--test-name-pattern=...`), the others pick test files by a part of
 * their path (`tests/xsi/`, `message_queue_test.ts`). The last line is
 * `Node tests: N passed, N failed, N skipped`, after the name and reason of
 * every skipped test; exit 1 on any failure or leak.
 *
 * @module
 */

import { enterPrivateNamespace, finish, guardSuite, type Outcome, outcome } from "./_test_guard.ts";

const task = "deno task test:node";
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const npm = `${root}/npm`;
const shim = `${npm}/tests/_node/deno_shim.js`;
const extra = Deno.args;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const missing = [`${npm}/mod.js`, shim, `${npm}/node_modules/koffi`].filter((p) => !exists(p));
if (missing.length > 0) {
  console.error(
    `${task}: the npm build is missing (${
      missing.map((p) => p.slice(root.length + 1)).join(", ")
    }): run deno task build:npm first`,
  );
  Deno.exit(1);
}

await enterPrivateNamespace(task, import.meta.filename!, extra);

// ---- the test files ------------------------------------------------------------

function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...testFiles(path));
    else if (entry.isFile && entry.name.endsWith("_test.js")) files.push(path);
  }
  return files;
}

const nodeFlags = extra.filter((a) => a.startsWith("-"));
const filters = extra.filter((a) => !a.startsWith("-")).map((a) =>
  a.replace(/^(\.\/)?(npm\/)?/, "").replace(/\.ts$/, ".js")
);
const files = testFiles(`${npm}/tests`).map((p) => p.slice(npm.length + 1)).sort()
  .filter((p) => filters.length === 0 || filters.some((f) => p.includes(f)));
if (files.length === 0) {
  console.error(`${task}: no test file of npm/tests matches ${filters.join(", ")}`);
  Deno.exit(1);
}

// ---- the deno of Deno children -------------------------------------------------

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

const work = Deno.makeTempDirSync({ prefix: "unixipc-test-node-" });
const denoWrapper = `${work}/deno`;
Deno.writeTextFileSync(
  denoWrapper,
  `#!/bin/bash
# A Deno child of the Node tests: runs the library from source, so paths into
# the npm build are mapped to the source tree in every argument.
from=${shellQuote(`${npm}/`)}
to=${shellQuote(`${root}/`)}
args=()
for a in "$@"; do args+=("\${a//"$from"/"$to"}"); done
unset NODE_OPTIONS
exec ${shellQuote(Deno.execPath())} "\${args[@]}"
`,
  { mode: 0o755 },
);

// ---- the run -------------------------------------------------------------------

const junit = `${work}/junit.xml`;
const guard = guardSuite();
const nodeOptions = [Deno.env.get("NODE_OPTIONS"), `--import="${shim}"`].filter(Boolean);
const { code } = await new Deno.Command("node", {
  args: [
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=junit",
    `--test-reporter-destination=${junit}`,
    ...nodeFlags,
    ...files,
  ],
  cwd: npm,
  env: { NODE_OPTIONS: nodeOptions.join(" "), UNIXIPC_TEST_DENO: denoWrapper },
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;

const problems = await guard.problems();

// ---- the summary ---------------------------------------------------------------

let summary: Outcome | undefined;
try {
  // Tests that --test-name-pattern left out are skipped too; ours say why in their names.
  summary = outcome(Deno.readTextFileSync(junit), (name) => name.includes("[skipped"));
} catch {
  // node stopped before writing its report: its own output says why.
}
Deno.removeSync(work, { recursive: true });

finish("Node tests", summary, problems, code, "Skipped (each says why):");
