/**
 * `deno task build:npm`: builds the npm package `unixipc` into `npm/` from the
 * same source, for Node 20 and later (FFI through koffi).
 *
 * 1. Stages the library (`mod.ts` and the directories of deno.json's
 *    `exports`), `tests/`, `examples/`, `scripts/examples/` and any other file
 *    of the repository that those import, into a temp dir, keeping the tree.
 *    - The runtime seam: `dir/X.ts` with a sibling `dir/X.node.ts` is staged
 *      with the content of `X.node.ts`; no `.node.ts` is staged.
 *    - Specifiers (after deno.json's `imports` map): `npm:name@version/sub`
 *      becomes `name/sub`, and `name@version` a dependency (of the package
 *      for the library's imports, a dev dependency for the others'); the
 *      package's own JSR name becomes
 *      `unixipc` (Node resolves a package's imports of itself by name);
 *      `node:` stays. tsc rewrites relative `.ts` imports to `.js`
 *      (`rewriteRelativeImportExtensions`).
 * 2. Writes `npm/package.json` and runs `npm install` there (typescript, the
 *    Node types, koffi), unless `npm/node_modules` already matches it.
 * 3. Compiles with tsc, two programs at once: the library with full type
 *    checking and declarations into `npm/` (the package root is the compiled
 *    root: `npm/mod.js`, `npm/ipc/mod.js`, ...), and the tests, examples and
 *    scripts without type checking (they use the Deno namespace) into
 *    `npm/tests/`, `npm/examples/`, `npm/scripts/`.
 * 4. Copies README.md (its imports named as on npm: `unixipc/ipc`) and
 *    LICENSE, and has Node import every entry point.
 *
 * `--no-check` compiles the library without type checking too (for a seam
 * in progress); `--keep-stage` keeps the staged tree and prints its path.
 * Exits 1 with the tool's output when npm or tsc fails.
 *
 * @module
 */

const TYPESCRIPT = "5.9.3"; // 6.x and later change defaults and options; move deliberately
const TYPES_NODE = "^20";
const NODE_ENGINE = ">=20";
const DESCRIPTION = "The classic Unix IPC toolbox: pipes, FIFOs, child processes with inherited " +
  "fds, System V message queues, semaphores and shared memory, UDP and TCP sockets, " +
  "byte order and C struct layouts";
const EXTRA_ROOTS = ["tests", "examples", "scripts/examples"];
const NPM_NAME = "unixipc";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const out = `${root}/npm`;
const check = !Deno.args.includes("--no-check");
const keepStage = Deno.args.includes("--keep-stage");
const started = performance.now();
const stage = await Deno.makeTempDir({ prefix: "unixipc-npm-" });

interface DenoJson {
  name: string;
  version: string;
  license?: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
  compilerOptions?: Record<string, unknown>;
}
const denoJson = JSON.parse(Deno.readTextFileSync(`${root}/deno.json`)) as DenoJson;

function say(line: string): void {
  console.log(`build:npm: ${line}`);
}

function fail(message: string, output?: string): never {
  if (output) console.error(output.trimEnd());
  console.error(`build:npm: ${message}`);
  if (keepStage) console.error(`build:npm: staged tree kept in ${stage}`);
  else Deno.removeSync(stage, { recursive: true });
  Deno.exit(1);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Every file under `dir` (relative to the root), skipping dot files and node_modules. */
function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(`${root}/${dir}`)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...walk(path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** Joins a relative specifier onto a directory (both relative to the root); null if it leaves it. */
function join(dir: string, specifier: string): string | null {
  const parts = dir === "" ? [] : dir.split("/");
  for (const part of specifier.split("/")) {
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

// ---- 1. stage ------------------------------------------------------------------

// Import and export specifiers: `from "x"`, `import "x"`, `import("x")`. Comments match too,
// which is what we want for the doc examples of the declarations.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\2/g;
const NPM_SPECIFIER = /^npm:((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/;

const libraryDirs = Object.values(denoJson.exports)
  .map((path) => dirname(path.replace(/^\.\//, "")))
  .filter((dir) => dir !== "");
const libraryRootFiles = Object.values(denoJson.exports)
  .map((path) => path.replace(/^\.\//, ""))
  .filter((path) => !path.includes("/"));
const isLibrary = (path: string): boolean =>
  libraryRootFiles.includes(path) || libraryDirs.some((dir) => path.startsWith(`${dir}/`));

const dependencies = new Map<string, string>(); // the library's npm: imports
const devDependencies = new Map<string, string>(); // the tests' and examples'
const warnings: string[] = [];

/** Whether a specifier names this package by its JSR name (`@unixipc/unixipc/ipc`). */
const isSelf = (specifier: string): boolean =>
  specifier === denoJson.name || specifier.startsWith(`${denoJson.name}/`);

/** deno.json's import map: an exact key, or the longest key ending in "/" that prefixes it. */
function mapImport(specifier: string): string {
  const imports = denoJson.imports ?? {};
  if (imports[specifier] !== undefined) return imports[specifier]!;
  const prefix = Object.keys(imports)
    .filter((key) => key.endsWith("/") && specifier.startsWith(key))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? specifier : imports[prefix]! + specifier.slice(prefix.length);
}

function rewrite(text: string, path: string, pending: string[]): string {
  return text.replace(
    SPECIFIER,
    (_, lead: string, quote: string, specifier: string, at: number) => {
      const line = () => `${path}:${text.slice(0, at).split("\n").length}`;
      let mapped = mapImport(specifier);
      const npm = NPM_SPECIFIER.exec(mapped);
      if (npm) {
        const [, name, version, sub] = npm as unknown as [string, string, string?, string?];
        if (!version) fail(`${line()}: ${mapped} has no version; pin one (npm:${name}@x.y.z)`);
        const table = isLibrary(path) ? dependencies : devDependencies;
        const known = table.get(name!);
        if (known !== undefined && known !== version) {
          fail(`${line()}: ${mapped} asks for ${name}@${version}, another import for ${known}`);
        }
        table.set(name!, version!);
        mapped = `${name}${sub ?? ""}`;
      } else if (isSelf(mapped)) {
        mapped = NPM_NAME + mapped.slice(denoJson.name.length);
      } else if (/^(jsr|https?):/.test(mapped)) {
        warnings.push(`${line()}: ${mapped} left as is (Node cannot import it)`);
      } else if (/^\.\.?\//.test(specifier) && specifier.endsWith(".ts")) {
        const target = join(dirname(path), specifier);
        if (target !== null) pending.push(target);
      }
      return `${lead}${quote}${mapped}${quote}`;
    },
  );
}

const staged = new Map<string, string>(); // staged path -> source path (X.node.ts for the seam)

function stageAll(): void {
  const pending = [
    ...libraryRootFiles,
    ...[...libraryDirs, ...EXTRA_ROOTS].flatMap(walk),
  ];
  while (pending.length > 0) {
    const path = pending.shift()!;
    if (staged.has(path)) continue;
    if (path.endsWith(".node.ts")) {
      const twin = path.replace(/\.node\.ts$/, ".ts");
      if (!isFile(`${root}/${twin}`)) fail(`${path} has no ${twin} to stand in for`);
      continue;
    }
    if (!isFile(`${root}/${path}`)) continue; // a missing import: tsc says so
    const twin = path.replace(/\.ts$/, ".node.ts");
    const source = path.endsWith(".ts") && isFile(`${root}/${twin}`) ? twin : path;
    staged.set(path, source);
    Deno.mkdirSync(`${stage}/${dirname(path)}`, { recursive: true });
    if (path.endsWith(".ts")) {
      const text = Deno.readTextFileSync(`${root}/${source}`);
      Deno.writeTextFileSync(`${stage}/${path}`, rewrite(text, path, pending));
    } else {
      Deno.copyFileSync(`${root}/${source}`, `${stage}/${path}`);
    }
  }
}

stageAll();
const seams = [...staged.values()].filter((source) => source.endsWith(".node.ts"));
say(
  `staged ${staged.size} files` +
    (seams.length > 0 ? ` (${seams.length} from .node.ts: ${seams.join(", ")})` : " (no .node.ts)"),
);
for (const warning of warnings) say(`warning: ${warning}`);

// ---- 2. package.json and npm install --------------------------------------------

const exportsField: Record<string, { types: string; default: string }> = {};
for (const [key, path] of Object.entries(denoJson.exports)) {
  const base = path.replace(/\.ts$/, "");
  exportsField[key] = { types: `${base}.d.ts`, default: `${base}.js` };
}
const sorted = (map: Map<string, string>) => Object.fromEntries([...map].sort());
const devDeps = {
  ...sorted(devDependencies),
  "@types/node": TYPES_NODE,
  typescript: TYPESCRIPT,
};
const packageJson = {
  name: NPM_NAME,
  version: denoJson.version,
  description: DESCRIPTION,
  license: denoJson.license ?? "MIT",
  keywords: ["ipc", "unix", "sysv", "message-queue", "semaphore", "shared-memory", "fifo", "ffi"],
  type: "module",
  sideEffects: sideEffects(),
  main: exportsField["."]!.default,
  types: exportsField["."]!.types,
  exports: exportsField,
  files: [
    ...libraryRootFiles.flatMap((f) => [f.replace(/\.ts$/, ".js"), f.replace(/\.ts$/, ".d.ts")]),
    ...libraryDirs.map((dir) => `${dir}/`),
    "README.md",
    "LICENSE",
  ],
  engines: { node: NODE_ENGINE },
  os: ["linux"], // the README's platforms: Linux with glibc on x86_64 and aarch64
  cpu: ["x64", "arm64"],
  dependencies: sorted(dependencies),
  devDependencies: devDeps,
};

/**
 * Library modules a bundler must not drop even when none of their exports is used: those that
 * fill in another module's hooks when they load (a `static {}` block: `address.ts`,
 * `tcp_connection.ts`), and the targets of bare imports (`import "./tcp_connection.ts"`).
 * Importing never calls libc; the rest is side-effect free.
 */
function sideEffects(): string[] {
  const files = new Set<string>();
  for (const path of staged.keys()) {
    if (!isLibrary(path) || !path.endsWith(".ts")) continue;
    const text = Deno.readTextFileSync(`${stage}/${path}`);
    if (/^\s*static\s*\{/m.test(text)) files.add(path);
    for (const [, target] of text.matchAll(/^import\s*["'](\.\.?\/[^"']+\.ts)["']/gm)) {
      const resolved = join(dirname(path), target!);
      if (resolved !== null) files.add(resolved);
    }
  }
  return [...files].sort().map((path) => `./${path.replace(/\.ts$/, ".js")}`);
}

// Old output goes; node_modules and the lockfile stay (npm install reconciles them).
Deno.mkdirSync(out, { recursive: true });
for (const entry of Deno.readDirSync(out)) {
  if (entry.name === "node_modules" || entry.name === "package-lock.json") continue;
  Deno.removeSync(`${out}/${entry.name}`, { recursive: true });
}
Deno.writeTextFileSync(`${out}/package.json`, JSON.stringify(packageJson, null, 2) + "\n");

function installed(): boolean {
  const same = (a: Record<string, string> = {}, b: Record<string, string>) =>
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  try {
    const lock = JSON.parse(Deno.readTextFileSync(`${out}/package-lock.json`));
    const top = lock.packages?.[""] ?? {};
    return isFile(`${out}/node_modules/.package-lock.json`) &&
      isFile(`${out}/node_modules/typescript/bin/tsc`) &&
      same(top.dependencies, packageJson.dependencies) &&
      same(top.devDependencies, packageJson.devDependencies);
  } catch {
    return false;
  }
}

async function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ success: boolean; output: string }> {
  const { success, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { success, output: decode(stdout) + decode(stderr) };
}

const wanted = Object.entries({ ...packageJson.dependencies, ...packageJson.devDependencies })
  .map(([name, version]) => `${name}@${version}`).join(", ");
if (installed()) {
  say(`npm/node_modules is up to date (${wanted})`);
} else {
  const since = performance.now();
  const npm = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], out);
  if (!npm.success) fail("npm install failed in npm/", npm.output);
  say(`npm install: ${wanted} (${seconds(since)})`);
}

// ---- 3. tsc --------------------------------------------------------------------

const libraryFiles = [...staged.keys()].filter((p) => isLibrary(p) && p.endsWith(".ts"));
const otherFiles = [...staged.keys()].filter((p) => !isLibrary(p) && p.endsWith(".ts"));
const restOut = `${out}/.rest`; // in npm/, so that moving its output is a rename

// deno.json's checks, minus what only Deno understands.
const denoOptions = Object.fromEntries(
  Object.entries(denoJson.compilerOptions ?? {}).filter(([k]) => !/^(lib|types|jsx)/.test(k)),
);
const compilerOptions = {
  ...denoOptions,
  target: "ES2022", // Node 20: `using` and `await using` are downleveled
  module: "NodeNext",
  moduleResolution: "NodeNext",
  // What Node 20 has, so that the check catches what it lacks: ES2023, and of ES2024 the string
  // (isWellFormed), ArrayBuffer (resize) and Atomics.waitAsync parts; not Promise.withResolvers,
  // Object.groupBy or Array.fromAsync. Not esnext.disposable either: @types/node gives
  // Symbol.dispose and the Disposable interfaces, which Node 20 has, and not DisposableStack or
  // SuppressedError, which it lacks (tsc's `using` helper brings its own SuppressedError).
  lib: ["es2023", "es2024.string", "es2024.arraybuffer", "es2024.sharedmemory"],
  types: ["node"],
  allowImportingTsExtensions: true,
  rewriteRelativeImportExtensions: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  newLine: "lf",
  rootDir: ".",
  noEmitOnError: true,
};
Deno.writeTextFileSync(`${stage}/package.json`, '{ "type": "module" }\n'); // .ts files are ESM
Deno.symlinkSync(`${out}/node_modules`, `${stage}/node_modules`); // koffi and the types
Deno.writeTextFileSync(
  `${stage}/tsconfig.library.json`,
  JSON.stringify({
    compilerOptions: { ...compilerOptions, outDir: out, declaration: true, noCheck: !check },
    files: libraryFiles,
  }),
);
Deno.writeTextFileSync(
  `${stage}/tsconfig.others.json`,
  JSON.stringify({
    compilerOptions: { ...compilerOptions, outDir: restOut, noCheck: true },
    files: otherFiles,
  }),
);

/** tsc's diagnostics name staged files: name the seam's sources instead. */
function sourceNames(output: string): string {
  let text = output;
  for (const [path, source] of staged) {
    if (path === source) continue;
    text = text.replaceAll(
      new RegExp(`(^|\\s)${path.replaceAll(".", "\\.")}\\(`, "gm"),
      `$1${source}(`,
    );
  }
  return text;
}

const tscPath = `${out}/node_modules/typescript/bin/tsc`;
const tscSince = performance.now();
const [library, others] = await Promise.all(
  ["library", "others"].map((name) =>
    run("node", [tscPath, "-p", `tsconfig.${name}.json`, "--pretty", "false"], stage)
  ),
);
if (!library!.success) {
  const count = library!.output.match(/error TS\d+/g)?.length ?? 0;
  const errors = `${count} error${count === 1 ? "" : "s"}`;
  fail(`tsc ${TYPESCRIPT} failed on the library (${errors})`, sourceNames(library!.output));
}
if (!others!.success) {
  fail(`tsc ${TYPESCRIPT} failed on tests/examples/scripts`, sourceNames(others!.output));
}
// That program emitted the library again, unchecked: keep only its own files.
for (const top of new Set(otherFiles.map((path) => path.split("/")[0]!))) {
  const name = top.replace(/\.ts$/, ".js");
  Deno.renameSync(`${restOut}/${name}`, `${out}/${name}`);
}
Deno.removeSync(restOut, { recursive: true });

// Files that are not TypeScript (fixtures, data) go as they are.
for (const path of staged.keys()) {
  if (path.endsWith(".ts")) continue;
  Deno.mkdirSync(`${out}/${dirname(path)}`, { recursive: true });
  Deno.copyFileSync(`${stage}/${path}`, `${out}/${path}`);
}

// Declarations keep the `.ts` of relative specifiers (tsc rewrites only the JS): make them `.js`.
const DTS_RELATIVE = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?\/[^"'\n]*?)\.ts\2/g;
let declarations = 0;
for (const path of libraryFiles) {
  const file = `${out}/${path.replace(/\.ts$/, ".d.ts")}`;
  if (!isFile(file)) continue;
  const text = Deno.readTextFileSync(file);
  const fixed = text.replace(DTS_RELATIVE, "$1$2$3.js$2");
  if (fixed !== text) Deno.writeTextFileSync(file, fixed);
  declarations++;
}
say(
  `tsc ${TYPESCRIPT}: library ${check ? "type-checked" : "NOT type-checked (--no-check)"}, ` +
    `${libraryFiles.length} files + ${declarations} declarations; ` +
    `${otherFiles.length} tests/examples/scripts, no check (${seconds(tscSince)})`,
);

// ---- 4. README, LICENSE, and a first import -------------------------------------

for (const file of ["README.md", "LICENSE"]) {
  if (!isFile(`${root}/${file}`)) fail(`${file} is missing at the repository root`);
}
// The README's examples import the package by the name npm users have for it.
const readme = Deno.readTextFileSync(`${root}/README.md`).replace(
  SPECIFIER,
  (whole, lead: string, quote: string, specifier: string) =>
    isSelf(specifier)
      ? `${lead}${quote}${NPM_NAME}${specifier.slice(denoJson.name.length)}${quote}`
      : whole,
);
Deno.writeTextFileSync(`${out}/README.md`, readme);
Deno.copyFileSync(`${root}/LICENSE`, `${out}/LICENSE`);

// Node resolves the package's own name from inside it: this checks `exports` and every import.
const entries = Object.keys(denoJson.exports).map((key) => NPM_NAME + key.slice(1));
const importAll = `for (const name of ${JSON.stringify(entries)}) await import(name);`;
const imported = await run("node", ["--input-type=module", "-e", importAll], out);
if (!imported.success) fail(`Node 20 cannot import the package`, imported.output);
say(`node imports ${entries.join(", ")}`);

if (keepStage) say(`staged tree kept in ${stage}`);
else Deno.removeSync(stage, { recursive: true });
say(`npm/ holds ${NPM_NAME} ${denoJson.version}, built in ${seconds(started)}`);
