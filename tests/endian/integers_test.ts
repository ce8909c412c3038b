import assert from "node:assert/strict";
import {
  checkSafeInteger,
  describeValue,
  int16,
  int32,
  int64,
  int8,
  type IntegerType,
  uint16,
  uint32,
  uint64,
  uint8,
} from "../../endian/integers.ts";
import { test, throwsWith } from "../_util.ts";

const small: IntegerType<number>[] = [int8, uint8, int16, uint16, int32, uint32];
const large: IntegerType<bigint>[] = [int64, uint64];

test("each integer type knows its width, signedness and range", () => {
  const expected = [
    [int8, 8, 1, true, -128, 127],
    [uint8, 8, 1, false, 0, 255],
    [int16, 16, 2, true, -32768, 32767],
    [uint16, 16, 2, false, 0, 65535],
    [int32, 32, 4, true, -2147483648, 2147483647],
    [uint32, 32, 4, false, 0, 4294967295],
    [int64, 64, 8, true, -(2n ** 63n), 2n ** 63n - 1n],
    [uint64, 64, 8, false, 0n, 2n ** 64n - 1n],
  ] as const;
  for (const [type, bits, bytes, signed, min, max] of expected) {
    assert.equal(type.bits, bits, type.name);
    assert.equal(type.bytes, bytes, type.name);
    assert.equal(type.signed, signed, type.name);
    assert.equal(type.min, min, type.name);
    assert.equal(type.max, max, type.name);
  }
  assert.deepEqual(
    [...small, ...large].map((t) => t.name),
    ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"],
  );
});

test("check() returns every value from min to max, ends included", () => {
  for (const type of small) {
    for (const value of [type.min, type.max, 0, 1]) assert.equal(type.check(value), value);
  }
  for (const type of large) {
    for (const value of [type.min, type.max, 0n, 1n]) assert.equal(type.check(value), value);
  }
});

test("64-bit check() takes safe integer numbers and returns bigints", () => {
  assert.equal(int64.check(-5), -5n);
  assert.equal(uint64.check(Number.MAX_SAFE_INTEGER), 2n ** 53n - 1n);
  assert.equal(int64.check(Number.MIN_SAFE_INTEGER), -(2n ** 53n) + 1n);
});

test("check() rejects NaN, -0, fractions and infinities with a RangeError naming value and range", () => {
  for (const type of [...small, ...large]) {
    for (
      const [value, shown] of [[NaN, "NaN"], [-0, "-0"], [1.5, "1.5"], [Infinity, "Infinity"], [
        -Infinity,
        "-Infinity",
      ]] as const
    ) {
      throwsWith(
        () => type.check(value, "options.size"),
        RangeError,
        `options.size must be an integer in [${type.min}, ${type.max}] (${type.name})`,
        `got ${shown}`,
      );
    }
  }
});

test("check() rejects one past either end of the range with a RangeError", () => {
  for (const type of small) {
    throwsWith(() => type.check(type.max + 1, "n"), RangeError, `got ${type.max + 1}`);
    throwsWith(() => type.check(type.min - 1, "n"), RangeError, `got ${type.min - 1}`);
  }
  for (const type of large) {
    throwsWith(() => type.check(type.max + 1n, "n"), RangeError, `got ${type.max + 1n}n`);
    throwsWith(() => type.check(type.min - 1n, "n"), RangeError, `got ${type.min - 1n}n`);
  }
});

test("check() rejects 2**31 for int32 and -1 for every unsigned type", () => {
  throwsWith(
    () => int32.check(2 ** 31, "key"),
    RangeError,
    "[-2147483648, 2147483647]",
    "got 2147483648",
  );
  for (const type of [uint8, uint16, uint32]) {
    throwsWith(() => type.check(-1, "size"), RangeError, `[0, ${type.max}]`, "got -1");
  }
  throwsWith(() => uint64.check(-1, "size"), RangeError, "[0, 18446744073709551615]", "got -1");
  throwsWith(() => uint64.check(-1n, "size"), RangeError, "got -1n");
});

test("check() rejects strings, null, undefined, objects and booleans with a TypeError", () => {
  for (const type of [...small, ...large]) {
    for (
      const [value, shown] of [
        ["1", '"1"'],
        [null, "null"],
        [undefined, "undefined"],
        [{}, "an object"],
        [[1], "an array"],
        [true, "true"],
      ] as const
    ) {
      throwsWith(
        () => type.check(value, "mode"),
        TypeError,
        `mode must be an integer in [${type.min}, ${type.max}] (${type.name})`,
        `got ${shown}`,
      );
    }
  }
});

test("a bigint given for an 8- to 32-bit integer is a TypeError naming the value and range", () => {
  for (const type of small) {
    throwsWith(
      () => type.check(1n, "count"),
      TypeError,
      `count must be an integer in [${type.min}, ${type.max}] (${type.name})`,
      "got 1n",
    );
  }
});

test("a 64-bit check() of a number past 2^53 is a RangeError that asks for a bigint", () => {
  throwsWith(() => uint64.check(2 ** 53, "offset"), RangeError, "got 9007199254740992", "bigint");
  throwsWith(() => int64.check(-(2 ** 60), "offset"), RangeError, "bigint");
});

test("check() names the value 'value' when not told what it is", () => {
  throwsWith(
    () => uint8.check(256),
    RangeError,
    "value must be an integer in [0, 255] (uint8): got 256",
  );
});

test("wrap() converts like a C cast, modulo 2^bits", () => {
  assert.equal(uint8.wrap(256), 0);
  assert.equal(uint8.wrap(-1), 255);
  assert.equal(int8.wrap(128), -128);
  assert.equal(int8.wrap(-129), 127);
  assert.equal(uint16.wrap(0x12345), 0x2345);
  assert.equal(int16.wrap(0xffff), -1);
  assert.equal(uint32.wrap(-1), 0xffffffff);
  assert.equal(int32.wrap(2 ** 31), -(2 ** 31));
  assert.equal(int32.wrap(2n ** 32n + 5n), 5);
  assert.equal(uint64.wrap(-1n), 2n ** 64n - 1n);
  assert.equal(uint64.wrap(-1), 2n ** 64n - 1n);
  assert.equal(int64.wrap(2n ** 63n), -(2n ** 63n));
  assert.equal(int64.wrap(2n ** 64n + 7n), 7n);
  assert.ok(Object.is(int32.wrap(-0), 0));
});

test("wrap() rejects fractions, NaN and infinities (RangeError) and non-numbers (TypeError)", () => {
  for (const type of [...small, ...large]) {
    throwsWith(() => type.wrap(1.5), RangeError, "1.5", "not an integer");
    throwsWith(() => type.wrap(NaN), RangeError, "NaN");
    throwsWith(() => type.wrap(Infinity), RangeError, "Infinity");
    throwsWith(() => type.wrap("1" as unknown as number), TypeError, '"1"');
  }
});

test("checkSafeInteger() takes safe integers in [min, max] and rejects the rest", () => {
  assert.equal(checkSafeInteger(0, "size", 0), 0);
  assert.equal(checkSafeInteger(Number.MAX_SAFE_INTEGER, "size"), Number.MAX_SAFE_INTEGER);
  assert.equal(checkSafeInteger(Number.MIN_SAFE_INTEGER, "size"), Number.MIN_SAFE_INTEGER);
  throwsWith(
    () => checkSafeInteger(-1, "size", 0),
    RangeError,
    "size must be an integer in [0, 9007199254740991]: got -1",
  );
  throwsWith(() => checkSafeInteger(11, "size", 0, 10), RangeError, "[0, 10]", "got 11");
  throwsWith(() => checkSafeInteger(2 ** 53, "size"), RangeError, "got 9007199254740992");
  for (
    const [value, shown] of [[NaN, "NaN"], [-0, "-0"], [1.5, "1.5"], [
      Infinity,
      "Infinity",
    ]] as const
  ) {
    throwsWith(() => checkSafeInteger(value, "size", 0), RangeError, `got ${shown}`);
  }
  throwsWith(() => checkSafeInteger("8", "size", 0), TypeError, '"8"');
  throwsWith(() => checkSafeInteger(8n, "size", 0), TypeError, "got 8n");
});

test("describeValue() quotes strings, marks bigints and -0, and names objects by kind", () => {
  assert.equal(describeValue('a"b'), '"a\\"b"');
  assert.equal(describeValue(5n), "5n");
  assert.equal(describeValue(-0), "-0");
  assert.equal(describeValue(0), "0");
  assert.equal(describeValue(NaN), "NaN");
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue(undefined), "undefined");
  assert.equal(describeValue([1, 2]), "an array");
  assert.equal(describeValue(new Uint8Array(3)), "a Uint8Array of 3 bytes");
  assert.equal(describeValue({ a: 1 }), "an object");
  assert.equal(describeValue(() => 1), "a function");
  assert.equal(describeValue(Symbol("s")), "Symbol(s)");
});
