// One test per peer program the tests talk to: outside CI, each missing one
// is skipped, and its name says what to install; in CI (CI=true), a missing
// peer fails here, whatever tests use it.
import assert from "node:assert/strict";
import { hasPeer, peers, run, test } from "./_util.ts";

for (const [name, peer] of Object.entries(peers)) {
  test(`peer ${name} (${peer.command}) is installed`, () => {
    assert.ok(hasPeer(peer));
  }, { peers: [peer] });
}

test("the python3 peer for sysv_ipc can import it", async () => {
  const { code, stderr } = await run(peers.pythonSysvIpc.command, [
    "-c",
    "import sysv_ipc; print(sysv_ipc.IPC_PRIVATE)",
  ]);
  assert.equal(code, 0, stderr);
}, { peers: [peers.pythonSysvIpc] });
