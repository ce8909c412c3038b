import assert from "node:assert/strict";
import {
  checkAbortSignal,
  checkBoolean,
  checkBytes,
  checkFd,
  checkInt32,
  checkKey,
  checkMode,
  checkNonNegativeInt32,
  checkOptions,
  checkSize,
  checkString,
  checkTimeout,
  checkUint32,
} from "../../ipc/_checks.ts";
import { test, throwsWith } from "../_util.ts";

/** Bad numbers every integer check must refuse with a RangeError, as describeValue shows them. */
const badNumbers = [[NaN, "NaN"], [-0, "-0"], [1.5, "1.5"], [Infinity, "Infinity"], [
  -Infinity,
  "-Infinity",
]] as const;

/** Values of the wrong kind for a number, with how messages show them. */
const notNumbers = [["1", '"1"'], [1n, "1n"], [null, "null"], [undefined, "undefined"], [
  {},
  "an object",
], [true, "true"]] as const;

test("checkInt32() takes [-2^31, 2^31 - 1] and refuses the rest, naming value and range", () => {
  assert.equal(checkInt32(-(2 ** 31), "semnum"), -(2 ** 31));
  assert.equal(checkInt32(2 ** 31 - 1, "semnum"), 2 ** 31 - 1);
  const range = "[-2147483648, 2147483647]";
  throwsWith(
    () => checkInt32(2 ** 31, "semnum"),
    RangeError,
    `semnum must be an integer in ${range}`,
    "got 2147483648",
  );
  throwsWith(() => checkInt32(-(2 ** 31) - 1, "semnum"), RangeError, "got -2147483649");
  for (const [v, shown] of badNumbers) {
    throwsWith(() => checkInt32(v, "semnum"), RangeError, range, `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkInt32(v, "semnum"), TypeError, range, `got ${shown}`);
  }
});

test("checkUint32() takes [0, 2^32 - 1] and refuses -1 and 2^32", () => {
  assert.equal(checkUint32(0, "flags"), 0);
  assert.equal(checkUint32(2 ** 32 - 1, "flags"), 2 ** 32 - 1);
  const range = "[0, 4294967295]";
  throwsWith(() => checkUint32(-1, "flags"), RangeError, range, "got -1");
  throwsWith(() => checkUint32(2 ** 32, "flags"), RangeError, range, "got 4294967296");
  for (const [v, shown] of badNumbers) {
    throwsWith(() => checkUint32(v, "flags"), RangeError, `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkUint32(v, "flags"), TypeError, `got ${shown}`);
  }
});

test("checkNonNegativeInt32() takes [0, 2^31 - 1] and refuses -1 and 2^31", () => {
  assert.equal(checkNonNegativeInt32(0, "id"), 0);
  assert.equal(checkNonNegativeInt32(2 ** 31 - 1, "id"), 2 ** 31 - 1);
  throwsWith(
    () => checkNonNegativeInt32(-1, "id"),
    RangeError,
    "id must be an integer in [0, 2147483647]: got -1",
  );
  throwsWith(() => checkNonNegativeInt32(2 ** 31, "id"), RangeError, "got 2147483648");
  for (const [v, shown] of badNumbers) {
    throwsWith(() => checkNonNegativeInt32(v, "id"), RangeError, `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkNonNegativeInt32(v, "id"), TypeError, `got ${shown}`);
  }
});

test("checkFd() takes [0, 2^31 - 1], names the argument 'fd' by default", () => {
  assert.equal(checkFd(0), 0);
  assert.equal(checkFd(1023), 1023);
  throwsWith(() => checkFd(-1), RangeError, "fd must be an integer in [0, 2147483647]: got -1");
  throwsWith(() => checkFd(2 ** 31, "readFd"), RangeError, "readFd", "got 2147483648");
  for (const [v, shown] of badNumbers) throwsWith(() => checkFd(v), RangeError, `got ${shown}`);
  for (const [v, shown] of notNumbers) throwsWith(() => checkFd(v), TypeError, `got ${shown}`);
});

test("checkSize() takes safe integers in [min, max], 0 and 2^53 - 1 by default", () => {
  assert.equal(checkSize(0, "size"), 0);
  assert.equal(checkSize(Number.MAX_SAFE_INTEGER, "size"), Number.MAX_SAFE_INTEGER);
  assert.equal(checkSize(8192, "size", 1, 8192), 8192);
  throwsWith(
    () => checkSize(-1, "size"),
    RangeError,
    "size must be an integer in [0, 9007199254740991]: got -1",
  );
  throwsWith(
    () => checkSize(8193, "message size", 1, 8192),
    RangeError,
    "message size must be an integer in [1, 8192]: got 8193",
  );
  throwsWith(() => checkSize(0, "size", 1), RangeError, "got 0");
  throwsWith(() => checkSize(2 ** 53, "size"), RangeError, "got 9007199254740992");
  for (const [v, shown] of badNumbers) {
    throwsWith(() => checkSize(v, "size"), RangeError, `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkSize(v, "size"), TypeError, `got ${shown}`);
  }
});

test("checkKey() takes a key signed as C holds it or unsigned as ipcs prints it", () => {
  assert.equal(checkKey(0x1234), 0x1234);
  assert.equal(checkKey(-1), -1);
  assert.equal(checkKey(-(2 ** 31)), -(2 ** 31));
  assert.equal(checkKey(0xdeadbeef), 0xdeadbeef | 0);
  assert.equal(checkKey(0xffffffff), -1);
  assert.equal(checkKey(2 ** 31), -(2 ** 31));
});

test("checkKey() refuses anything outside 32 bits with the key's range in the message", () => {
  const range = "key must be an integer in [-2147483648, 4294967295] (32 bits, signed or unsigned)";
  throwsWith(() => checkKey(2 ** 32), RangeError, range, "got 4294967296");
  throwsWith(() => checkKey(-(2 ** 31) - 1), RangeError, range, "got -2147483649");
  for (const [v, shown] of badNumbers) {
    throwsWith(() => checkKey(v), RangeError, range, `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkKey(v), TypeError, range, `got ${shown}`);
  }
  throwsWith(() => checkKey(1.5, "options.key"), RangeError, "options.key must be");
});

test("checkMode() takes permission bits in [0, 0o777] (or the given max)", () => {
  assert.equal(checkMode(0o600), 0o600);
  assert.equal(checkMode(0), 0);
  assert.equal(checkMode(0o777), 0o777);
  assert.equal(checkMode(0o4755, "mode", 0o7777), 0o4755);
  throwsWith(() => checkMode(0o1000), RangeError, "mode must be an integer in [0, 0o777]: got 512");
  throwsWith(() => checkMode(-1, "options.mode"), RangeError, "options.mode", "got -1");
  for (const [v, shown] of badNumbers) {
    throwsWith(() => checkMode(v), RangeError, "[0, 0o777]", `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkMode(v), TypeError, "[0, 0o777]", `got ${shown}`);
  }
  throwsWith(() => checkMode("0600"), TypeError, 'got "0600"');
});

test("checkTimeout() takes milliseconds from 0 up, fractions and Infinity included", () => {
  assert.equal(checkTimeout(0), 0);
  assert.equal(checkTimeout(2.5), 2.5);
  assert.equal(checkTimeout(Infinity), Infinity);
  const expected = "timeout must be a number of milliseconds, 0 or more (Infinity for none)";
  for (
    const [v, shown] of [[-1, "-1"], [NaN, "NaN"], [-0, "-0"], [-Infinity, "-Infinity"]] as const
  ) {
    throwsWith(() => checkTimeout(v), RangeError, expected, `got ${shown}`);
  }
  for (const [v, shown] of notNumbers) {
    throwsWith(() => checkTimeout(v), TypeError, expected, `got ${shown}`);
  }
});

test("checkBoolean(), checkString() and checkBytes() refuse other kinds with a TypeError", () => {
  assert.equal(checkBoolean(false, "exclusive"), false);
  throwsWith(
    () => checkBoolean(1, "options.exclusive"),
    TypeError,
    "options.exclusive must be a boolean: got 1",
  );
  throwsWith(() => checkBoolean("true", "create"), TypeError, 'got "true"');
  assert.equal(checkString("", "path"), "");
  throwsWith(() => checkString(1, "path"), TypeError, "path must be a string: got 1");
  throwsWith(() => checkString(null, "path"), TypeError, "got null");
  const data = new Uint8Array(2);
  assert.equal(checkBytes(data, "data"), data);
  throwsWith(
    () => checkBytes([1, 2], "data"),
    TypeError,
    "data must be a Uint8Array: got an array",
  );
  throwsWith(() => checkBytes(new ArrayBuffer(2), "data"), TypeError, "an object");
  throwsWith(() => checkBytes("ab", "data"), TypeError, 'got "ab"');
});

test("checkOptions() gives {} for undefined and refuses what is not a plain object", () => {
  assert.deepEqual(checkOptions(undefined), {});
  const options = { create: true };
  assert.equal(checkOptions(options), options);
  for (const [v, shown] of [[null, "null"], [[], "an array"], ["x", '"x"'], [1, "1"]] as const) {
    throwsWith(
      () => checkOptions(v as never),
      TypeError,
      "options must be an object",
      `got ${shown}`,
    );
  }
});

test("checkAbortSignal() takes an AbortSignal or undefined", () => {
  const signal = new AbortController().signal;
  assert.equal(checkAbortSignal(signal), signal);
  assert.equal(checkAbortSignal(undefined), undefined);
  throwsWith(
    () => checkAbortSignal(new AbortController()),
    TypeError,
    "options.signal must be an AbortSignal: got an object",
  );
  throwsWith(() => checkAbortSignal(null), TypeError, "got null");
});
