/**
 * A pre-forked TCP server in the Apache prefork tradition: one listening
 * socket, worker processes that inherit it and accept on it, a scoreboard
 * in System V shared memory, and a parent that keeps the idle workers
 * between a minimum and a maximum, under a ceiling, as load comes and goes.
 *
 * @module
 */

import { checkBoolean, checkOptions, checkSafeInteger } from "../ipc/_checks.ts";
import { errnoError, lastErrno, libc } from "../ipc/_libc.ts";
import { addSignalHandler, processId, removeSignalHandler } from "../ipc/_process.ts";
import type { ChildProcess } from "../ipc/child_process.ts";
import { F_GETFL, F_SETFL, O_NONBLOCK } from "../ipc/constants.ts";
import type { FdHandle } from "../ipc/fd.ts";
import { pipe } from "../ipc/pipe.ts";
import { type ModulePermissions, spawnModule } from "../ipc/spawn_module.ts";
import { maintain } from "./_pool_policy.ts";
import { Scoreboard, SlotState } from "./_pool_scoreboard.ts";
import type { SocketAddress } from "./address.ts";
import { POOL_WORKER_ROLE, type PoolWorkerInfo } from "./pool_worker.ts";
import { TcpListener } from "./tcp_listener.ts";
import type {
  PoolScoreboard,
  PoolSlot,
  PoolSlotState,
  ProcessPoolOptions,
} from "./process_pool_types.ts";

/** Clears O_NONBLOCK on the listening socket's open file description (shared with the workers). */
function makeBlocking(fd: number): void {
  const lib = libc();
  const flags = lib.fcntl(fd, F_GETFL, 0);
  if (flags === -1 || lib.fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) === -1) {
    throw errnoError(lastErrno(), "fcntl", { action: "make the pool's listening socket blocking" });
  }
}

const stateNames: readonly PoolSlotState[] = ["free", "starting", "idle", "busy", "retiring"];

/** A surplus of idle workers must last this many ticks before it is retired. */
const SUSTAIN_TICKS = 3;

interface Worker {
  readonly child: ChildProcess;
  readonly slot: number;
}

/**
 * A pre-forked TCP server: the parent listens once and runs worker
 * processes (a module of yours, run with `deno run`) that inherit the
 * listening socket and accept on it. See {@linkcode runPoolWorker} for the
 * worker's side.
 *
 * The parent checks the scoreboard every `tick` (and whenever a worker
 * wakes it), spawns workers while idle ones are fewer than `minSpare`
 * (1, 2, 4, ... per tick, as Apache does), retires idle ones above
 * `maxSpare`, never runs more than `maxClients`, reaps workers that exit and
 * replaces workers that die. On SIGINT or SIGTERM (or `stop()`) it stops
 * accepting, lets busy workers finish their connection, stops them all, and
 * the scoreboard's segment goes with the last of them.
 *
 * @example
 * ```ts ignore
 * // time_server.ts: run it with `deno run --allow-ffi time_server.ts`.
 * import { isPoolWorker, ProcessPool, runPoolWorker } from "@unixipc/unixipc/net";
 *
 * if (isPoolWorker()) {
 *   await runPoolWorker(async (connection) => {
 *     await connection.write(new TextEncoder().encode(`${Math.floor(Date.now() / 1000)}\r\n`));
 *   });
 * } else {
 *   const pool = ProcessPool.start(import.meta.url, { address: "127.0.0.1:1989" });
 *   console.log(`listening on ${pool.address}`);
 *   await pool.stopped;
 * }
 * ```
 */
export class ProcessPool implements AsyncDisposable {
  readonly #module: string | URL;
  readonly #listener: TcpListener;
  readonly #board: Scoreboard;
  readonly #wake: { read: FdHandle; write: FdHandle };
  readonly #workers = new Map<number, Worker>();
  readonly #limits: { minSpare: number; maxSpare: number; maxClients: number };
  readonly #permissions: ModulePermissions;
  readonly #denoArgs: readonly string[];
  readonly #args: readonly string[];
  readonly #onChange: ((scoreboard: PoolScoreboard) => void) | undefined;
  readonly #onWorkerDied: ((slot: number, pid: number, how: string) => void) | undefined;
  readonly #address: SocketAddress;
  #spawnRate = 1;
  #tick = 200;
  #lastMaintenance = 0;
  readonly #idleHistory: number[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastLine = "";
  #lastVersion = -1;
  #stopping: Promise<void> | undefined;
  #stopped!: () => void;
  readonly #stoppedPromise: Promise<void>;
  readonly #signalHandler: (() => void) | undefined;

  private constructor(module: string | URL, options: ProcessPoolOptions) {
    const minSpare = checkSafeInteger(options.minSpare ?? 5, "options.minSpare", 0, 10_000);
    const maxSpare = checkSafeInteger(options.maxSpare ?? 10, "options.maxSpare", 1, 10_000);
    const maxClients = checkSafeInteger(options.maxClients ?? 20, "options.maxClients", 1, 10_000);
    if (minSpare > maxSpare) {
      throw new RangeError(
        `options.minSpare (${minSpare}) must not exceed options.maxSpare (${maxSpare})`,
      );
    }
    if (minSpare > maxClients) {
      throw new RangeError(
        `options.minSpare (${minSpare}) must not exceed options.maxClients (${maxClients})`,
      );
    }
    const tick = checkSafeInteger(options.tick ?? 200, "options.tick", 10, 60_000);
    const handleSignals = options.handleSignals === undefined
      ? true
      : checkBoolean(options.handleSignals, "options.handleSignals");
    if (options.onChange !== undefined && typeof options.onChange !== "function") {
      throw new TypeError("options.onChange must be a function");
    }
    if (options.onWorkerDied !== undefined && typeof options.onWorkerDied !== "function") {
      throw new TypeError("options.onWorkerDied must be a function");
    }
    this.#module = module;
    this.#limits = { minSpare, maxSpare, maxClients };
    this.#permissions = options.permissions ?? { ffi: true };
    this.#denoArgs = options.denoArgs ?? [];
    this.#args = options.args ?? [];
    this.#onChange = options.onChange;
    this.#onWorkerDied = options.onWorkerDied;
    this.#stoppedPromise = new Promise((resolve) => (this.#stopped = resolve));

    this.#listener = TcpListener.listen(options.address ?? "127.0.0.1:0", {
      backlog: options.backlog ?? 511,
    });
    try {
      this.#address = this.#listener.localAddress;
      // Workers block in accept, as C pre-forked workers do (the kernel wakes one of them per
      // connection), and come back every tick to look at the scoreboard. The parent never accepts.
      makeBlocking(this.#listener.fd);
      this.#listener.setOption("SO_RCVTIMEO", tick);
      this.#board = Scoreboard.create(maxClients, minSpare, maxSpare);
    } catch (error) {
      this.#listener.close();
      throw error;
    }
    const wake = pipe();
    this.#wake = { read: wake.read, write: wake.write };
    void this.#watchWakeUps();
    this.#tick = tick;
    this.#timer = setInterval(() => this.#maintain(true), tick);
    if (handleSignals) {
      const handler = () => void this.stop();
      this.#signalHandler = handler;
      addSignalHandler("SIGINT", handler);
      addSignalHandler("SIGTERM", handler);
    }
    this.#maintain(true);
  }

  /**
   * Starts a pool: listens, creates the scoreboard, spawns the first
   * workers (up to `minSpare`, ramping up on the next ticks).
   *
   * @param module The worker module: it must call {@linkcode runPoolWorker}
   *   when {@linkcode isPoolWorker} is true (it may be the same module as the
   *   parent's, `import.meta.url`).
   * @param options Address, limits, tick, the workers' permissions, callbacks.
   * @returns The running pool.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If a limit is out of range or `minSpare` exceeds `maxSpare` or `maxClients`.
   * @throws {ErrnoError} If the address cannot be listened on, or the scoreboard cannot be made.
   */
  static start(module: string | URL, options: ProcessPoolOptions = {}): ProcessPool {
    if (typeof module !== "string" && !(module instanceof URL)) {
      throw new TypeError("module must be the worker module's URL or path");
    }
    return new ProcessPool(module, checkOptions(options));
  }

  /** The address the pool listens on. */
  get address(): SocketAddress {
    return this.#address;
  }

  /** Resolves once the pool has stopped (after SIGINT, SIGTERM or `stop()`). */
  get stopped(): Promise<void> {
    return this.#stoppedPromise;
  }

  /** The scoreboard now. */
  scoreboard(): PoolScoreboard {
    const slots: PoolSlot[] = [];
    let idle = 0, busy = 0, size = 0, served = 0;
    let line = "";
    for (let i = 0; i < this.#board.slots; i++) {
      const { state, pid, served: n } = this.#board.slot(i);
      slots.push({ state: stateNames[state] ?? "free", pid, served: n });
      served += n;
      if (state !== SlotState.free) size++;
      if (state === SlotState.idle) idle++;
      if (state === SlotState.busy) busy++;
      line += state === SlotState.idle ? "." : state === SlotState.busy ? "x" : "-";
    }
    return { slots, idle, busy, size, served, line };
  }

  /** Wakes the parent when a worker writes a byte to its pipe: the idle count left its bounds. */
  async #watchWakeUps(): Promise<void> {
    const buffer = new Uint8Array(64);
    try {
      while ((await this.#wake.read.read(buffer)) !== null) {
        this.#board.wakeTaken();
        this.#wokenUp();
      }
    } catch {
      // Closed by stop().
    }
  }

  /** A worker woke the parent: maintain now, unless maintenance ran less than a quarter tick ago. */
  #wokenUp(): void {
    if (performance.now() - this.#lastMaintenance >= this.#tick / 4) this.#maintain(false);
  }

  /** One round of maintenance: spawn, retire, report. `onTick` for the steady tick (it samples the idle count). */
  #maintain(onTick: boolean): void {
    if (this.#stopping) return;
    let idle = 0, busy = 0, starting = 0;
    for (let i = 0; i < this.#board.slots; i++) {
      const { state } = this.#board.slot(i);
      if (state === SlotState.idle) idle++;
      else if (state === SlotState.busy) busy++;
      else if (state === SlotState.starting || state === SlotState.retiring) starting++;
    }
    if (onTick) {
      this.#idleHistory.push(idle);
      if (this.#idleHistory.length > SUSTAIN_TICKS) this.#idleHistory.shift();
    }
    const sustainedIdle = Math.min(idle, ...this.#idleHistory);
    const decision = maintain(
      { idle, busy, starting, sustainedIdle },
      this.#limits,
      this.#spawnRate,
    );
    this.#lastMaintenance = performance.now();
    this.#spawnRate = decision.nextSpawnRate;
    for (let n = 0; n < decision.spawn; n++) this.#spawnWorker();
    for (let n = 0, i = 0; n < decision.retire && i < this.#board.slots; i++) {
      if (this.#board.transition(i, SlotState.idle, SlotState.retiring)) {
        this.#signal(i, "SIGTERM");
        n++;
      }
    }
    this.#report();
  }

  #report(): void {
    const version = this.#board.version;
    if (!this.#onChange || version === this.#lastVersion) return;
    this.#lastVersion = version;
    const board = this.scoreboard();
    if (board.line === this.#lastLine) return;
    this.#lastLine = board.line;
    this.#onChange(board);
  }

  #spawnWorker(): void {
    let slot = -1;
    for (let i = 0; i < this.#board.slots; i++) {
      if (this.#board.slot(i).state === SlotState.free && !this.#workers.has(i)) {
        slot = i;
        break;
      }
    }
    if (slot < 0) return;
    const info: PoolWorkerInfo = {
      board: this.#board.id,
      slot,
      listenFd: 3,
      notifyFd: 4,
      parent: processId(),
    };
    this.#board.fill(slot, SlotState.starting, 0);
    let child: ChildProcess;
    try {
      child = spawnModule(this.#module, {
        role: POOL_WORKER_ROLE,
        args: [JSON.stringify(info), ...this.#args],
        fds: { 3: this.#listener.fd, 4: this.#wake.write },
        permissions: this.#permissions,
        denoArgs: this.#denoArgs,
      });
    } catch (error) {
      this.#board.fill(slot, SlotState.free, 0);
      throw error;
    }
    this.#board.fill(slot, SlotState.starting, child.pid);
    const worker = { child, slot };
    this.#workers.set(slot, worker);
    void child.wait().then((status) => {
      this.#workers.delete(slot);
      const { state } = this.#board.slot(slot);
      this.#board.fill(slot, SlotState.free, 0);
      const asked = state === SlotState.retiring || this.#stopping !== undefined;
      if (!asked && this.#onWorkerDied) {
        const how = status.signalName
          ? `killed by ${status.signalName}`
          : `exited with ${status.code}`;
        this.#onWorkerDied(slot, child.pid, how);
      }
      this.#maintain(false);
    }, (error) => console.error(`Cannot reap pool worker ${child.pid}:`, error));
  }

  #signal(slot: number, signal: "SIGTERM" | "SIGKILL"): void {
    const worker = this.#workers.get(slot);
    if (!worker) return;
    try {
      worker.child.kill(signal);
    } catch {
      // Already reaped.
    }
  }

  /**
   * Stops the pool: stops accepting, asks every worker to stop (busy ones
   * finish their connection first), waits for them all, and releases the
   * scoreboard. Calling it again gives the same promise.
   *
   * @param options `timeout`: after this many ms (default 10000), workers still running are killed.
   * @returns Once every worker has exited.
   */
  stop(options: { readonly timeout?: number } = {}): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const timeout = checkSafeInteger(options.timeout ?? 10_000, "options.timeout", 0, 2 ** 31 - 1);
    this.#stopping = this.#shutDown(timeout);
    return this.#stopping;
  }

  async #shutDown(timeout: number): Promise<void> {
    clearInterval(this.#timer);
    if (this.#signalHandler) {
      removeSignalHandler("SIGINT", this.#signalHandler);
      removeSignalHandler("SIGTERM", this.#signalHandler);
    }
    this.#board.setStopping();
    this.#listener.close();
    for (const slot of this.#workers.keys()) this.#signal(slot, "SIGTERM");
    const all = Promise.all([...this.#workers.values()].map((w) => w.child.wait()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((
      resolve,
    ) => (timer = setTimeout(() => resolve("late"), timeout)));
    if ((await Promise.race([all, late])) === "late") {
      for (const slot of this.#workers.keys()) this.#signal(slot, "SIGKILL");
      await all;
    }
    clearTimeout(timer);
    this.#wake.write.close();
    this.#wake.read.close();
    this.#board.detach();
    this.#stopped();
  }

  /** Stops the pool: `await using pool = ProcessPool.start(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
