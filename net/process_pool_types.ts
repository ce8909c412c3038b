/**
 * The types of process pools: the options of one, and the scoreboard it
 * reports.
 *
 * @module
 */

import type { ModulePermissions } from "../ipc/spawn_module.ts";
import type { AddressLike } from "./address.ts";

/** Options of {@linkcode ProcessPool.start}. */
export interface ProcessPoolOptions {
  /** Where to listen (default `"127.0.0.1:0"`: loopback, any free port). */
  readonly address?: AddressLike | { readonly port: number };
  /** The listen backlog (default 511, Apache's). */
  readonly backlog?: number;
  /** Fewest idle workers wanted (default 5). */
  readonly minSpare?: number;
  /** Most idle workers wanted (default 10). */
  readonly maxSpare?: number;
  /** Most workers at once (default 20). */
  readonly maxClients?: number;
  /** How often the parent checks the scoreboard, in ms (default 200). Workers also wake it when the idle count leaves its bounds. */
  readonly tick?: number;
  /** The workers' permissions (default `{ ffi: true }`: what the pool itself needs). */
  readonly permissions?: ModulePermissions;
  /** More flags for the workers' `deno run`. */
  readonly denoArgs?: readonly string[];
  /** More arguments for the workers, after the pool's own two (`Deno.args.slice(2)` in a worker). */
  readonly args?: readonly string[];
  /** Stop gracefully on SIGINT and SIGTERM (default true). */
  readonly handleSignals?: boolean;
  /** Called whenever the scoreboard changes, with its new state. */
  readonly onChange?: (scoreboard: PoolScoreboard) => void;
  /** Called when a worker dies without being asked to (it is replaced). */
  readonly onWorkerDied?: (slot: number, pid: number, how: string) => void;
}

/** What a slot of the scoreboard holds: no worker, one starting, idle, busy, or on its way out. */
export type PoolSlotState = "free" | "starting" | "idle" | "busy" | "retiring";

/** One slot of the scoreboard. */
export interface PoolSlot {
  /** The slot's state. */
  readonly state: PoolSlotState;
  /** The worker's pid (0 when free). */
  readonly pid: number;
  /** Connections served by this slot's workers so far. */
  readonly served: number;
}

/** The scoreboard at one moment. */
export interface PoolScoreboard {
  /** Every slot, `maxClients` of them. */
  readonly slots: readonly PoolSlot[];
  /** Idle workers. */
  readonly idle: number;
  /** Busy workers. */
  readonly busy: number;
  /** Workers alive: starting, idle, busy or retiring. */
  readonly size: number;
  /** Connections served so far, by every worker. */
  readonly served: number;
  /** The classic one-line picture: `.` idle, `x` busy, `-` free (or starting, or on its way out). */
  readonly line: string;
}
