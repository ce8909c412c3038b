import assert from "node:assert/strict";
import { linuxAarch64, linuxX86_64 } from "../../endian/abi.ts";
import { array, reserved } from "../../endian/array_types.ts";
import { bytes, chars, flexibleBytes, flexibleChars } from "../../endian/byte_array_types.ts";
import { cLong } from "../../endian/c_types.ts";
import { Layout, packed, struct } from "../../endian/layout.ts";
import { i16, i32, i64, u16, u32, u64, u8 } from "../../endian/number_types.ts";
import { test, throwsWith } from "../_util.ts";

const abi = linuxX86_64;

// struct msg_st { long mtype; char name[32]; int math; int chinese; };
const MsgSt = struct([
  ["mtype", cLong],
  ["name", chars(32)],
  ["math", i32],
  ["chinese", i32],
], { name: "struct msg_st", abi });

test("native layouts align each field to its size and pad between fields", () => {
  const L = struct([["a", u8], ["b", u32], ["c", u16], ["d", i64]], { abi });
  assert.deepEqual(L.fields.map((f) => [f.name, f.offset, f.size, f.align]), [
    ["a", 0, 1, 1],
    ["b", 4, 4, 4],
    ["c", 8, 2, 2],
    ["d", 16, 8, 8],
  ]);
  assert.equal(L.size, 24);
  assert.equal(L.align, 8);
  assert.equal(L.packed, false);
});

test("native layouts add trailing padding up to the struct's alignment", () => {
  assert.equal(struct([["a", u32], ["b", u8]], { abi }).size, 8);
  assert.equal(struct([["a", i64], ["b", u8]], { abi }).size, 16);
  assert.equal(struct([["a", u16], ["b", u8]], { abi }).size, 4);
  assert.equal(struct([["a", u8], ["b", u8], ["c", u8]], { abi }).size, 3);
  assert.equal(struct([["a", u8], ["b", u8], ["c", u8]], { abi }).align, 1);
});

test("the classic struct msg_st is 48 bytes with math at 40", () => {
  assert.equal(MsgSt.size, 48);
  assert.equal(MsgSt.align, 8);
  assert.equal(MsgSt.offsetOf("mtype"), 0);
  assert.equal(MsgSt.offsetOf("name"), 8);
  assert.equal(MsgSt.offsetOf("math"), 40);
  assert.equal(MsgSt.offsetOf("chinese"), 44);
  assert.equal(MsgSt.name, "struct msg_st");
});

test("fields describe their C type, and whether they are reserved or flexible", () => {
  const L = struct([["a", u8], ["r", reserved(u32)], ["tail", flexibleBytes()]], { abi });
  assert.deepEqual(L.fields, [
    { name: "a", offset: 0, size: 1, align: 1, type: "uint8", reserved: false, flexible: false },
    {
      name: "r",
      offset: 4,
      size: 4,
      align: 4,
      type: "uint32",
      reserved: true,
      flexible: false,
    },
    {
      name: "tail",
      offset: 8,
      size: 0,
      align: 1,
      type: "uint8_t[]",
      reserved: false,
      flexible: true,
    },
  ]);
  assert.ok(Object.isFrozen(L.fields));
});

test("offsetOf() of a field the layout lacks is a TypeError naming it", () => {
  throwsWith(() => MsgSt.offsetOf("nope" as never), TypeError, 'struct msg_st has no field "nope"');
});

test("native layouts use the host's byte order", () => {
  const L = struct([["x", u32]], { abi });
  assert.equal(L.byteOrder, "little");
  assert.deepEqual([...L.encode({ x: 0x01020304 })], [4, 3, 2, 1]);
  assert.equal(
    struct([["x", u8]]).byteOrder,
    new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "little" : "big",
  );
});

test("packed layouts have no padding and are big-endian by default", () => {
  const L = packed([["a", u8], ["b", u32], ["c", u16]]);
  assert.deepEqual(L.fields.map((f) => [f.offset, f.align]), [[0, 1], [1, 1], [5, 1]]);
  assert.equal(L.size, 7);
  assert.equal(L.align, 1);
  assert.equal(L.packed, true);
  assert.equal(L.byteOrder, "big");
  assert.deepEqual([...L.encode({ a: 1, b: 0x02030405, c: 0x0607 })], [1, 2, 3, 4, 5, 6, 7]);
});

test("packed layouts can be little-endian", () => {
  const L = packed([["a", u8], ["b", u32], ["c", u16]], { byteOrder: "little" });
  assert.deepEqual([...L.encode({ a: 1, b: 0x02030405, c: 0x0607 })], [1, 5, 4, 3, 2, 7, 6]);
  assert.deepEqual(L.decode(new Uint8Array([1, 5, 4, 3, 2, 7, 6])), {
    a: 1,
    b: 0x02030405,
    c: 0x0607,
  });
});

test("packed() rejects a byte order other than big or little", () => {
  throwsWith(
    () => packed([["a", u8]], { byteOrder: "network" as never }),
    TypeError,
    '"big" or "little"',
    'got "network"',
  );
});

test("the same record, native and packed, differs only by padding and byte order", () => {
  const fields = [["a", u8], ["b", u32]] as const;
  const native = struct(fields, { abi });
  const wire = packed(fields);
  assert.deepEqual([...native.encode({ a: 1, b: 2 })], [1, 0, 0, 0, 2, 0, 0, 0]);
  assert.deepEqual([...wire.encode({ a: 1, b: 2 })], [1, 0, 0, 0, 2]);
});

test("nested structs are aligned to their own alignment and padded as C does", () => {
  const Inner = struct([["x", u8], ["y", u32]], { name: "struct inner", abi });
  const Outer = struct([["tag", u8], ["inner", Inner], ["z", u8]], { name: "struct outer", abi });
  assert.equal(Inner.size, 8);
  assert.deepEqual(Outer.fields.map((f) => [f.name, f.offset, f.size]), [
    ["tag", 0, 1],
    ["inner", 4, 8],
    ["z", 12, 1],
  ]);
  assert.equal(Outer.size, 16);
  const value = { tag: 1, inner: { x: 2, y: 3 }, z: 4 };
  assert.deepEqual(
    [...Outer.encode(value)],
    [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0],
  );
  assert.deepEqual(Outer.decode(Outer.encode(value)), value);
});

test("errors inside nested structs name the whole path", () => {
  const Inner = struct([["y", u16]], { abi });
  const Outer = struct([["inner", Inner]], { name: "outer", abi });
  throwsWith(() => Outer.encode({ inner: { y: -1 } }), RangeError, "outer.inner.y", "got -1");
  throwsWith(() => Outer.encode({ inner: 5 as never }), TypeError, "outer.inner must be an object");
  throwsWith(() => Outer.encode({ inner: {} as never }), TypeError, 'outer.inner has no field "y"');
});

test("arrays of structs lay out each element at the struct's size", () => {
  // struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; } ops[2];
  const Sembuf = struct([["sem_num", u16], ["sem_op", i16], ["sem_flg", i16]], { abi });
  const Ops = struct([["ops", array(Sembuf, 2)]], { abi });
  assert.equal(Ops.size, 12);
  const value = {
    ops: [{ sem_num: 0, sem_op: -1, sem_flg: 0 }, { sem_num: 1, sem_op: 1, sem_flg: 0x1000 }],
  };
  const bytes = Ops.encode(value);
  assert.deepEqual([...bytes], [0, 0, 0xff, 0xff, 0, 0, 1, 0, 1, 0, 0, 0x10]);
  assert.deepEqual(Ops.decode(bytes), value);
  const Padded = struct([["xs", array(struct([["a", u32], ["b", u8]], { abi }), 3)]], { abi });
  assert.equal(Padded.size, 24);
});

test("encode() zeroes padding and reserved fields", () => {
  const L = struct([["a", u8], ["r", reserved(u32)], ["b", u16]], { abi });
  const target = new Uint8Array(L.size + 2).fill(0xee);
  assert.equal(L.encodeInto({ a: 1, b: 2 }, target, 1), L.size);
  assert.deepEqual([...target], [0xee, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0xee]);
});

test("encodeInto() writes at an offset and returns the number of bytes written", () => {
  const target = new Uint8Array(100);
  const n = MsgSt.encodeInto({ mtype: 7, name: "Alan", math: 90, chinese: 85 }, target, 50);
  assert.equal(n, 48);
  assert.deepEqual(MsgSt.decode(target, 50), { mtype: 7, name: "Alan", math: 90, chinese: 85 });
  assert.ok(target.subarray(0, 50).every((b) => b === 0));
});

test("encodeInto() writes nothing when a field is bad or the struct does not fit", () => {
  const target = new Uint8Array(60).fill(0x11);
  const copy = target.slice();
  throwsWith(
    () => MsgSt.encodeInto({ mtype: 1, name: "x".repeat(32), math: 1, chinese: 1 }, target),
    RangeError,
    "struct msg_st.name is 32 bytes",
  );
  throwsWith(
    () => MsgSt.encodeInto({ mtype: 1, name: "Al", math: 1, chinese: 2 ** 31 }, target),
    RangeError,
  );
  throwsWith(
    () => MsgSt.encodeInto({ mtype: 1, name: "Al", math: 1, chinese: 1 }, target, 13),
    RangeError,
    "struct msg_st needs 48 bytes at offset 13, but the buffer holds 60",
  );
  assert.deepEqual(target, copy);
});

test("decode() reads at an offset and refuses a buffer too short", () => {
  const L = packed([["x", u16]], { name: "hdr" });
  assert.deepEqual(L.decode(new Uint8Array([9, 1, 2]), 1), { x: 0x0102 });
  throwsWith(
    () => L.decode(new Uint8Array([1, 2]), 1),
    RangeError,
    "hdr needs 2 bytes at offset 1, but the buffer holds 2",
  );
  throwsWith(() => L.decode(new Uint8Array(1)), RangeError, "needs 2 bytes");
});

test("decode() of a subarray reads from the subarray's start", () => {
  const L = packed([["x", u16]]);
  const whole = new Uint8Array([0xaa, 0xbb, 0x01, 0x02]);
  assert.deepEqual(L.decode(whole.subarray(2)), { x: 0x0102 });
});

test("offsets and targets are checked: non-negative integers and Uint8Arrays", () => {
  const L = packed([["x", u8]], { name: "rec" });
  for (const offset of [-1, 1.5, NaN, -0, Infinity]) {
    throwsWith(
      () => L.decode(new Uint8Array(4), offset),
      RangeError,
      "The offset of rec must be a non-negative integer",
    );
    throwsWith(() => L.encodeInto({ x: 1 }, new Uint8Array(4), offset), RangeError);
    throwsWith(() => L.view(new Uint8Array(4), offset), RangeError);
  }
  throwsWith(() => L.decode(new Uint8Array(4), "1" as never), TypeError, 'got "1"');
  throwsWith(() => L.decode([1, 2] as never), TypeError, "must be a Uint8Array", "an array");
  throwsWith(() => L.view(new ArrayBuffer(4) as never), TypeError, "must be a Uint8Array");
});

test("encode() needs an object with every non-reserved field", () => {
  throwsWith(
    () => MsgSt.encode(null as never),
    TypeError,
    "struct msg_st must be an object",
    "got null",
  );
  throwsWith(() => MsgSt.encode(5 as never), TypeError, "got 5");
  throwsWith(
    () => MsgSt.encode({ mtype: 1, name: "a", math: 1 } as never),
    TypeError,
    'struct msg_st has no field "chinese"',
  );
});

test("a layout must be declared with a non-empty list of distinct [name, type] pairs", () => {
  throwsWith(
    () => struct([], { name: "empty", abi }),
    TypeError,
    "The fields of empty must be a non-empty array",
  );
  throwsWith(() => struct({} as never, { abi }), TypeError, "non-empty array");
  throwsWith(
    () => struct([["a", u8], ["a", u16]], { name: "dup", abi }),
    TypeError,
    'dup declares field "a" twice',
  );
  throwsWith(
    () => struct([["a"]] as never, { abi }),
    TypeError,
    "Field 0 of struct must be a [name, type] pair",
  );
  throwsWith(() => struct([[1, u8]] as never, { abi }), TypeError, "Field 0");
  throwsWith(() => struct([["a", 4]] as never, { abi }), TypeError, "Field 0");
});

test("a flexible array member must be the last field", () => {
  throwsWith(
    () => packed([["name", flexibleChars()], ["n", u8]], { name: "rec" }),
    TypeError,
    'The flexible array member "name" must be the last field of rec, but "n" follows it',
  );
});

test("a layout with a flexible member cannot be nested in another", () => {
  const Tail = packed([["n", u8], ["rest", flexibleBytes()]], { name: "tail" });
  const Outer = packed([["t", Tail]], { name: "outer" });
  throwsWith(
    () => Outer.encode({ t: { n: 1, rest: new Uint8Array() } }),
    TypeError,
    "tail has a flexible array member",
  );
});

test("sizeOf() counts the flexible member; size is the fixed part", () => {
  const Rec = packed([["math", u32], ["chinese", u32], ["name", flexibleChars()]]);
  assert.equal(Rec.size, 8);
  assert.equal(Rec.sizeOf({ math: 1, chinese: 2, name: "Alan" }), 13);
  assert.equal(MsgSt.sizeOf({ mtype: 1, name: "", math: 1, chinese: 1 }), 48);
  const wire = Rec.encode({ math: 90, chinese: 85, name: "Alan" });
  assert.deepEqual([...wire], [0, 0, 0, 90, 0, 0, 0, 85, 65, 108, 97, 110, 0]);
  assert.deepEqual(Rec.decode(wire), { math: 90, chinese: 85, name: "Alan" });
});

test("a native struct with a flexible member puts it after the padded fixed part", () => {
  // struct msgbuf { long mtype; char mtext[]; }
  const Msgbuf = struct([["mtype", cLong], ["mtext", flexibleBytes()]], { abi });
  assert.equal(Msgbuf.size, 8);
  assert.deepEqual(
    [...Msgbuf.encode({ mtype: 3, mtext: new Uint8Array([1, 2]) })],
    [3, 0, 0, 0, 0, 0, 0, 0, 1, 2],
  );
});

test("views read fields in place and see later changes to the memory", () => {
  const bytes = MsgSt.encode({ mtype: 1, name: "Alan", math: 90, chinese: 85 });
  const view = MsgSt.view(bytes);
  assert.equal(view.mtype, 1);
  assert.equal(view.name, "Alan");
  assert.equal(view.math, 90);
  bytes[40] = 91;
  assert.equal(view.math, 91);
  assert.deepEqual(Object.keys(view).length, 0);
  assert.deepEqual(JSON.parse(JSON.stringify(view)), {
    mtype: 1,
    name: "Alan",
    math: 91,
    chinese: 85,
  });
});

test("views write fields in place, at the view's offset", () => {
  const bytes = new Uint8Array(8 + MsgSt.size);
  const view = MsgSt.view(bytes, 8);
  view.mtype = 2;
  view.name = "Grace";
  view.chinese = -1;
  assert.deepEqual(MsgSt.decode(bytes, 8), { mtype: 2, name: "Grace", math: 0, chinese: -1 });
  assert.ok(bytes.subarray(0, 8).every((b) => b === 0));
});

test("a view assignment that is refused writes nothing", () => {
  const bytes = MsgSt.encode({ mtype: 1, name: "Alan", math: 90, chinese: 85 });
  const before = bytes.slice();
  const view = MsgSt.view(bytes);
  throwsWith(() => view.math = 2 ** 31, RangeError, "struct msg_st.math", "got 2147483648");
  throwsWith(() => view.math = "1" as never, TypeError);
  throwsWith(() => view.name = "x".repeat(40), RangeError, "40 bytes in UTF-8");
  throwsWith(() => view.mtype = 1.5, RangeError, "got 1.5");
  assert.deepEqual(bytes, before);
});

test("assigning an array through a view with one bad element writes nothing", () => {
  const S = struct([["a", array(u16, 4)], ["b", i32]], { abi });
  const bytes = new Uint8Array(S.size).fill(0xaa);
  const view = S.view(bytes);
  throwsWith(
    () => {
      view.a = [1, 2, 70000, 4] as never;
    },
    RangeError,
    "got 70000",
  );
  assert.deepEqual(bytes, new Uint8Array(S.size).fill(0xaa));
  const C = struct([["names", array(chars(2), 3)]], { abi });
  const cBytes = new Uint8Array(C.size).fill(0x55);
  throwsWith(() => {
    C.view(cBytes).names = ["a", "b", "toolong"] as never;
  }, RangeError);
  assert.deepEqual(cBytes, new Uint8Array(C.size).fill(0x55));
});

test("views of nested structs and arrays read and write in place", () => {
  const Point = struct([["x", i32], ["y", i32]], { abi });
  const Shape = struct([["origin", Point], ["pts", array(Point, 2)], ["ids", array(u8, 3)]], {
    abi,
  });
  const bytes = new Uint8Array(Shape.size);
  const view = Shape.view(bytes);
  view.origin.x = 5;
  view.pts.get(1).y = 7;
  view.ids.set(2, 9);
  assert.deepEqual(Shape.decode(bytes), {
    origin: { x: 5, y: 0 },
    pts: [{ x: 0, y: 0 }, { x: 0, y: 7 }],
    ids: [0, 0, 9],
  });
  assert.equal(view.ids.length, 3);
  assert.deepEqual(view.ids.toArray(), [0, 0, 9]);
  assert.deepEqual([...view.ids], [0, 0, 9]);
  assert.deepEqual(view.pts.toArray(), [{ x: 0, y: 0 }, { x: 0, y: 7 }]);
  view.origin = { x: 1, y: 2 } as never;
  assert.deepEqual(Shape.decode(bytes).origin, { x: 1, y: 2 });
  throwsWith(() => view.origin = { x: 1, y: 2 ** 40 } as never, RangeError);
  assert.deepEqual(Shape.decode(bytes).origin, { x: 1, y: 2 });
  throwsWith(() => view.ids.set(0, 256), RangeError, "got 256");
  assert.equal(view.ids.get(0), 0);
});

test("array views refuse indexes outside the array", () => {
  const L = struct([["xs", array(u8, 3)]], { abi });
  const view = L.view(new Uint8Array(3));
  for (const index of [-1, 3, 1.5, NaN]) {
    throwsWith(() => view.xs.get(index), RangeError, "Index must be an integer in [0, 2]");
    throwsWith(() => view.xs.set(index, 1), RangeError, "[0, 2]");
  }
});

test("a byte-array field's view is the live memory", () => {
  const L = struct([["tag", u8], ["raw", bytes(3)]], { abi });
  const mem = new Uint8Array(4);
  const view = L.view(mem);
  view.raw[1] = 42;
  assert.equal(mem[2], 42);
  view.raw = new Uint8Array([7]);
  assert.deepEqual([...mem], [0, 7, 0, 0]);
});

test("views of a flexible member read the bytes after the fixed part and refuse assignment", () => {
  const Rec = packed([["n", u8], ["name", flexibleChars()]], { name: "rec" });
  const view = Rec.view(Rec.encode({ n: 1, name: "Ada" }));
  assert.equal(view.name, "Ada");
  throwsWith(
    () => view.name = "Bob",
    TypeError,
    "Cannot assign the flexible array member rec.name",
  );
});

test("a view needs the whole struct inside the buffer", () => {
  throwsWith(
    () => MsgSt.view(new Uint8Array(47)),
    RangeError,
    "struct msg_st needs 48 bytes at offset 0, but the buffer holds 47",
  );
  throwsWith(() => MsgSt.view(new Uint8Array(48), 1), RangeError, "at offset 1");
});

test("views have no properties for reserved fields", () => {
  const L = struct([["a", u8], ["__pad", reserved(u8)]], { abi });
  const view = L.view(new Uint8Array(2)) as Record<string, unknown>;
  assert.equal("__pad" in view, false);
  assert.equal("a" in view, true);
});

test("a layout is a field type: it has name, size and align, and reads and writes", () => {
  assert.ok(MsgSt instanceof Layout);
  const dv = new DataView(new ArrayBuffer(48));
  MsgSt.write(dv, 0, { mtype: 1, name: "x", math: 2, chinese: 3 }, true, "m");
  assert.deepEqual(MsgSt.read(dv, 0), { mtype: 1, name: "x", math: 2, chinese: 3 });
});

test("layouts take the ABI they are built for", () => {
  const L = struct([["a", u8], ["l", cLong]], { abi: linuxAarch64 });
  assert.equal(L.abi, linuxAarch64);
  assert.equal(L.size, 16);
  assert.equal(struct([["a", u8]]).abi.name, `linux-${Deno.build.arch}`);
});

test("64-bit fields read back as bigints, exactly", () => {
  const L = packed([["x", u64], ["y", i64]]);
  const v = { x: 2n ** 64n - 1n, y: -(2n ** 63n) };
  assert.deepEqual(L.decode(L.encode(v)), v);
});
