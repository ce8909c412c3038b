import assert from "node:assert/strict";
import { busySpinDefault, SpinPolicy, spinUntil } from "../../ipc/_spin.ts";
import { test } from "../_util.ts";

/** Budgets of the next `n` waits. */
function budgets(policy: SpinPolicy, n: number): number[] {
  return Array.from({ length: n }, () => policy.budget());
}

/** Misses until the policy stops spinning; returns how many it took. */
function missUntilOff(policy: SpinPolicy): number {
  for (let n = 1; n <= 100; n++) {
    policy.miss();
    if (policy.budget() === 0) return n;
  }
  throw new Error("still spinning after 100 misses");
}

test("SpinPolicy spins 50 us at first, at most its longest spin", () => {
  assert.equal(new SpinPolicy(50).budget(), 50);
  assert.equal(new SpinPolicy(400).budget(), 50);
  assert.equal(new SpinPolicy(20).budget(), 20);
  assert.equal(new SpinPolicy(400).maxMicros, 400);
});

test("SpinPolicy never spins with a longest spin of 0", () => {
  const policy = new SpinPolicy(0);
  for (let i = 0; i < 100; i++) policy.hit(1);
  assert.deepEqual(budgets(policy, 20), Array(20).fill(0));
});

test("SpinPolicy spins 4 times the usual catch delay plus 10 us, at least 50 us", () => {
  const quick = new SpinPolicy(400);
  for (let i = 0; i < 100; i++) quick.hit(2);
  assert.equal(quick.budget(), 50, "never shorter than a park costs");
  const later = new SpinPolicy(400);
  for (let i = 0; i < 200; i++) later.hit(30);
  const budget = later.budget();
  assert.ok(budget > 129 && budget < 131, `budget ${budget} us for catches after 30 us`);
  const slow = new SpinPolicy(400);
  for (let i = 0; i < 100; i++) slow.hit(200);
  assert.equal(slow.budget(), 400, "capped at the longest spin");
});

test("SpinPolicy keeps spinning while at least a quarter of its spins catch", () => {
  const policy = new SpinPolicy(50);
  for (let i = 0; i < 200; i++) {
    assert.ok(policy.budget() > 0, `wait ${i} parked at once`);
    if (i % 3 === 0) policy.hit(5);
    else policy.miss();
  }
});

test("SpinPolicy stops spinning after misses, then probes after 2, 4, 8, 16 waits", () => {
  const policy = new SpinPolicy(50);
  assert.equal(missUntilOff(policy), 11, "the rate falls by 1/8 per miss, from 1 below 1/4");
  // missUntilOff consumed the first skipped wait.
  assert.deepEqual(budgets(policy, 2), [0, 50], "the first probe");
  for (const interval of [4, 8, 16, 16]) {
    policy.miss();
    const pattern = budgets(policy, interval + 1).map(Boolean);
    assert.deepEqual(pattern, [...Array(interval).fill(false), true], `after ${interval} waits`);
  }
});

test("SpinPolicy probes with 50 us at most, not its learned budget", () => {
  const quick = new SpinPolicy(400);
  for (let i = 0; i < 100; i++) quick.hit(2);
  missUntilOff(quick);
  assert.deepEqual(budgets(quick, 2), [0, 50]);
  const short = new SpinPolicy(20);
  missUntilOff(short);
  assert.deepEqual(budgets(short, 2), [0, 20]);
});

test("SpinPolicy spins again after a probe that catches", () => {
  const policy = new SpinPolicy(50);
  missUntilOff(policy);
  assert.deepEqual(budgets(policy, 2).map(Boolean), [false, true]);
  policy.miss();
  budgets(policy, 4);
  assert.ok(policy.budget() > 0, "the second probe");
  policy.hit(5);
  assert.deepEqual(budgets(policy, 10).map(Boolean), Array(10).fill(true));
  assert.equal(missUntilOff(policy), 6, "from a rate of 1/2, six misses turn it off");
  assert.deepEqual(budgets(policy, 2).map(Boolean), [false, true], "probes start over at 2");
});

test("SpinPolicy stops spinning after a parked wait of more than 10 times its longest spin", () => {
  const policy = new SpinPolicy(50);
  policy.parked(500);
  assert.equal(policy.budget(), 50, "a parked wait a spin could nearly have caught");
  policy.parked(501);
  assert.deepEqual(budgets(policy, 3).map(Boolean), [false, false, true], "an idle line");
  policy.hit(5);
  assert.deepEqual(budgets(policy, 3).map(Boolean), [true, true, true]);
});

test("SpinPolicy.spin() learns from its attempts and stays within the limit", () => {
  const policy = new SpinPolicy(50);
  let calls = 0;
  assert.equal(policy.spin(() => ++calls === 3), true);
  assert.equal(calls, 3);
  calls = 0;
  assert.equal(policy.spin(() => (calls++, false), 0), false, "no time left");
  assert.equal(calls, 0);
  const start = performance.now();
  assert.equal(policy.spin(() => false, 1), false);
  assert.ok(performance.now() - start < 20, "a spin bounded by the limit");
  for (let i = 0; i < 20; i++) policy.spin(() => false);
  assert.equal(policy.budget(), 0, "misses turned spinning off");
});

test("spinUntil tries until an attempt succeeds or the budget runs out", () => {
  let calls = 0;
  assert.equal(spinUntil(1000, () => ++calls === 5), true);
  assert.equal(calls, 5);
  calls = 0;
  assert.equal(spinUntil(0, () => (calls++, true)), false, "no budget: no attempt");
  assert.equal(calls, 0);
  assert.equal(spinUntil(0.001, () => (calls++, false)), false);
  assert.ok(calls >= 1, "a positive budget tries at least once");
});

test("busySpinDefault is 0 where the process may run on one CPU only", () => {
  const cpus = navigator.hardwareConcurrency;
  assert.equal(busySpinDefault(50), cpus > 1 ? 50 : 0);
});
