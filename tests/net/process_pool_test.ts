import assert from "node:assert/strict";
import { ProcessPool, type ProcessPoolOptions, TcpConnection } from "../../net/mod.ts";
import { deno, run, test } from "../_util.ts";

const worker = new URL("../_fixtures/pool_worker.ts", import.meta.url);
const decoder = new TextDecoder();

/** Starts a pool of the test worker; `delay` ms per connection. */
function startPool(options: ProcessPoolOptions & { delay?: number }): ProcessPool {
  return ProcessPool.start(worker, {
    tick: 50,
    handleSignals: false,
    permissions: { ffi: true },
    args: [String(options.delay ?? 0)],
    ...options,
  });
}

/** Connects, reads the server's whole answer; throws on any failure. */
async function fetchTime(pool: ProcessPool): Promise<string> {
  using connection = await TcpConnection.connect(pool.address, { timeout: 10_000 });
  const buffer = new Uint8Array(64);
  let length = 0;
  for (;;) {
    const n = await connection.read(buffer.subarray(length), { timeout: 10_000 });
    if (n === null) break;
    length += n;
  }
  return decoder.decode(buffer.subarray(0, length));
}

function assertTimeLine(line: string): void {
  assert.match(line, /^\d+\r\n$/);
  assert.ok(Math.abs(Number(line.trim()) - Date.now() / 1000) < 60, `a time near now: ${line}`);
}

/** Waits until `check` is true, polling every 20 ms, for at most `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("ProcessPool: workers inherit the listening socket and serve the time", async () => {
  await using pool = startPool({ minSpare: 2, maxSpare: 4, maxClients: 6 });
  await eventually(() => pool.scoreboard().idle >= 2, 15_000, "two workers are idle");
  const answers = await Promise.all(Array.from({ length: 10 }, () => fetchTime(pool)));
  for (const answer of answers) assertTimeLine(answer);
  const board = pool.scoreboard();
  assert.equal(board.slots.length, 6);
  assert.ok(board.served >= 10, `served ${board.served}`);
  const pids = board.slots.filter((s) => s.pid > 0).map((s) => s.pid);
  assert.ok(pids.every((pid) => pid !== Deno.pid));
  assert.ok(board.line.length === 6 && /^[.x-]+$/.test(board.line));
});

test("ProcessPool: grows under load up to maxClients and never beyond", async () => {
  await using pool = startPool({ minSpare: 1, maxSpare: 2, maxClients: 5, delay: 300 });
  await eventually(() => pool.scoreboard().idle >= 1, 15_000, "a worker is idle");
  let largest = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      largest = Math.max(largest, pool.scoreboard().size);
      assert.ok(pool.scoreboard().size <= 5, "never more than maxClients workers");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  // 40 connections of 300 ms each: more than one worker can serve in time.
  const answers = await Promise.all(Array.from({ length: 40 }, () => fetchTime(pool)));
  sampling = false;
  await sampler;
  for (const answer of answers) assertTimeLine(answer);
  assert.equal(largest, 5, "the pool grew to maxClients");
});

test("ProcessPool: idle workers come back within [minSpare, maxSpare] a few ticks after the load", async () => {
  await using pool = startPool({ minSpare: 1, maxSpare: 2, maxClients: 6, delay: 200 });
  await eventually(() => pool.scoreboard().idle >= 1, 15_000, "a worker is idle");
  await Promise.all(Array.from({ length: 30 }, () => fetchTime(pool)));
  await eventually(
    () => {
      const { idle, size, busy } = pool.scoreboard();
      return busy === 0 && idle >= 1 && idle <= 2 && size === idle;
    },
    10_000,
    "the idle count is back within [1, 2] with nothing else running",
  );
});

test("ProcessPool: a worker killed with SIGKILL is replaced, and only its connection fails", async () => {
  const deaths: string[] = [];
  await using pool = startPool({
    minSpare: 2,
    maxSpare: 4,
    maxClients: 6,
    delay: 100,
    onWorkerDied: (_slot, _pid, how) => deaths.push(how),
  });
  await eventually(() => pool.scoreboard().idle >= 2, 15_000, "two workers are idle");
  let failures = 0;
  let served = 0;
  let loading = true;
  const clients = Array.from({ length: 4 }, async () => {
    while (loading) {
      try {
        assertTimeLine(await fetchTime(pool));
        served++;
      } catch {
        failures++;
      }
    }
  });
  await eventually(() => pool.scoreboard().busy >= 1, 10_000, "a worker is busy");
  const victim = pool.scoreboard().slots.find((s) => s.state === "busy")!;
  Deno.kill(victim.pid, "SIGKILL");
  await eventually(() => deaths.length === 1, 10_000, "the death is seen");
  const before = served;
  await eventually(() => served >= before + 10, 20_000, "ten more connections are served");
  loading = false;
  await Promise.all(clients);
  assert.deepEqual(deaths, ["killed by SIGKILL"]);
  assert.ok(failures <= 1, `${failures} connections failed`);
  assert.ok(pool.scoreboard().slots.every((s) => s.pid !== victim.pid));
  await eventually(() => pool.scoreboard().idle >= 2, 15_000, "idle workers are back");
});

test("ProcessPool.stop() lets a busy worker finish its connection, then leaves nothing", async () => {
  const pool = startPool({ minSpare: 1, maxSpare: 2, maxClients: 2, delay: 500 });
  await eventually(() => pool.scoreboard().idle >= 1, 15_000, "a worker is idle");
  const answer = fetchTime(pool);
  await eventually(() => pool.scoreboard().busy === 1, 10_000, "the worker is busy");
  const pids = pool.scoreboard().slots.filter((s) => s.pid > 0).map((s) => s.pid);
  await pool.stop();
  assertTimeLine(await answer);
  for (const pid of pids) {
    assert.throws(() => Deno.kill(pid, "SIGCONT"), "every worker has exited and been reaped");
  }
  await assert.rejects(TcpConnection.connect(pool.address, { timeout: 2000 }), {
    code: "ECONNREFUSED",
  });
  assert.equal(pool.stop(), pool.stop(), "stop() again gives the same promise");
});

test("ProcessPool rejects bad limits before it listens or spawns anything", () => {
  assert.throws(() => startPool({ minSpare: 5, maxSpare: 2 }), RangeError);
  assert.throws(() => startPool({ minSpare: 3, maxSpare: 4, maxClients: 2 }), RangeError);
  assert.throws(() => startPool({ maxClients: 0 }), RangeError);
  assert.throws(() => startPool({ maxSpare: 1.5 }), RangeError);
  assert.throws(() => startPool({ tick: NaN }), RangeError);
  assert.throws(() => startPool({ minSpare: "5" as unknown as number }), TypeError);
  assert.throws(() => ProcessPool.start(42 as unknown as string), TypeError);
});

test("pool_server.ts: SIGTERM stops the pool and its workers; nothing is left", async () => {
  const example = new URL("../../examples/net/pool_server.ts", import.meta.url).pathname;
  const script = `
    const child = new Deno.Command(${JSON.stringify(deno)}, {
      args: ["run", "--allow-ffi", ${
    JSON.stringify(example)
  }, "--port", "0", "--min-spare", "2", "--max-spare", "3", "--max-clients", "4"],
      stdout: "piped", stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const errText = new Response(child.stderr).text();
    let text = "";
    let killed = false;
    for (;;) {
      // Signal once the first scoreboard line is out, then read to the end so
      // that no stream is left locked or unread.
      if (!killed && /\\.\\.--/.test(text)) {
        child.kill("SIGTERM");
        killed = true;
      }
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    console.log(JSON.stringify({ code: status.code, killed, text, err: await errText }));
  `;
  const { code, stdout, stderr } = await run(deno, ["eval", "--quiet", script], {
    timeout: 30_000,
  });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.ok(result.killed, `the pool never printed its scoreboard: ${result.err}`);
  assert.equal(result.code, 0, result.err);
  assert.match(result.text, /^-+\n/, "the first line: every slot free");
  assert.match(result.err, /pool_server: stopped/);
  assert.doesNotMatch(result.err, /died|killed/);
}, { sanitizeOps: false, denoOnly: "the pool runs in Deno children" });
