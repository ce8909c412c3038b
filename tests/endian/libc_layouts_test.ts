import assert from "node:assert/strict";
import { deno, peers, run, test } from "../_util.ts";

test("every libc layout matches gcc's sizeof, _Alignof and offsetof on x86_64", async () => {
  const { code, stdout, stderr } = await run(deno, [
    "run",
    "--allow-all",
    new URL("../../scripts/layout_probe.ts", import.meta.url).pathname,
    "--abi",
    "linux-x86_64",
    "--json",
  ]);
  assert.equal(code, 0, `probe failed: ${stdout}${stderr}`);
  const result = JSON.parse(stdout);
  assert.deepEqual(result.differences, []);
  assert.ok(result.checked > 300, `only ${result.checked} figures checked`);
  assert.equal(result.mode, "run");
}, { peers: [peers.gcc], denoOnly: "runs scripts/layout_probe.ts, a Deno script" });

test("every libc layout matches gcc for aarch64 at compile time (_Static_assert)", async () => {
  const { code, stdout, stderr } = await run(deno, [
    "run",
    "--allow-all",
    new URL("../../scripts/layout_probe.ts", import.meta.url).pathname,
    "--abi",
    "linux-aarch64",
    "--json",
  ]);
  assert.equal(code, 0, `probe failed: ${stdout}${stderr}`);
  const result = JSON.parse(stdout);
  assert.deepEqual(result.differences, []);
  assert.equal(result.mode, "static");
}, { peers: [peers.aarch64Gcc], denoOnly: "runs scripts/layout_probe.ts, a Deno script" });
