/**
 * The test command: `deno task test`.
 *
 * Runs every test (and every documentation example, which must run too) with
 * `deno test`, then checks what the whole run left behind:
 *
 * - System V objects: any message queue, semaphore set or shared memory
 *   segment that exists at the end and did not at the start fails the run.
 * - Processes: this script makes itself a child subreaper
 *   (`PR_SET_CHILD_SUBREAPER`), so a process that a test started and that
 *   outlived the test process (a grandchild, say) becomes this script's
 *   child; any such process at the end fails the run, and is killed.
 *
 * (fds need no suite-level check: they die with the test process; the
 * per-test guard of `tests/_util.ts` catches them.)
 *
 * When it can (as root, or wherever `unshare --ipc` works), the whole run
 * happens in a private IPC namespace: other programs' System V objects can
 * then neither confuse the checks nor be touched by the tests, and a leaked
 * object dies with the namespace once it has been reported. Set
 * `UNIXIPC_TEST_NAMESPACE=0` to run in the current namespace.
 *
 * Extra arguments go to `deno test` (a file, `--filter`, ...). The last line
 * is `Tests: N passed, N failed, N skipped`, after the name and reason of
 * every skipped test.
 *
 * @module
 */

import { libc } from "../ipc/_libc.ts";

const namespaceVariable = "UNIXIPC_TEST_NAMESPACE";
const extra = Deno.args;

// ---- a private IPC namespace --------------------------------------------------

function canUnshare(): boolean {
  try {
    return new Deno.Command("unshare", { args: ["--ipc", "true"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false; // no unshare on PATH
  }
}

const namespaceSetting = Deno.env.get(namespaceVariable);
Deno.env.delete(namespaceVariable); // the tests' own runs of this script choose afresh
if (namespaceSetting !== "0" && namespaceSetting !== "inside") {
  if (canUnshare()) {
    console.error("deno task test: running in a private IPC namespace (unshare --ipc)");
    const { code } = await new Deno.Command("unshare", {
      args: [
        "--ipc",
        "--fork",
        "--",
        Deno.execPath(),
        "run",
        "--allow-all",
        import.meta.filename!,
        ...extra,
      ],
      env: { [namespaceVariable]: "inside" },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    Deno.exit(code);
  }
  console.error(
    "deno task test: unshare --ipc is not available here; running in the host's IPC namespace, " +
      "where other programs' System V objects can make the leak check fail",
  );
}

// ---- what the run leaves behind ------------------------------------------------

/** Every System V object that exists now, as `kind:id` with its key. */
function sysvObjects(): { kind: string; id: string; key: number }[] {
  return ["msg", "sem", "shm"].flatMap((kind) =>
    Deno.readTextFileSync(`/proc/sysvipc/${kind}`).trim().split("\n").slice(1).map((line) => {
      const [key, id] = line.trim().split(/\s+/);
      return { kind, id: id!, key: Number(key) };
    })
  );
}

/** This process's children: after the run, only orphans that tests left. */
function children(): number[] {
  const pids: number[] = [];
  for (const task of Deno.readDirSync("/proc/self/task")) {
    const text = Deno.readTextFileSync(`/proc/self/task/${task.name}/children`).trim();
    if (text) pids.push(...text.split(/\s+/).map(Number));
  }
  return pids;
}

function commandLine(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").join(" ").trim() ||
      "(exited)";
  } catch {
    return "(exited)";
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) [ZX] /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return true;
  }
}

const PR_SET_CHILD_SUBREAPER = 36;
const SIGKILL = 9;
const subreaper = libc().prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;

// ---- the run -------------------------------------------------------------------

const sources = ["README.md", "mod.ts", "endian/", "ipc/", "xsi/", "net/"];
const targets = extra.some((a) => !a.startsWith("-")) ? [] : ["tests/", ...sources];
const junit = await Deno.makeTempFile({ prefix: "unixipc-junit-", suffix: ".xml" });

const before = new Set(sysvObjects().map((o) => `${o.kind}:${o.id}`));
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", "--doc", `--junit-path=${junit}`, ...extra, ...targets],
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;

const problems: string[] = [];

const left = sysvObjects().filter((o) => !before.has(`${o.kind}:${o.id}`));
if (left.length > 0) {
  problems.push(
    `The tests left ${left.length} System V object(s) behind: ${
      left.map((o) => `${o.kind} id ${o.id} key 0x${(o.key >>> 0).toString(16).padStart(8, "0")}`)
        .join(", ")
    }`,
  );
}

if (subreaper) {
  // Orphans reparent to us as their parents exit; give the last ones a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Those that have exited (zombies: a test killed them, or they finished) are
  // reaped quietly; those still running are the leaks.
  const orphans: { pid: number; command: string }[] = [];
  for (const pid of children()) {
    if (isZombie(pid)) libc().waitpid(pid, null, 0);
    else orphans.push({ pid, command: commandLine(pid) });
  }
  if (orphans.length > 0) {
    problems.push(
      `The tests left ${orphans.length} process(es) running: ${
        orphans.map((o) => `pid ${o.pid} (${o.command})`).join(", ")
      }; killed them`,
    );
    for (const { pid } of orphans) {
      libc().kill(pid, SIGKILL);
      libc().waitpid(pid, null, 0);
    }
  }
}

// ---- the summary ---------------------------------------------------------------

interface Outcome {
  passed: number;
  failed: number;
  skipped: string[];
}

function decodeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

function outcome(xml: string): Outcome {
  const result: Outcome = { passed: 0, failed: 0, skipped: [] };
  for (const match of xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const body = match[2]!;
    const name = decodeXml(match[1]!);
    // Tests that --filter left out are <skipped> too; ours say why in their names.
    if (body.includes("<skipped")) {
      if (name.includes("[skipped: ")) result.skipped.push(name);
    } else if (body.includes("<failure") || body.includes("<error")) result.failed++;
    else result.passed++;
  }
  return result;
}

let summary: Outcome | undefined;
try {
  summary = outcome(await Deno.readTextFile(junit));
} catch {
  // deno test stopped before writing its report (a type error): its own output says why.
}
await Deno.remove(junit).catch(() => {});

if (problems.length > 0) console.error(`\n${problems.join("\n")}`);
if (summary) {
  if (summary.skipped.length > 0) {
    console.log(`\nSkipped (install what each names to run it):`);
    for (const name of summary.skipped) console.log(`  ${name}`);
  }
  // Only the test runner's failures count as failed tests; leaks fail the run on their own.
  console.log(
    `\nTests: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped.length} skipped`,
  );
}
Deno.exit(code !== 0 ? code : problems.length > 0 ? 1 : 0);
