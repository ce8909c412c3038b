import assert from "node:assert/strict";
import { formatKey, ftok } from "../../xsi/mod.ts";
import { peers, test } from "../_util.ts";
import { cPeer, pythonSysvIpc, runPython } from "./_peers.ts";

test("ftok() gives the key C's ftok gives, for a character or its code", async () => {
  const peer = await cPeer();
  const { stdout } = await new Deno.Command(peer, { args: ["ftok", "0", "/etc/services", "g"] })
    .output();
  const c = Number(new TextDecoder().decode(stdout));
  assert.equal(ftok("/etc/services", "g"), c);
  assert.equal(ftok("/etc/services", 0x67), c);
}, { peers: [peers.gcc] });

test("ftok() gives the key Python's sysv_ipc gives", async () => {
  const { stdout } = await runPython(
    "print(sysv_ipc.ftok('/etc/services', ord('g'), silence_warning=True))",
  );
  assert.equal(ftok("/etc/services", "g"), Number(stdout));
}, { peers: [pythonSysvIpc] });

test("ftok() fails with ENOENT for a missing file and rejects bad project ids", () => {
  assert.throws(() => ftok("/no/such/file", 1), (e: unknown) => {
    assert.equal((e as { code: string }).code, "ENOENT");
    assert.match(
      (e as Error).message,
      /^Cannot make a key from "\/no\/such\/file": the file does not exist/,
    );
    return true;
  });
  for (const id of [0, 256, -1, 1.5, NaN, "", "gg", "\u0100"]) {
    assert.throws(() => ftok("/etc/services", id), RangeError, `projId ${String(id)}`);
  }
  assert.throws(() => ftok("/etc/services", null as unknown as number), TypeError);
  assert.throws(() => ftok(1 as unknown as string, 1), TypeError);
  assert.throws(() => ftok("/etc/ser\0vices", 1), RangeError);
});

test("formatKey() spells keys as ipcs does, signed or unsigned", () => {
  assert.equal(formatKey(0), "0x00000000");
  assert.equal(formatKey(0x67001234), "0x67001234");
  assert.equal(formatKey(-1), "0xffffffff");
  assert.equal(formatKey(0xffffffff), "0xffffffff");
  assert.throws(() => formatKey(2 ** 32), RangeError);
  assert.throws(() => formatKey(1.5), RangeError);
});
