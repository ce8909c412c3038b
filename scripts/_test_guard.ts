/**
 * What the test commands share (`deno task test`, scripts/test.ts, and
 * `deno task test:node`, scripts/test_node.ts): the private IPC namespace
 * the run happens in, the suite-level checks of what the run left behind
 * (System V objects, orphaned processes), and the summary read from the
 * runner's JUnit report.
 *
 * @module
 */

import { libc } from "../ipc/_libc.ts";

const namespaceVariable = "UNIXIPC_TEST_NAMESPACE";

// ---- a private IPC namespace --------------------------------------------------

function canUnshare(): boolean {
  try {
    return new Deno.Command("unshare", { args: ["--ipc", "true"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false; // no unshare on PATH
  }
}

/**
 * Runs this script again in a private IPC namespace (`unshare --ipc --fork`)
 * and exits with its code, when it can and `UNIXIPC_TEST_NAMESPACE` is not
 * `0`; returns when this run is the one inside (or cannot have one).
 *
 * @param task The command's name for its messages (`deno task test`).
 * @param script The path of the script to run again.
 * @param args Its arguments.
 */
export async function enterPrivateNamespace(
  task: string,
  script: string,
  args: readonly string[],
): Promise<void> {
  const setting = Deno.env.get(namespaceVariable);
  Deno.env.delete(namespaceVariable); // the tests' own runs of the scripts choose afresh
  if (setting === "0" || setting === "inside") return;
  if (canUnshare()) {
    console.error(`${task}: running in a private IPC namespace (unshare --ipc)`);
    const { code } = await new Deno.Command("unshare", {
      args: ["--ipc", "--fork", "--", Deno.execPath(), "run", "--allow-all", script, ...args],
      env: { [namespaceVariable]: "inside" },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    Deno.exit(code);
  }
  console.error(
    `${task}: unshare --ipc is not available here; running in the host's IPC namespace, ` +
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

/** The suite-level checks: started before the run, asked after it. */
export interface SuiteGuard {
  /** What the run left behind (each a sentence); orphans still running are killed. */
  problems(): Promise<string[]>;
}

/**
 * Notes the System V objects that exist now and makes this process a child
 * subreaper, so that processes a test started and that outlived the test
 * process come back to it.
 */
export function guardSuite(): SuiteGuard {
  const subreaper = libc().prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
  const before = new Set(sysvObjects().map((o) => `${o.kind}:${o.id}`));
  return {
    async problems(): Promise<string[]> {
      const problems: string[] = [];
      const left = sysvObjects().filter((o) => !before.has(`${o.kind}:${o.id}`));
      if (left.length > 0) {
        problems.push(
          `The tests left ${left.length} System V object(s) behind: ${
            left.map((o) =>
              `${o.kind} id ${o.id} key 0x${(o.key >>> 0).toString(16).padStart(8, "0")}`
            ).join(", ")
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
      return problems;
    },
  };
}

// ---- the summary ---------------------------------------------------------------

/** The tests' outcome, from a JUnit report. */
export interface Outcome {
  passed: number;
  failed: number;
  /** The names of the skipped tests of ours: each says why. */
  skipped: string[];
}

function decodeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/**
 * Counts a JUnit report's test cases.
 *
 * @param xml The report.
 * @param ours Whether a skipped test is one of ours that says why (the
 *   runner's filters skip others, which are not counted).
 */
export function outcome(xml: string, ours: (name: string) => boolean): Outcome {
  const result: Outcome = { passed: 0, failed: 0, skipped: [] };
  // Attributes one by one: a value may hold a ">" (Node's reporter leaves it unescaped).
  const cases = /<testcase((?:\s+[\w:.-]+="[^"]*")*)\s*(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(cases)) {
    const body = match[2] ?? "";
    const name = decodeXml(/\sname="([^"]*)"/.exec(match[1]!)?.[1] ?? "");
    if (body.includes("<skipped")) {
      if (ours(name)) result.skipped.push(name);
    } else if (body.includes("<failure") || body.includes("<error")) result.failed++;
    else result.passed++;
  }
  return result;
}

/**
 * Prints the problems, the skipped tests and the last line
 * (`<label>: N passed, N failed, N skipped`), and exits: with the runner's
 * code when it failed, else 1 when the run left something behind, else 0.
 *
 * @param label The last line's first word(s): `Tests`, `Node tests`.
 * @param summary The outcome, unless the runner stopped before its report.
 * @param problems What the run left behind.
 * @param code The runner's exit code.
 * @param skippedHeading The line above the skipped tests.
 */
export function finish(
  label: string,
  summary: Outcome | undefined,
  problems: string[],
  code: number,
  skippedHeading = "Skipped (install what each names to run it):",
): never {
  if (problems.length > 0) console.error(`\n${problems.join("\n")}`);
  if (summary) {
    if (summary.skipped.length > 0) {
      console.log(`\n${skippedHeading}`);
      for (const name of summary.skipped) console.log(`  ${name}`);
    }
    // Only the test runner's failures count as failed tests; leaks fail the run on their own.
    console.log(
      `\n${label}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped.length} skipped`,
    );
  }
  Deno.exit(code !== 0 ? code : problems.length > 0 ? 1 : 0);
}
