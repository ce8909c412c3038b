import assert from "node:assert/strict";
import { linuxAarch64, linuxX86_64 } from "../../endian/abi.ts";
import { array, reserved } from "../../endian/array_types.ts";
import { bytes, chars, flexibleBytes, flexibleChars } from "../../endian/byte_array_types.ts";
import { cLong, cPointer, cSizeT, cSsizeT, cTimeT, cUlong } from "../../endian/c_types.ts";
import { packed, struct } from "../../endian/layout.ts";
import {
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  u16,
  u32,
  u64,
  u8,
  withByteOrder,
} from "../../endian/number_types.ts";
import {
  isAbiType,
  isArrayType,
  isBytesType,
  isFlexibleType,
  isReservedType,
  type Type,
} from "../../endian/types.ts";
import { test, throwsWith } from "../_util.ts";

/** Encodes one field alone in a packed layout of the given byte order. */
function one<V>(type: Type<V>, value: V, byteOrder: "big" | "little" = "big"): number[] {
  return [...packed([["x", type]], { byteOrder }).encode({ x: value } as never)];
}

test("integer fields have their C size and alignment", () => {
  for (
    const [type, size] of [[i8, 1], [u8, 1], [i16, 2], [u16, 2], [i32, 4], [u32, 4], [i64, 8], [
      u64,
      8,
    ]] as const
  ) {
    assert.equal(type.size, size, type.name);
    assert.equal(type.align, size, type.name);
  }
  assert.equal(f32.size, 4);
  assert.equal(f64.size, 8);
});

test("integer fields write their bytes in the layout's byte order", () => {
  assert.deepEqual(one(u16, 0x1234), [0x12, 0x34]);
  assert.deepEqual(one(u16, 0x1234, "little"), [0x34, 0x12]);
  assert.deepEqual(one(i32, -2), [0xff, 0xff, 0xff, 0xfe]);
  assert.deepEqual(one(i32, -2, "little"), [0xfe, 0xff, 0xff, 0xff]);
  assert.deepEqual(one(u64, 0x0102030405060708n), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(one(i64, -1n, "little"), [255, 255, 255, 255, 255, 255, 255, 255]);
  assert.deepEqual(one(i8, -128), [0x80]);
});

test("integer fields read back what they wrote, signed and unsigned", () => {
  const L = packed([["a", i8], ["b", u8], ["c", i16], ["d", u16], ["e", i32], ["f", u32], [
    "g",
    i64,
  ], ["h", u64]]);
  const value = {
    a: -128,
    b: 255,
    c: -32768,
    d: 65535,
    e: -(2 ** 31),
    f: 2 ** 32 - 1,
    g: -(2n ** 63n),
    h: 2n ** 64n - 1n,
  };
  assert.deepEqual(L.decode(L.encode(value)), value);
});

test("integer fields reject bad values with the field's path, the value and the range", () => {
  const L = struct([["port", u16], ["count", i32], ["big", u64]], { name: "struct s" });
  const ok = { port: 1, count: 1, big: 1n };
  throwsWith(
    () => L.encode({ ...ok, port: 65536 }),
    RangeError,
    "struct s.port",
    "[0, 65535]",
    "got 65536",
  );
  throwsWith(() => L.encode({ ...ok, port: -1 }), RangeError, "got -1");
  throwsWith(() => L.encode({ ...ok, count: 2 ** 31 }), RangeError, "[-2147483648, 2147483647]");
  throwsWith(() => L.encode({ ...ok, count: NaN }), RangeError, "got NaN");
  throwsWith(() => L.encode({ ...ok, count: -0 }), RangeError, "got -0");
  throwsWith(() => L.encode({ ...ok, count: 1.5 }), RangeError, "got 1.5");
  throwsWith(() => L.encode({ ...ok, count: Infinity }), RangeError, "got Infinity");
  throwsWith(() => L.encode({ ...ok, count: "1" as never }), TypeError, 'got "1"');
  throwsWith(() => L.encode({ ...ok, count: 1n as never }), TypeError, "got 1n");
  throwsWith(() => L.encode({ ...ok, big: -1n }), RangeError, "got -1n");
  throwsWith(() => L.encode({ ...ok, big: "1" as never }), TypeError, 'got "1"');
});

test("float fields round-trip and reject non-numbers", () => {
  const L = packed([["f", f32], ["d", f64]], { byteOrder: "little" });
  assert.deepEqual(L.decode(L.encode({ f: 1.5, d: Math.PI })), { f: 1.5, d: Math.PI });
  assert.deepEqual(one(f64, 1), [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
  assert.ok(Number.isNaN(L.decode(L.encode({ f: NaN, d: NaN })).d));
  throwsWith(() => L.encode({ f: "1" as never, d: 0 }), TypeError, "must be a number", 'got "1"');
  throwsWith(() => L.encode({ f: 0, d: 1n as never }), TypeError, "got 1n");
});

test("withByteOrder() fixes a field's byte order inside a layout of the other order", () => {
  const L = struct([["family", u16], ["port", withByteOrder(u16, "big")]], { abi: linuxX86_64 });
  assert.deepEqual([...L.encode({ family: 2, port: 1989 })], [2, 0, 0x07, 0xc5]);
  assert.deepEqual(L.decode(new Uint8Array([2, 0, 0x07, 0xc5])), { family: 2, port: 1989 });
  const P = packed([["x", withByteOrder(u32, "little")]]);
  assert.deepEqual([...P.encode({ x: 1 })], [1, 0, 0, 0]);
  assert.equal(withByteOrder(u16, "big").name, "uint16 (big-endian)");
  throwsWith(() => L.encode({ family: 2, port: 70000 }), RangeError, "got 70000");
});

test("C long, unsigned long, size_t, ssize_t and time_t are 8 bytes on both ABIs", () => {
  for (const abi of [linuxX86_64, linuxAarch64]) {
    for (const type of [cLong, cUlong, cSizeT, cSsizeT, cTimeT]) {
      assert.ok(isAbiType(type));
      const resolved = type.resolve(abi);
      assert.equal(resolved.size, 8, `${type.name} on ${abi.name}`);
      assert.equal(resolved.align, 8, `${type.name} on ${abi.name}`);
    }
    assert.equal(cPointer.resolve(abi).size, 8);
  }
});

test("ABI-sized integers are numbers, checked as safe integers, signed or not", () => {
  const L = struct([["l", cLong], ["u", cUlong], ["s", cSizeT], ["t", cTimeT], [
    "ss",
    cSsizeT,
  ]]);
  const v = { l: -5, u: 2 ** 53 - 1, s: 8192, t: 1_700_000_000, ss: -1 };
  assert.deepEqual(L.decode(L.encode(v)), v);
  throwsWith(() => L.encode({ ...v, u: -1 }), RangeError, "[0, 9007199254740991]", "got -1");
  throwsWith(() => L.encode({ ...v, s: 2 ** 53 }), RangeError, "got 9007199254740992");
  throwsWith(() => L.encode({ ...v, l: 1.5 }), RangeError, "got 1.5");
  throwsWith(() => L.encode({ ...v, l: 1n as never }), TypeError, "got 1n");
});

test("an ABI-sized integer too large for a number is a RangeError when read, never rounded", () => {
  const L = struct([["u", cUlong]], { abi: linuxX86_64 });
  const bytes = new Uint8Array(8).fill(0xff);
  throwsWith(() => L.decode(bytes), RangeError, "18446744073709551615", "past 2^53");
});

test("pointer fields are bigint addresses", () => {
  const L = struct([["p", cPointer]], { abi: linuxX86_64 });
  assert.deepEqual(L.decode(L.encode({ p: 0xdeadbeefn })), { p: 0xdeadbeefn });
  throwsWith(() => L.encode({ p: -1n }), RangeError, "got -1n");
});

test("chars() writes UTF-8 and pads the rest of the array with NUL", () => {
  const L = packed([["name", chars(8)]]);
  assert.deepEqual([...L.encode({ name: "Alan" })], [65, 108, 97, 110, 0, 0, 0, 0]);
  assert.deepEqual([...L.encode({ name: "é" })], [0xc3, 0xa9, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...L.encode({ name: "" })], [0, 0, 0, 0, 0, 0, 0, 0]);
});

test("chars() reads up to the first NUL", () => {
  const L = packed([["name", chars(8)]]);
  assert.deepEqual(L.decode(new Uint8Array([72, 105, 0, 88, 88, 0, 0, 0])), { name: "Hi" });
  assert.deepEqual(L.decode(L.encode({ name: "日本" })), { name: "日本" });
});

test("chars() leaves room for the NUL: a string of length bytes is rejected, never cut", () => {
  const L = packed([["name", chars(4)]], { name: "struct rec" });
  assert.deepEqual(L.decode(L.encode({ name: "abc" })), { name: "abc" });
  throwsWith(
    () => L.encode({ name: "abcd" }),
    RangeError,
    "struct rec.name is 4 bytes in UTF-8, but char[4] holds at most 3 and its NUL",
    '"abcd"',
  );
  // Counted in UTF-8 bytes, not characters: "éé" is 4 bytes.
  throwsWith(() => L.encode({ name: "éé" }), RangeError, "4 bytes in UTF-8");
});

test("chars(n, { terminated: false }) may fill the array, which then has no NUL", () => {
  const L = packed([["code", chars(4, { terminated: false })]]);
  assert.deepEqual([...L.encode({ code: "ABCD" })], [65, 66, 67, 68]);
  assert.deepEqual(L.decode(new Uint8Array([65, 66, 67, 68])), { code: "ABCD" });
  throwsWith(() => L.encode({ code: "ABCDE" }), RangeError, "holds at most 4:");
});

test("chars() rejects strings with a NUL, lone surrogates, and non-strings", () => {
  const L = packed([["name", chars(16)]]);
  throwsWith(() => L.encode({ name: "a\0b" }), RangeError, "NUL", '"a\\u0000b"');
  throwsWith(() => L.encode({ name: "a\ud800" }), RangeError, "lone surrogate");
  throwsWith(() => L.encode({ name: 42 as never }), TypeError, "must be a string", "got 42");
  throwsWith(() => L.encode({ name: null as never }), TypeError, "got null");
});

test("chars() reads bytes that are not UTF-8 as U+FFFD", () => {
  const L = packed([["name", chars(4)]]);
  assert.deepEqual(L.decode(new Uint8Array([0x41, 0xff, 0, 0])), { name: "A\ufffd" });
});

test("chars() and bytes() lengths must be integers in [1, 2^31 - 1]", () => {
  for (const make of [chars, bytes] as ((n: number) => unknown)[]) {
    for (
      const [value, shown] of [[0, "0"], [-1, "-1"], [1.5, "1.5"], [NaN, "NaN"], [-0, "-0"], [
        2 ** 31,
        "2147483648",
      ], [Infinity, "Infinity"]] as const
    ) {
      throwsWith(() => make(value), RangeError, "[1, 2147483647]", `got ${shown}`);
    }
    throwsWith(() => make("4" as never), TypeError, 'got "4"');
    throwsWith(() => make(4n as never), TypeError, "got 4n");
  }
});

test("bytes() copies out on read and zero-fills the rest on write", () => {
  const L = packed([["raw", bytes(4)]]);
  assert.deepEqual([...L.encode({ raw: new Uint8Array([1, 2]) })], [1, 2, 0, 0]);
  const source = new Uint8Array([9, 8, 7, 6]);
  const decoded = L.decode(source).raw;
  assert.deepEqual([...decoded], [9, 8, 7, 6]);
  decoded[0] = 0;
  assert.equal(source[0], 9);
  assert.ok(isBytesType(bytes(1)));
});

test("bytes() rejects too many bytes and what is not a Uint8Array", () => {
  const L = packed([["raw", bytes(4)]], { name: "frame" });
  throwsWith(
    () => L.encode({ raw: new Uint8Array(5) }),
    RangeError,
    "frame.raw is 5 bytes",
    "at most 4",
  );
  throwsWith(
    () => L.encode({ raw: [1, 2] as never }),
    TypeError,
    "must be a Uint8Array",
    "an array",
  );
  throwsWith(() => L.encode({ raw: "ab" as never }), TypeError, 'got "ab"');
});

test("bytes() takes an alignment for native layouts, a power of two up to 16", () => {
  const L = struct([["a", u8], ["addr", bytes(4, { align: 4 })]], { abi: linuxX86_64 });
  assert.equal(L.offsetOf("addr"), 4);
  assert.equal(L.size, 8);
  for (const align of [0, 3, 32, 1.5, -1]) {
    throwsWith(
      () => bytes(4, { align: align as never }),
      RangeError,
      "1, 2, 4, 8 or 16",
      `got ${align}`,
    );
  }
});

test("array() lays out elements at their stride and reads them back in order", () => {
  const A = array(i32, 3);
  assert.ok(isArrayType(A));
  assert.equal(A.size, 12);
  assert.equal(A.align, 4);
  assert.equal(A.name, "int32[3]");
  const L = packed([["xs", A]]);
  assert.deepEqual([...L.encode({ xs: [1, -1, 2] })], [0, 0, 0, 1, 255, 255, 255, 255, 0, 0, 0, 2]);
  assert.deepEqual(L.decode(L.encode({ xs: [1, -1, 2] })), { xs: [1, -1, 2] });
});

test("array() needs exactly its length in elements, each checked with its index", () => {
  const L = packed([["xs", array(u8, 3)]], { name: "rec" });
  throwsWith(() => L.encode({ xs: [1, 2] }), RangeError, "exactly 3 elements", "got 2");
  throwsWith(() => L.encode({ xs: [1, 2, 3, 4] }), RangeError, "got 4");
  throwsWith(() => L.encode({ xs: [1, 256, 3] }), RangeError, "rec.xs[1]", "got 256");
  throwsWith(() => L.encode({ xs: new Uint8Array(3) as never }), TypeError, "must be an array");
  for (const length of [0, -1, 1.5, NaN]) throwsWith(() => array(u8, length), RangeError);
  throwsWith(() => array(u8, "3" as never), TypeError);
});

test("array() of an ABI-sized type resolves with the layout's ABI", () => {
  const A = array(cLong, 2);
  assert.ok(isAbiType(A));
  assert.equal(A.name, "long[2]");
  const L = struct([["xs", A]], { abi: linuxAarch64 });
  assert.equal(L.size, 16);
  assert.deepEqual(L.decode(L.encode({ xs: [-1, 2] })), { xs: [-1, 2] });
});

test("reserved() takes the size and alignment of its type, is zeroed, and is not in values", () => {
  const R = reserved(cUlong);
  assert.ok(isReservedType(R));
  const L = struct([["a", i32], ["__r", R], ["b", u8]], { abi: linuxX86_64 });
  assert.deepEqual(L.fields.map((f) => [f.name, f.offset, f.size, f.reserved]), [
    ["a", 0, 4, false],
    ["__r", 8, 8, true],
    ["b", 16, 1, false],
  ]);
  const target = new Uint8Array(L.size).fill(0xee);
  L.encodeInto({ a: 1, b: 2 }, target);
  assert.deepEqual([...target.subarray(8, 16)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(L.decode(new Uint8Array(L.size).fill(1)), { a: 0x01010101, b: 1 });
});

test("flexibleChars() appends the string and one NUL, and reads to the NUL or the end", () => {
  const F = flexibleChars();
  assert.ok(isFlexibleType(F));
  const L = packed([["n", u8], ["name", F]]);
  assert.deepEqual([...L.encode({ n: 1, name: "hé" })], [1, 0x68, 0xc3, 0xa9, 0]);
  assert.deepEqual(L.decode(new Uint8Array([1, 0x41, 0x42])), { n: 1, name: "AB" });
  assert.deepEqual(L.decode(new Uint8Array([1, 0x41, 0, 0x42])), { n: 1, name: "A" });
  assert.deepEqual(L.decode(new Uint8Array([1])), { n: 1, name: "" });
});

test("flexibleChars() enforces maxBytes and rejects NUL, lone surrogates and non-strings", () => {
  const L = packed([["name", flexibleChars({ maxBytes: 3 })]], { name: "rec" });
  assert.equal(L.encode({ name: "abc" }).length, 4);
  throwsWith(() => L.encode({ name: "abcd" }), RangeError, "rec.name is 4 bytes", "at most 3");
  throwsWith(() => L.encode({ name: "a\0" }), RangeError, "NUL");
  throwsWith(() => L.encode({ name: "\udc00" }), RangeError, "lone surrogate");
  throwsWith(() => L.encode({ name: 1 as never }), TypeError, "must be a string");
  for (const maxBytes of [-1, 1.5, NaN, -0]) {
    throwsWith(() => flexibleChars({ maxBytes }), RangeError, "options.maxBytes");
  }
  throwsWith(() => flexibleChars({ maxBytes: "3" as never }), TypeError);
});

test("flexibleBytes() takes every byte after the fixed part, up to maxBytes", () => {
  const L = packed([["kind", u16], ["payload", flexibleBytes({ maxBytes: 4 })]]);
  assert.deepEqual([...L.encode({ kind: 1, payload: new Uint8Array([7, 8]) })], [0, 1, 7, 8]);
  assert.deepEqual(L.decode(new Uint8Array([0, 2, 9, 9, 9])), {
    kind: 2,
    payload: new Uint8Array([9, 9, 9]),
  });
  throwsWith(
    () => L.encode({ kind: 1, payload: new Uint8Array(5) }),
    RangeError,
    "5 bytes",
    "at most 4",
  );
  throwsWith(() => L.encode({ kind: 1, payload: [1] as never }), TypeError, "must be a Uint8Array");
  throwsWith(() => flexibleBytes({ maxBytes: -1 }), RangeError);
});
