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
 * The namespace, the checks and the summary are shared with
 * `deno task test:node` (scripts/test_node.ts): scripts/_test_guard.ts.
 *
 * @module
 */

import { enterPrivateNamespace, finish, guardSuite, type Outcome, outcome } from "./_test_guard.ts";

const extra = Deno.args;

await enterPrivateNamespace("deno task test", import.meta.filename!, extra);

// ---- the run -------------------------------------------------------------------

const sources = ["README.md", "mod.ts", "endian/", "ipc/", "xsi/", "net/"];
const targets = extra.some((a) => !a.startsWith("-")) ? [] : ["tests/", ...sources];
const junit = await Deno.makeTempFile({ prefix: "unixipc-junit-", suffix: ".xml" });

const guard = guardSuite();
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", "--doc", `--junit-path=${junit}`, ...extra, ...targets],
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;

const problems = await guard.problems();

// ---- the summary ---------------------------------------------------------------

let summary: Outcome | undefined;
try {
  // Tests that --filter left out are <skipped> too; ours say why in their names.
  summary = outcome(await Deno.readTextFile(junit), (name) => name.includes("[skipped: "));
} catch {
  // deno test stopped before writing its report (a type error): its own output says why.
}
await Deno.remove(junit).catch(() => {});

finish("Tests", summary, problems, code);
