/**
 * System V IPC between two processes, measured in one run: our sync API,
 * our async API (with its default spin, and with `spin: 0`, which parks
 * every wait on a pool thread at once), the same programs in C
 * (`c/xsi_pair.c`, gcc -O2, built here), and Python's sysv_ipc.
 *
 * Beside C and Python, the floor of Deno itself: the same sync loops on a
 * raw `Deno.dlopen` of libc. Our variants: sync (`sendSync`, `receiveSync` into one buffer with
 * `options.into`, `opSync`); the same receiving a new Uint8Array per
 * message (the default); async (`send`, `receive`, `op`, with their
 * adaptive spin); async with `spin: 0` (every wait parked on a pool thread).
 *
 * - msg ping-pong: the client sends a 64-byte message of type 1, the server
 *   answers with type 2; the time of one round trip;
 * - msg one-way: the client sends 64-byte messages as fast as the queue
 *   takes them, the server receives them; the time per message;
 * - shm+sem ping-pong: the client writes a number into shared memory and
 *   posts the server's semaphore, the server adds 1 and posts the
 *   client's; the time of one round trip.
 *
 * Each variant runs as two processes of its own kind. Rounds of every
 * variant are interleaved and the median round is kept, so that a shared
 * machine's load hits all alike: the ratios to C count, absolute times do
 * not.
 *
 *   deno run -A scripts/bench/xsi.ts [--quick]
 *
 * @module
 */

import { MessageQueue, SemaphoreSet, SharedMemory } from "../../xsi/mod.ts";
import { buildC } from "./_c.ts";
import { pingPongAsync, pingPongSync } from "./_msg_loops.ts";

type Work = "pingpong" | "oneway" | "shm";
type Variant = "c" | "raw" | "sync" | "alloc" | "async" | "async0" | "python";

const SIZE = 64;
const WARM = 500;

// ---- the Deno sides (this same file, with --role) ------------------------------------

/** The options a Deno side was started with. */
interface Role {
  server: boolean;
  work: Work;
  n: number;
  ids: number[];
  /** Receive into one buffer (options.into), or a new Uint8Array per message (the default). */
  into: Uint8Array | undefined;
  /** The async forms' spin: undefined (adaptive) or 0. */
  spin: number | undefined;
}

/** Arguments: --role server|client --work W --mode sync|alloc|async|async0 --n N --ids a,b,c */
async function role(args: string[]): Promise<void> {
  const get = (name: string) => args[args.indexOf(name) + 1]!;
  const mode = get("--mode");
  const options: Role = {
    server: get("--role") === "server",
    work: get("--work") as Work,
    n: Number(get("--n")),
    ids: get("--ids").split(",").map(Number),
    into: mode === "alloc" ? undefined : new Uint8Array(SIZE),
    spin: mode === "async0" ? 0 : undefined,
  };
  if (mode === "raw") rawSide(options);
  else if (mode === "sync" || mode === "alloc") syncSide(options);
  else await asyncSide(options);
}

const data = new Uint8Array(SIZE).fill(0x78);

/**
 * The floor of Deno itself: the same sync loops on a raw `Deno.dlopen` of
 * libc (a benchmark may; the library never does outside ipc/_libc.ts),
 * bigint sizes, one buffer, no checks.
 */
function rawSide({ server, work, n, ids }: Role): void {
  const lib = Deno.dlopen("libc.so.6", {
    msgsnd: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
    msgrcv: { parameters: ["i32", "buffer", "usize", "i64", "i32"], result: "isize" },
    semop: { parameters: ["i32", "buffer", "usize"], result: "i32" },
    shmat: { parameters: ["i32", "pointer", "i32"], result: "pointer" },
  });
  const { msgsnd, msgrcv, semop, shmat } = lib.symbols;
  const size = BigInt(SIZE);
  const out = new Uint8Array(new ArrayBuffer(8 + SIZE)).fill(0x78);
  const view = new DataView(out.buffer);
  const into = new Uint8Array(new ArrayBuffer(8 + SIZE));
  const send = (q: number, type: number) => {
    view.setInt32(0, type, true);
    view.setInt32(4, 0, true);
    if (msgsnd(q, out, size, 0) === -1) throw new Error("msgsnd");
  };
  const receive = (q: number, type: bigint) => {
    if (msgrcv(q, into, size, type, 0) === -1n) throw new Error("msgrcv");
  };
  try {
    if (work === "pingpong" || work === "oneway") {
      const q = ids[0]!;
      if (work === "pingpong") {
        if (server) {
          send(q, 3);
          for (let i = 0; i < WARM + n; i++) {
            receive(q, 1n);
            send(q, 2);
          }
          return;
        }
        receive(q, 3n);
        for (let i = 0; i < WARM; i++) {
          send(q, 1);
          receive(q, 2n);
        }
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          send(q, 1);
          receive(q, 2n);
        }
        console.log(((performance.now() - t0) * 1e6) / n);
        return;
      }
      if (server) {
        send(q, 3);
        for (let i = 0; i < WARM; i++) receive(q, 1n);
        send(q, 2);
        for (let i = 0; i < n; i++) receive(q, 1n);
        send(q, 2);
        return;
      }
      receive(q, 3n);
      for (let i = 0; i < WARM; i++) send(q, 1);
      receive(q, 2n);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) send(q, 1);
      receive(q, 2n);
      console.log(((performance.now() - t0) * 1e6) / n);
      return;
    }
    const words = new Int32Array(
      Deno.UnsafePointerView.getArrayBuffer(shmat(ids[0]!, null, 0)!, 8),
    );
    const up = new Uint8Array(new ArrayBuffer(8));
    const down = new Uint8Array(new ArrayBuffer(8));
    new DataView(up.buffer).setInt16(2, 1, true);
    new DataView(down.buffer).setInt16(2, -1, true);
    const op = (set: number, buffer: Uint8Array) => {
      if (semop(set, buffer, 1n) === -1) throw new Error("semop");
    };
    const [serverTurn, clientTurn] = [ids[1]!, ids[2]!];
    if (server) {
      for (let i = 0; i < WARM + n; i++) {
        op(serverTurn, down);
        words[1] = words[0]! + 1;
        op(clientTurn, up);
      }
      return;
    }
    const exchange = (i: number) => {
      words[0] = i;
      op(serverTurn, up);
      op(clientTurn, down);
      if (words[1] !== i + 1) throw new Error(`shm: expected ${i + 1}, got ${words[1]}`);
    };
    for (let i = 0; i < WARM; i++) exchange(i);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) exchange(i);
    console.log(((performance.now() - t0) * 1e6) / n);
  } finally {
    lib.close();
  }
}

/** A side written with the sync forms: plain loops, as a script that blocks would be. */
function syncSide({ server, work, n, ids, into }: Role): void {
  if (work === "pingpong" || work === "oneway") {
    using queue = MessageQueue.fromId(ids[0]!);
    if (work === "pingpong") {
      const ns = pingPongSync({ queue, server, n, warm: WARM, data, into });
      if (ns !== undefined) console.log(ns);
      return;
    }
    const [one, two, three] = [1, 2, 3].map((type) => ({ type, maxSize: SIZE, into }));
    if (server) {
      queue.sendSync(3, data);
      for (let i = 0; i < WARM; i++) queue.receiveSync(one!);
      queue.sendSync(2, data);
      for (let i = 0; i < n; i++) queue.receiveSync(one!);
      queue.sendSync(2, data);
      return;
    }
    queue.receiveSync(three!);
    for (let i = 0; i < WARM; i++) queue.sendSync(1, data);
    queue.receiveSync(two!);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) queue.sendSync(1, data);
    queue.receiveSync(two!);
    console.log(((performance.now() - t0) * 1e6) / n);
    return;
  }
  // shm + semaphores: ids are shmid, semaphore "server's turn", semaphore "client's turn".
  using shm = SharedMemory.fromId(ids[0]!);
  const words = shm.attach().array(Int32Array, 0, 2);
  using serverTurn = SemaphoreSet.fromId(ids[1]!);
  using clientTurn = SemaphoreSet.fromId(ids[2]!);
  const up = { index: 0, delta: 1 };
  const down = { index: 0, delta: -1 };
  if (server) {
    for (let i = 0; i < WARM + n; i++) {
      serverTurn.opSync(down);
      words[1] = words[0]! + 1;
      clientTurn.opSync(up);
    }
    return;
  }
  const exchange = (i: number) => {
    words[0] = i;
    serverTurn.opSync(up);
    clientTurn.opSync(down);
    if (words[1] !== i + 1) throw new Error(`shm: expected ${i + 1}, got ${words[1]}`);
  };
  for (let i = 0; i < WARM; i++) exchange(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) exchange(i);
  console.log(((performance.now() - t0) * 1e6) / n);
}

/** A side written with the async forms, as a program that must not block its event loop would be. */
async function asyncSide({ server, work, n, ids, into, spin }: Role): Promise<void> {
  if (work === "pingpong" || work === "oneway") {
    using queue = MessageQueue.fromId(ids[0]!);
    if (work === "pingpong") {
      const ns = await pingPongAsync({ queue, server, n, warm: WARM, data, into, spin });
      if (ns !== undefined) console.log(ns);
      return;
    }
    const [one, two, three] = [1, 2, 3].map((type) => ({ type, maxSize: SIZE, into, spin }));
    const sendOptions = { spin };
    if (server) {
      await queue.send(3, data, sendOptions);
      for (let i = 0; i < WARM; i++) await queue.receive(one!);
      await queue.send(2, data, sendOptions);
      for (let i = 0; i < n; i++) await queue.receive(one!);
      await queue.send(2, data, sendOptions);
      return;
    }
    await queue.receive(three!);
    for (let i = 0; i < WARM; i++) await queue.send(1, data, sendOptions);
    await queue.receive(two!);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await queue.send(1, data, sendOptions);
    await queue.receive(two!);
    console.log(((performance.now() - t0) * 1e6) / n);
    return;
  }
  using shm = SharedMemory.fromId(ids[0]!);
  const words = shm.attach().array(Int32Array, 0, 2);
  using serverTurn = SemaphoreSet.fromId(ids[1]!);
  using clientTurn = SemaphoreSet.fromId(ids[2]!);
  const up = { index: 0, delta: 1 };
  const down = { index: 0, delta: -1 };
  const opts = { spin };
  if (server) {
    for (let i = 0; i < WARM + n; i++) {
      await serverTurn.op(down, opts);
      words[1] = words[0]! + 1;
      await clientTurn.op(up, opts);
    }
    return;
  }
  const exchange = async (i: number) => {
    words[0] = i;
    await serverTurn.op(up, opts);
    await clientTurn.op(down, opts);
    if (words[1] !== i + 1) throw new Error(`shm: expected ${i + 1}, got ${words[1]}`);
  };
  for (let i = 0; i < WARM; i++) await exchange(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await exchange(i);
  console.log(((performance.now() - t0) * 1e6) / n);
}

// ---- Python ----------------------------------------------------------------------------

const pythonSource = `
import sys, time, sysv_ipc
role, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
keys = [int(k) for k in sys.argv[4].split(",")]
WARM, data = ${WARM}, b"x" * ${SIZE}
server = role == "server"
if work in ("pingpong", "oneway"):
    q = sysv_ipc.MessageQueue(keys[0])
    if work == "pingpong":
        if server:
            q.send(data, type=3)
            for _ in range(WARM + n):
                m, _t = q.receive(type=1)
                q.send(m, type=2)
            sys.exit(0)
        q.receive(type=3)
        for _ in range(WARM):
            q.send(data, type=1); q.receive(type=2)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            q.send(data, type=1); q.receive(type=2)
        print((time.perf_counter_ns() - t0) / n)
    else:
        if server:
            q.send(data, type=3)
            for _ in range(WARM): q.receive(type=1)
            q.send(data, type=2)
            for _ in range(n): q.receive(type=1)
            q.send(data, type=2)
            sys.exit(0)
        q.receive(type=3)
        for _ in range(WARM): q.send(data, type=1)
        q.receive(type=2)
        t0 = time.perf_counter_ns()
        for _ in range(n): q.send(data, type=1)
        q.receive(type=2)
        print((time.perf_counter_ns() - t0) / n)
else:
    mem = sysv_ipc.SharedMemory(keys[0])
    server_turn, client_turn = sysv_ipc.Semaphore(keys[1]), sysv_ipc.Semaphore(keys[2])
    if server:
        for _ in range(WARM + n):
            server_turn.acquire()
            v = int.from_bytes(mem.read(4, 0), "little")
            mem.write((v + 1).to_bytes(4, "little"), 4)
            client_turn.release()
        sys.exit(0)
    def exchange(i):
        mem.write(i.to_bytes(4, "little"), 0)
        server_turn.release()
        client_turn.acquire()
        if int.from_bytes(mem.read(4, 4), "little") != i + 1: raise SystemExit("shm: wrong answer")
    for i in range(WARM): exchange(i)
    t0 = time.perf_counter_ns()
    for i in range(n): exchange(i)
    print((time.perf_counter_ns() - t0) / n)
`;

// ---- the orchestra ---------------------------------------------------------------------

/** A python3 that has sysv_ipc (a pyenv python first on PATH may lack the Debian package). */
function findPython(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    try {
      const ok = new Deno.Command(candidate, {
        args: ["-c", "import sysv_ipc"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
      if (ok) return candidate;
    } catch {
      // Not there.
    }
  }
  return undefined;
}

/** The objects one measurement uses, made fresh and removed after. */
interface Objects {
  ids: number[];
  keys: number[];
  remove(): void;
}

function randomKey(): number {
  return 0x10000000 + Math.floor(Math.random() * 0x6fffffff);
}

function makeObjects(work: Work): Objects {
  if (work !== "shm") {
    const key = randomKey();
    const queue = MessageQueue.open(key, { create: true, exclusive: true });
    return {
      ids: [queue.id],
      keys: [key],
      remove: () => {
        queue.remove();
        queue.close();
      },
    };
  }
  const keys = [randomKey(), randomKey(), randomKey()];
  const shm = SharedMemory.open(keys[0]!, { create: true, exclusive: true, size: 4096 });
  const a = SemaphoreSet.open(keys[1]!, { create: true, exclusive: true });
  const b = SemaphoreSet.open(keys[2]!, { create: true, exclusive: true });
  return {
    ids: [shm.id, a.id, b.id],
    keys,
    remove: () => {
      for (const o of [shm, a, b]) {
        o.remove();
        o.close();
      }
    },
  };
}

interface Tools {
  c: string;
  python: string | undefined;
}

function commands(
  variant: Variant,
  work: Work,
  n: number,
  objects: Objects,
  tools: Tools,
): [Deno.Command, Deno.Command] {
  const make = (r: "server" | "client") => {
    const out = { stdin: "null", stdout: "piped", stderr: "piped" } as const;
    if (variant === "c") {
      return new Deno.Command(tools.c, {
        args: [r, work, String(n), ...objects.ids.map(String)],
        ...out,
      });
    }
    if (variant === "python") {
      return new Deno.Command(tools.python!, {
        args: ["-c", pythonSource, r, work, String(n), objects.keys.join(",")],
        ...out,
      });
    }
    return new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-ffi",
        import.meta.filename!,
        "--role",
        r,
        "--work",
        work,
        "--mode",
        variant,
        "--n",
        String(n),
        "--ids",
        objects.ids.join(","),
      ],
      ...out,
    });
  };
  return [make("server"), make("client")];
}

/** One measurement: ns per operation, from the client. */
async function measure(variant: Variant, work: Work, n: number, tools: Tools): Promise<number> {
  const objects = makeObjects(work);
  try {
    const [serverCommand, clientCommand] = commands(variant, work, n, objects, tools);
    const server = serverCommand.spawn();
    const client = clientCommand.spawn();
    const [s, c] = await Promise.all([server.output(), client.output()]);
    const text = (o: Deno.CommandOutput) =>
      new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr);
    if (!s.success || !c.success) {
      throw new Error(`${variant} ${work} failed:\n${text(s)}\n${text(c)}`);
    }
    return Number(new TextDecoder().decode(c.stdout).trim());
  } finally {
    objects.remove();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const rounds = quick ? 3 : 7;
  const counts: Record<Work, number> = quick
    ? { pingpong: 2000, oneway: 20000, shm: 2000 }
    : { pingpong: 20000, oneway: 200000, shm: 20000 };
  const tools: Tools = {
    c: await buildC("xsi_pair", { defines: { SIZE, WARM } }),
    python: findPython(),
  };
  const variants: Variant[] = [
    "c",
    "raw",
    "sync",
    "alloc",
    "async",
    "async0",
    ...(tools.python ? ["python" as const] : []),
  ];
  const works: Work[] = ["pingpong", "oneway", "shm"];
  const samples = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const work of works) {
      for (const variant of variants) {
        if (work === "shm" && variant === "alloc") continue; // no message to allocate
        const key = `${work}/${variant}`;
        if (!samples.has(key)) samples.set(key, []);
        samples.get(key)!.push(await measure(variant, work, counts[work], tools));
      }
    }
  }
  const result = (work: Work, variant: Variant) => median(samples.get(`${work}/${variant}`)!);

  const names: Record<Variant, string> = {
    c: "C (gcc -O2)",
    raw: "raw Deno.dlopen, sync",
    sync: "unixipc sync",
    alloc: "unixipc sync, new Uint8Array",
    async: "unixipc async",
    async0: "unixipc async, spin: 0",
    python: "Python sysv_ipc",
  };
  const titles: Record<Work, string> = {
    pingpong: "msg ping-pong round trip",
    oneway: "msg one-way, per message",
    shm: "shm+sem ping-pong round trip",
  };
  console.log(
    `xsi: two processes, ${SIZE}-byte messages (median of ${rounds} interleaved rounds; ` +
      `${counts.pingpong} round trips, ${counts.oneway} one-way messages, ${counts.shm} shm round trips)\n`,
  );
  const rows: string[][] = [];
  for (const work of works) {
    const c = result(work, "c");
    for (const variant of variants) {
      if (work === "shm" && variant === "alloc") continue;
      const ns = result(work, variant);
      rows.push([
        titles[work],
        names[variant],
        `${(ns / 1000).toFixed(2)} us`,
        `${(ns / c).toFixed(2)}x C`,
      ]);
    }
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 5));
  const line = (r: string[]) =>
    `| ${r[0]!.padEnd(widths[0]!)} | ${r[1]!.padEnd(widths[1]!)} | ${
      r[2]!.padStart(widths[2]!)
    } | ${r[3]!.padStart(widths[3]!)} |`;
  console.log(line(["workload", "variant", "time", "ratio"]));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));

  console.log("\nTargets: sync within 1.15x of C, async within 1.5x, ahead of Python everywhere");
  for (const work of works) {
    const c = result(work, "c");
    const sync = result(work, "sync") / c;
    const async = result(work, "async") / c;
    const python = tools.python ? result(work, "python") / c : NaN;
    const met = (ok: boolean) => (ok ? "met" : "NOT met");
    const ahead = (ours: number) => (ours < python ? "ahead of Python" : "NOT ahead of Python");
    console.log(
      `  ${titles[work]}: sync ${sync.toFixed(2)}x (${met(sync <= 1.15)}${
        tools.python ? `, ${ahead(sync)}` : ""
      }), async ${async.toFixed(2)}x (${met(async <= 1.5)}${
        tools.python ? `, ${ahead(async)}` : ""
      })${
        tools.python
          ? `; Python ${python.toFixed(2)}x`
          : "; Python sysv_ipc missing (install python3-sysv-ipc)"
      }; raw Deno.dlopen (Deno's floor) ${(result(work, "raw") / c).toFixed(2)}x`,
    );
  }
}

if (Deno.args.includes("--role")) await role(Deno.args);
else await main();
