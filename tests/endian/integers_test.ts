import assert from "node:assert/strict";
import {
  checkSafeInteger,
  int16,
  int32,
  int8,
  type IntegerType,
  uint16,
  uint32,
  uint8,
} from "../../endian/integers.ts";
import { test, throwsWith } from "../_util.ts";

const small: IntegerType<number>[] = [int8, uint8, int16, uint16, int32, uint32];

test("a bigint given for an 8- to 32-bit integer is a TypeError naming the value and range", () => {
  for (const type of small) {
    throwsWith(
      () => type.check(1n, "count"),
      TypeError,
      `Count must be an integer in [${type.min}, ${type.max}] (${type.name})`,
      "got 1n",
    );
  }
});
