import assert from "node:assert/strict";
import { maintain, maxSpawnRate, type PoolLimits } from "../../net/_pool_policy.ts";
import { test } from "../_util.ts";

const limits: PoolLimits = { minSpare: 5, maxSpare: 10, maxClients: 20 };

test("pool policy: an empty pool ramps 1, 2, 4 per tick until minSpare idle workers exist", () => {
  let idle = 0;
  let rate = 1;
  const spawned: number[] = [];
  while (idle < limits.minSpare) {
    const d = maintain({ idle, busy: 0, starting: 0 }, limits, rate);
    spawned.push(d.spawn);
    idle += d.spawn;
    rate = d.nextSpawnRate;
  }
  assert.deepEqual(spawned, [1, 2, 2]);
  assert.equal(rate, 1);
});

test("pool policy: starting workers count as idle to come, so nothing is spawned twice", () => {
  const d = maintain({ idle: 2, busy: 4, starting: 3 }, limits, 8);
  assert.equal(d.spawn, 0);
  assert.equal(d.retire, 0);
});

test("pool policy: the rate doubles while short and stops at maxSpawnRate", () => {
  const big: PoolLimits = { minSpare: 100, maxSpare: 200, maxClients: 1000 };
  let rate = 1;
  const rates: number[] = [];
  let idle = 0;
  for (let i = 0; i < 8; i++) {
    const d = maintain({ idle, busy: 0, starting: 0 }, big, rate);
    idle += d.spawn;
    rate = d.nextSpawnRate;
    rates.push(rate);
  }
  assert.deepEqual(rates.slice(0, 6), [2, 4, 8, 16, 32, maxSpawnRate]);
});

test("pool policy: never exceeds maxClients, and says so when idle workers are short", () => {
  const d = maintain({ idle: 1, busy: 18, starting: 0 }, limits, 4);
  assert.equal(d.spawn, 1);
  const full = maintain({ idle: 0, busy: 20, starting: 0 }, limits, 4);
  assert.equal(full.spawn, 0);
  assert.equal(full.atMaxClients, true);
});

test("pool policy: idle workers above maxSpare are retired, back to maxSpare in one tick", () => {
  const d = maintain({ idle: 17, busy: 2, starting: 0 }, limits, 1);
  assert.equal(d.retire, 7);
  assert.equal(d.spawn, 0);
});

test("pool policy: between minSpare and maxSpare nothing happens and the rate resets", () => {
  const d = maintain({ idle: 7, busy: 3, starting: 0 }, limits, 16);
  assert.deepEqual(d, { spawn: 0, retire: 0, nextSpawnRate: 1, atMaxClients: false });
});

test("pool policy: only the surplus that lasted over the last ticks is retired", () => {
  const flicker = maintain({ idle: 15, busy: 2, starting: 0, sustainedIdle: 4 }, limits, 1);
  assert.equal(flicker.retire, 0, "a moment of idleness under load retires nobody");
  const lasting = maintain({ idle: 15, busy: 2, starting: 0, sustainedIdle: 13 }, limits, 1);
  assert.equal(lasting.retire, 3);
});
