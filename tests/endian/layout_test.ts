import assert from "node:assert/strict";
import { array, chars, i32, u16 } from "../../endian/types.ts";
import { struct } from "../../endian/layout.ts";
import { test, throwsWith } from "../_util.ts";

test("assigning an array through a view with one bad element writes nothing", () => {
  const S = struct([["a", array(u16, 4)], ["b", i32]]);
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
  const C = struct([["names", array(chars(2), 3)]]);
  const cBytes = new Uint8Array(C.size).fill(0x55);
  throwsWith(() => {
    C.view(cBytes).names = ["a", "b", "toolong"] as never;
  }, RangeError);
  assert.deepEqual(cBytes, new Uint8Array(C.size).fill(0x55));
});
