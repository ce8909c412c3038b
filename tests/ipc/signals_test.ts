import assert from "node:assert/strict";
import { signalName, signalNumber } from "../../ipc/mod.ts";
import { test } from "../_util.ts";

test("signalNumber() knows Linux's names and aliases, and passes numbers 0 to 64 through", () => {
  assert.equal(signalNumber("SIGHUP"), 1);
  assert.equal(signalNumber("SIGKILL"), 9);
  assert.equal(signalNumber("SIGPIPE"), 13);
  assert.equal(signalNumber("SIGTERM"), 15);
  assert.equal(signalNumber("SIGCHLD"), 17);
  assert.equal(signalNumber("SIGSYS"), 31);
  assert.equal(signalNumber("SIGIOT"), 6);
  assert.equal(signalNumber("SIGPOLL"), 29);
  assert.equal(signalNumber(0), 0);
  assert.equal(signalNumber(64), 64);
});

test("signalName() names standard and real-time signals", () => {
  assert.equal(signalName(9), "SIGKILL");
  assert.equal(signalName(29), "SIGIO");
  assert.equal(signalName(34), "SIGRTMIN+0");
  assert.equal(signalName(64), "SIGRTMIN+30");
  assert.equal(signalName(32), "SIG32");
});

test("signalNumber() rejects what is not a Linux signal", () => {
  for (const bad of [NaN, -0, 1.5, 65, -1, 2 ** 31, Infinity]) {
    assert.throws(() => signalNumber(bad), RangeError, String(bad));
  }
  assert.throws(() => signalNumber("SIGNOPE"), /signal must be a Linux signal name/);
  assert.throws(() => signalNumber("sigterm"), RangeError);
  assert.throws(() => signalNumber(15n as unknown as number), TypeError);
  assert.throws(() => signalNumber(null as unknown as number), TypeError);
});
