/**
 * The process pool's maintenance policy, as Apache's prefork MPM does it:
 * keep the idle workers between `minSpare` and `maxSpare`, never more than
 * `maxClients` workers, spawning 1, 2, 4, ... per tick while short of idle
 * workers, and retiring a surplus once it has lasted.
 *
 * Short connections make the idle count flicker from one instant to the
 * next; and starting a worker (a Deno process) costs far more than
 * Apache's fork. So a surplus is measured as the fewest idle workers seen
 * over the last few ticks (`sustainedIdle`): only what stayed idle the
 * whole time is retired, and a pool under steady load does not churn.
 *
 * Pure: it decides from counts, and the pool carries its decisions out.
 *
 * @module
 */

/** The limits of a pool. */
export interface PoolLimits {
  /** Fewest idle workers wanted. */
  readonly minSpare: number;
  /** Most idle workers wanted. */
  readonly maxSpare: number;
  /** Most workers at once, idle, busy or starting. */
  readonly maxClients: number;
}

/** What the scoreboard shows at a tick. */
export interface PoolCounts {
  /** Workers waiting for a connection. */
  readonly idle: number;
  /** Workers serving one. */
  readonly busy: number;
  /** Workers spawned and not yet ready (they count as idle to come). */
  readonly starting: number;
  /** The fewest idle workers seen over the last few ticks (default: `idle`). */
  readonly sustainedIdle?: number;
}

/** What to do at this tick. */
export interface PoolDecision {
  /** Workers to spawn now. */
  readonly spawn: number;
  /** Idle workers to retire now. */
  readonly retire: number;
  /** The spawn rate for the next tick. */
  readonly nextSpawnRate: number;
  /** True when idle workers are short but `maxClients` leaves no room. */
  readonly atMaxClients: boolean;
}

/** The largest spawn rate, as Apache's MAX_SPAWN_RATE. */
export const maxSpawnRate = 32;

/**
 * Decides one tick of maintenance.
 *
 * @param counts What the scoreboard shows.
 * @param limits The pool's limits.
 * @param spawnRate How many workers this tick may spawn (1 after a tick that needed none).
 * @returns The workers to spawn and to retire, and the next tick's spawn rate.
 */
export function maintain(counts: PoolCounts, limits: PoolLimits, spawnRate: number): PoolDecision {
  const total = counts.idle + counts.busy + counts.starting;
  const idle = counts.idle + counts.starting;
  const sustained = Math.min(counts.sustainedIdle ?? counts.idle, counts.idle) + counts.starting;
  if (idle > limits.maxSpare) {
    // Only ready idle workers can be retired, and only the surplus that lasted.
    const retire = Math.max(0, Math.min(sustained - limits.maxSpare, counts.idle));
    return { spawn: 0, retire, nextSpawnRate: 1, atMaxClients: false };
  }
  if (idle < limits.minSpare) {
    const room = Math.max(0, limits.maxClients - total);
    const spawn = Math.min(spawnRate, room, limits.minSpare - idle);
    const stillShort = idle + spawn < limits.minSpare;
    return {
      spawn,
      retire: 0,
      nextSpawnRate: stillShort ? Math.min(spawnRate * 2, maxSpawnRate) : 1,
      atMaxClients: room === 0,
    };
  }
  return { spawn: 0, retire: 0, nextSpawnRate: 1, atMaxClients: false };
}
