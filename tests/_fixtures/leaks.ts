// Tests that leak on purpose, run one at a time by tests/leak_guard_test.ts
// to prove that the guard of tests/_util.ts fails each of them. Each prints
// what it leaked ("LEAKED <kind> <id>") so that the proving test can clean up.
// Not a *_test.ts file: `deno task test` does not run it.
import { addressOf, cString, libc, pointerOf } from "../../ipc/_libc.ts";
import { test } from "../_util.ts";

const IPC_PRIVATE = 0;
const IPC_CREAT = 0o1000;

test("leaks an fd", () => {
  const fd = libc().open(cString("/dev/null", "path"), 0, 0);
  if (fd < 0) throw new Error("open failed");
  console.log(`LEAKED fd ${fd}`);
});

test("leaks a child", () => {
  const pid = new Int32Array(1);
  // sh execs sleep (same pid) with its output away from the test's pipes,
  // which the test runner's parent reads to the end.
  const file = cString("sh", "file");
  const args = ["sh", "-c", "exec sleep 30 >/dev/null 2>&1"].map((a) => cString(a, "arg"));
  const argv = new BigUint64Array([...args.map((a) => addressOf(pointerOf(a))), 0n]);
  const envp = new BigUint64Array([0n]);
  const r = libc().posix_spawnp(
    new Uint8Array(pid.buffer),
    file,
    null,
    null,
    new Uint8Array(argv.buffer),
    pointerOf(new Uint8Array(envp.buffer)),
  );
  if (r !== 0) throw new Error(`posix_spawnp failed: ${r}`);
  console.log(`LEAKED child ${pid[0]}`);
});

test("leaks a message queue", () => {
  const id = libc().msgget(IPC_PRIVATE, IPC_CREAT | 0o600);
  if (id < 0) throw new Error("msgget failed");
  console.log(`LEAKED msg ${id}`);
});

test("leaks a message queue past its own check", () => {
  const id = libc().msgget(IPC_PRIVATE, IPC_CREAT | 0o600);
  if (id < 0) throw new Error("msgget failed");
  console.log(`LEAKED msg ${id}`);
}, { leakCheck: false });

test("leaks a grandchild past its own check", async () => {
  // sh exits at once; its background sleep is orphaned, so no test sees it as its child.
  const { success } = await new Deno.Command("sh", {
    args: ["-c", "sleep 30 >/dev/null 2>&1 & echo LEAKED child $!"],
    stdout: "inherit",
  }).output();
  if (!success) throw new Error("sh failed");
});
