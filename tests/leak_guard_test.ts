// Proves that the leak guards work: the per-test guard of tests/_util.ts and
// the suite-level checks of scripts/test.ts. Each test runs tests that leak
// on purpose (tests/_fixtures/leaks.ts) in a subprocess, checks that the
// guard failed them and named the leak, then removes what they leaked.
import assert from "node:assert/strict";
import { libc } from "../ipc/_libc.ts";
import { deno, run, sysvObjects, test } from "./_util.ts";

const fixture = new URL("./_fixtures/leaks.ts", import.meta.url).pathname;
const testScript = new URL("../scripts/test.ts", import.meta.url).pathname;
const IPC_RMID = 0;

/** What the fixture said it leaked: `LEAKED <kind> <id>` lines. */
function leaked(output: string, kind: string): number[] {
  return [...output.matchAll(new RegExp(`^LEAKED ${kind} (\\d+)$`, "gm"))].map((m) => Number(m[1]));
}

/** Removes message queues and kills processes the fixture leaked, whatever the test found. */
function cleanUp(output: string): void {
  for (const id of leaked(output, "msg")) libc().msgctl(id, IPC_RMID, null);
  for (const pid of leaked(output, "child")) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

/** Waits up to a second for a killed process to be gone (or a zombie). */
async function diesSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && processAlive(pid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !processAlive(pid);
}

async function runLeakingTest(name: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await run(deno, [
    "test",
    "--allow-all",
    `--filter=/^${name}$/`,
    fixture,
  ], { env: { NO_COLOR: "1" } });
  return { code, output: stdout + stderr };
}

test("the per-test guard fails a test that leaves an fd open, naming it", async () => {
  const { code, output } = await runLeakingTest("leaks an fd");
  const [fd] = leaked(output, "fd");
  assert.ok(fd !== undefined, output);
  assert.notEqual(code, 0);
  assert.match(output, new RegExp(`The test left behind: fd ${fd} -> /dev/null`));
  assert.match(output, /0 passed \| 1 failed/);
}, { denoOnly: "checks the guards of deno test, in a Deno child" });

test("the per-test guard fails a test that leaves a child process, naming its pid", async () => {
  const { code, output } = await runLeakingTest("leaks a child");
  try {
    const [pid] = leaked(output, "child");
    assert.ok(pid !== undefined, output);
    assert.notEqual(code, 0);
    assert.match(output, new RegExp(`The test left behind: child process ${pid}\\b`));
  } finally {
    cleanUp(output);
  }
  for (const pid of leaked(output, "child")) assert.equal(await diesSoon(pid), true);
}, { denoOnly: "checks the guards of deno test, in a Deno child" });

test("the per-test guard fails a test that leaves a message queue, naming its id", async () => {
  const { code, output } = await runLeakingTest("leaks a message queue");
  try {
    const [id] = leaked(output, "msg");
    assert.ok(id !== undefined, output);
    assert.notEqual(code, 0);
    assert.match(output, new RegExp(`The test left behind: System V msg id ${id} key 0x00000000`));
  } finally {
    cleanUp(output);
  }
  const ids = sysvObjects().filter((o) => o.kind === "msg").map((o) => o.id);
  for (const id of leaked(output, "msg")) assert.ok(!ids.includes(id), `queue ${id} still there`);
}, { denoOnly: "checks the guards of deno test, in a Deno child" });

test(
  "deno task test fails a run that leaves a message queue or a process, and kills the process",
  async () => {
    // In this namespace (UNIXIPC_TEST_NAMESPACE=0), so that the queue can be seen and removed here.
    const { code, stdout, stderr } = await run(deno, [
      "run",
      "--allow-all",
      testScript,
      fixture,
      "--filter=/past its own check/",
    ], { env: { NO_COLOR: "1", UNIXIPC_TEST_NAMESPACE: "0" } });
    const output = stdout + stderr;
    try {
      assert.equal(code, 1, output);
      const [id] = leaked(output, "msg");
      const [pid] = leaked(output, "child");
      assert.ok(id !== undefined && pid !== undefined, output);
      // Both leaking tests passed their own checks: only the suite-level checks catch them.
      assert.match(output, /Tests: 2 passed, 0 failed, 0 skipped/);
      assert.match(
        output,
        new RegExp(`The tests left 1 System V object\\(s\\) behind: msg id ${id} key 0x00000000`),
      );
      assert.match(
        output,
        new RegExp(
          `The tests left 1 process\\(es\\) running: pid ${pid} \\(sleep 30\\); killed them`,
        ),
      );
      assert.equal(await diesSoon(pid), true);
    } finally {
      cleanUp(output);
    }
  },
  { denoOnly: "checks scripts/test.ts, in a Deno child" },
);

test(
  "deno task test runs in a private IPC namespace where it can, and leaks die with it",
  async () => {
    const canUnshare = (await run("sh", ["-c", "unshare --ipc true"])).code === 0;
    const before = sysvObjects().length;
    const { code, stdout, stderr } = await run(deno, [
      "run",
      "--allow-all",
      testScript,
      fixture,
      "--filter=/^leaks a message queue past its own check$/",
    ], { env: { NO_COLOR: "1" } });
    const output = stdout + stderr;
    if (!canUnshare) {
      cleanUp(output);
      assert.match(output, /unshare --ipc is not available here/);
      return;
    }
    assert.equal(code, 1, output);
    assert.match(output, /running in a private IPC namespace/);
    assert.match(output, /The tests left 1 System V object\(s\) behind: msg id \d+/);
    // The queue lived in the run's own namespace, gone now: nothing new here.
    assert.equal(sysvObjects().length, before);
  },
  { denoOnly: "checks scripts/test.ts, in a Deno child" },
);
