import assert from "node:assert/strict";
import {
  byteSwap,
  hostByteOrder,
  htonl,
  htonll,
  htons,
  networkByteOrder,
  ntohl,
  ntohll,
  ntohs,
} from "../../endian/byte_order.ts";
import { test, throwsWith } from "../_util.ts";

/** The bytes of a uint16 as this host stores it in memory. */
function memory16(value: number): number[] {
  return [...new Uint8Array(new Uint16Array([value]).buffer)];
}
function memory32(value: number): number[] {
  return [...new Uint8Array(new Uint32Array([value]).buffer)];
}
function memory64(value: bigint): number[] {
  return [...new Uint8Array(new BigUint64Array([value]).buffer)];
}

test("hostByteOrder is the order this machine stores integers in", () => {
  const view = new DataView(new Uint32Array([0x01020304]).buffer);
  const expected = view.getUint8(0) === 0x04 ? "little" : "big";
  assert.equal(hostByteOrder, expected);
  // Every platform unixipc supports (x86_64, aarch64 Linux) is little-endian.
  if (Deno.build.arch === "x86_64" || Deno.build.arch === "aarch64") {
    assert.equal(hostByteOrder, "little");
  }
});

test("network byte order is big-endian", () => {
  assert.equal(networkByteOrder, "big");
});

test("htons() puts the most significant byte first in memory", () => {
  assert.deepEqual(memory16(htons(0x1234)), [0x12, 0x34]);
  assert.deepEqual(memory16(htons(1989)), [0x07, 0xc5]);
  assert.deepEqual(memory16(htons(0)), [0, 0]);
  assert.deepEqual(memory16(htons(0xffff)), [0xff, 0xff]);
});

test("htonl() puts the most significant byte first in memory", () => {
  assert.deepEqual(memory32(htonl(0x12345678)), [0x12, 0x34, 0x56, 0x78]);
  assert.deepEqual(memory32(htonl(0x7f000001)), [127, 0, 0, 1]);
  assert.deepEqual(memory32(htonl(0xffffffff)), [0xff, 0xff, 0xff, 0xff]);
});

test("htonll() puts the most significant byte first in memory", () => {
  assert.deepEqual(memory64(htonll(0x0102030405060708n)), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(memory64(htonll(1)), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(memory64(htonll(2n ** 64n - 1n)), [255, 255, 255, 255, 255, 255, 255, 255]);
});

test("ntohs(), ntohl() and ntohll() read network-order bytes back", () => {
  assert.equal(ntohs(new Uint16Array(new Uint8Array([0x12, 0x34]).buffer)[0]!), 0x1234);
  assert.equal(
    ntohl(new Uint32Array(new Uint8Array([0xde, 0xad, 0xbe, 0xef]).buffer)[0]!),
    0xdeadbeef,
  );
  assert.equal(
    ntohll(new BigUint64Array(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer)[0]!),
    0x0102030405060708n,
  );
});

test("on a little-endian host the conversions swap to the known values", () => {
  if (hostByteOrder !== "little") return;
  assert.equal(htons(0x1234), 0x3412);
  assert.equal(ntohs(0x3412), 0x1234);
  assert.equal(htonl(0x12345678), 0x78563412);
  assert.equal(ntohl(0x78563412), 0x12345678);
  assert.equal(htonl(1), 0x01000000);
  assert.equal(htonll(0x0102030405060708n), 0x0807060504030201n);
  assert.equal(ntohll(0x0807060504030201n), 0x0102030405060708n);
});

test("every conversion undoes itself and returns unsigned values", () => {
  for (const x of [0, 1, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff]) {
    assert.equal(ntohs(htons(x)), x);
    assert.ok(htons(x) >= 0);
  }
  for (const x of [0, 1, 0x80000000, 0xdeadbeef, 0xffffffff, 0x7fffffff]) {
    assert.equal(ntohl(htonl(x)), x);
    assert.ok(htonl(x) >= 0);
  }
  for (const x of [0n, 1n, 2n ** 63n, 2n ** 64n - 1n, 0xdeadbeefcafebaben]) {
    assert.equal(ntohll(htonll(x)), x);
    assert.ok(htonll(x) >= 0n);
  }
});

test("htonll() and ntohll() take safe integer numbers too, and return bigints", () => {
  assert.equal(ntohll(htonll(1989)), 1989n);
  assert.equal(typeof htonll(0), "bigint");
});

test("htons() and ntohs() reject what is not a uint16, naming the value and [0, 65535]", () => {
  for (const fn of [htons, ntohs]) {
    for (
      const [value, shown] of [
        [NaN, "NaN"],
        [-0, "-0"],
        [1.5, "1.5"],
        [65536, "65536"],
        [
          -1,
          "-1",
        ],
        [2 ** 31, "2147483648"],
        [Infinity, "Infinity"],
      ] as const
    ) {
      throwsWith(() => fn(value), RangeError, "[0, 65535]", `got ${shown}`);
    }
    throwsWith(() => fn("80" as unknown as number), TypeError, "[0, 65535]", 'got "80"');
    throwsWith(() => fn(80n as unknown as number), TypeError, "[0, 65535]", "got 80n");
    throwsWith(() => fn(undefined as unknown as number), TypeError, "got undefined");
  }
});

test("htonl() and ntohl() reject what is not a uint32, naming the value and [0, 4294967295]", () => {
  for (const fn of [htonl, ntohl]) {
    for (
      const [value, shown] of [[NaN, "NaN"], [-0, "-0"], [1.5, "1.5"], [2 ** 32, "4294967296"], [
        -1,
        "-1",
      ], [Infinity, "Infinity"]] as const
    ) {
      throwsWith(() => fn(value), RangeError, "[0, 4294967295]", `got ${shown}`);
    }
    throwsWith(() => fn("1" as unknown as number), TypeError, "[0, 4294967295]", 'got "1"');
    throwsWith(() => fn(1n as unknown as number), TypeError, "got 1n");
  }
});

test("htonll() and ntohll() reject what is not a uint64, naming the value and range", () => {
  for (const fn of [htonll, ntohll]) {
    const range = "[0, 18446744073709551615]";
    for (
      const [value, shown] of [
        [NaN, "NaN"],
        [-0, "-0"],
        [1.5, "1.5"],
        [-1, "-1"],
        [
          Infinity,
          "Infinity",
        ],
        [-1n, "-1n"],
        [2n ** 64n, "18446744073709551616n"],
        [2 ** 53, "9007199254740992"],
      ] as const
    ) {
      throwsWith(() => fn(value), RangeError, range, `got ${shown}`);
    }
    throwsWith(() => fn("1" as unknown as number), TypeError, range, 'got "1"');
  }
});

test("byteSwap() reverses the bytes of 16-, 32- and 64-bit values", () => {
  assert.equal(byteSwap(0x1234, 16), 0x3412);
  assert.equal(byteSwap(0x12345678, 32), 0x78563412);
  assert.equal(byteSwap(0x0102030405060708n, 64), 0x0807060504030201n);
  assert.equal(byteSwap(byteSwap(0xbeef, 16), 16), 0xbeef);
});

test("byteSwap() takes signed values and returns the swapped bits unsigned", () => {
  assert.equal(byteSwap(-1, 16), 0xffff);
  assert.equal(byteSwap(-2, 16), 0xfeff);
  assert.equal(byteSwap(-1, 32), 0xffffffff);
  assert.equal(byteSwap(-2, 32), 0xfeffffff);
  assert.equal(byteSwap(-1n, 64), 2n ** 64n - 1n);
  assert.equal(byteSwap(-2n, 64), 0xfeffffffffffffffn);
});

test("byteSwap() rejects values outside the width, wrong kinds and other widths", () => {
  throwsWith(() => byteSwap(65536, 16), RangeError, "[-32768, 65535]", "got 65536");
  throwsWith(() => byteSwap(-32769, 16), RangeError, "got -32769");
  throwsWith(() => byteSwap(2 ** 32, 32), RangeError, "[-2147483648, 4294967295]");
  for (
    const [value, shown] of [[NaN, "NaN"], [-0, "-0"], [1.5, "1.5"], [
      Infinity,
      "Infinity",
    ]] as const
  ) {
    throwsWith(() => byteSwap(value, 32), RangeError, `got ${shown}`);
  }
  throwsWith(
    () => byteSwap(1n as unknown as number, 16),
    TypeError,
    "a bigint for 64 bits",
    "got 1n",
  );
  throwsWith(() => byteSwap("1" as unknown as number, 32), TypeError, 'got "1"');
  throwsWith(() => byteSwap(2n ** 64n, 64), RangeError, "got 18446744073709551616n");
  throwsWith(() => byteSwap(-(2n ** 63n) - 1n, 64), RangeError);
  throwsWith(() => byteSwap(1, 8 as 16), RangeError, "16, 32 or 64", "got 8");
});
