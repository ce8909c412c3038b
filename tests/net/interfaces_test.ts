import assert from "node:assert/strict";
import { interfaceIndex, interfaceName } from "../../net/mod.ts";
import { test } from "../_util.ts";

test("interfaceIndex() and interfaceName() agree with /sys/class/net", () => {
  const index = Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex").trim());
  assert.equal(interfaceIndex("lo"), index);
  assert.equal(interfaceName(index), "lo");
});

test("interfaceIndex() fails with ENODEV for an interface that does not exist", () => {
  assert.throws(
    () => interfaceIndex("nosuchif0"),
    (e: Error & { code?: string }) => e.code === "ENODEV" && e.message.includes('"nosuchif0"'),
  );
});

test("interface names and indexes are checked before any call", () => {
  assert.throws(() => interfaceIndex(""), RangeError);
  assert.throws(() => interfaceIndex("a-name-longer-than-15"), RangeError);
  assert.throws(() => interfaceIndex("l\0o"), RangeError);
  assert.throws(() => interfaceIndex(1 as unknown as string), TypeError);
  for (const bad of [0, -1, 1.5, NaN, -0, 2 ** 32]) {
    assert.throws(() => interfaceName(bad), RangeError, String(bad));
  }
  assert.throws(() => interfaceName(4242), { code: "ENXIO" });
});
