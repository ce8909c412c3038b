/**
 * When a wait should first spin, and for how long: one adaptive policy for
 * every "spin briefly, then park" of the library.
 *
 * Parking a wait costs a hop through another thread and back (the epoll
 * thread for fds, a pool thread for System V calls): 20-60 us here, more
 * than a whole round trip between two C processes. A peer on another core
 * often answers sooner than that, so a wait that first tries again for a few
 * microseconds (`FdHandle` reads and writes, xsi's `IPC_NOWAIT` retries) or
 * sleeps in `ppoll` on the calling thread (the brief waits of sockets) is
 * served the way a blocking C call is. A spin that misses costs the thread
 * its whole budget, and on a busy machine or a single CPU it delays the very
 * peer it waits for. The mechanisms differ; what to learn from the outcomes
 * is the same, and lives here.
 *
 * @module
 */

import { availableCpus } from "./_process.ts";

/** Below this rate of spins that paid, a handle parks at once, but for probes. */
const RATE_MIN = 0.25;
/** A spin that catches (a probe) sets the rate to at least this: spinning is back on. */
const RATE_AFTER_HIT = 0.5;
/** The weight of the latest outcome in the moving averages. */
const WEIGHT = 1 / 8;
/** How many waits park at once before the first probe; each probe that misses doubles it... */
const PROBE_FIRST = 2;
/** ...up to this many. */
const PROBE_MOST = 16;
/**
 * The shortest spin, and the spin of a probe, in microseconds (at most the
 * longest spin): about what parking costs here (a hop through another
 * thread and back, 20-60 us). Spinning that long before parking costs at
 * most about twice what the better of the two would have (the ski-rental
 * rule); and a peer that parked too answers only once it has been woken.
 */
const PARK_MICROS = 50;
/** The catch delay a new policy assumes, in microseconds: one that makes a budget of PARK_MICROS. */
const DELAY_START = (PARK_MICROS - 10) / 4;
/** A parked wait longer than this many times the longest spin: no spin would have caught it. */
const SLOW_PARK = 10;

/**
 * The adaptive spin of one handle (or one direction of it): how long its
 * next wait spins, learned from how its recent spins ended.
 *
 * - It keeps two moving averages (weight 1/8): how often a spin caught what
 *   it waited for, and how long the catch took.
 * - While spins catch at least a quarter of the time, a wait spins about
 *   what a park costs (50 us), or 4 times the usual catch delay plus 10 us
 *   where that is longer (a peer's usual delay and its jitter), at most
 *   `maxMicros`. (Shorter spins were tried: they miss the answers that come
 *   a little late, and each miss costs a park.)
 * - Below a quarter (a slow peer, an idle line, a peer that cannot run while
 *   we spin), waits park at once, but for probes of 50 us: the first after
 *   2 waits, then 4, 8, 16 while probes miss. A probe that catches turns
 *   spinning back on, so that two processes that both parked find their way
 *   back.
 * - A wait that parked and lasted more than 10 times `maxMicros` (an idle
 *   line: no spin would have caught it) turns spinning off at once, where
 *   the mechanism can tell ({@linkcode SpinPolicy.parked}).
 *
 * Callers: `budget()` once per wait that would otherwise park; if it is not
 * 0, spin for that long, then report `hit(micros)` or `miss()`.
 */
export class SpinPolicy {
  readonly #max: number;
  /** The shortest spin: PARK_MICROS, or less if the longest spin is shorter. */
  readonly #floor: number;
  #rate = 1;
  #delay = DELAY_START;
  /** Waits left to park at once before the next probe (while the rate is low). */
  #skip = 0;
  #interval = PROBE_FIRST;

  /**
   * @param maxMicros The longest spin, in microseconds; 0 never spins.
   */
  constructor(maxMicros: number) {
    this.#max = maxMicros;
    this.#floor = Math.min(PARK_MICROS, maxMicros);
  }

  /** The longest spin, in microseconds. */
  get maxMicros(): number {
    return this.#max;
  }

  /**
   * How long the next wait should spin, in microseconds; 0: park at once.
   * Counts a wait (for probes): call it once per wait.
   */
  budget(): number {
    if (this.#max <= 0) return 0;
    if (this.#rate < RATE_MIN) {
      if (this.#skip > 0) {
        this.#skip--;
        return 0;
      }
      return this.#floor;
    }
    const budget = 4 * this.#delay + 10;
    return budget < this.#floor ? this.#floor : budget < this.#max ? budget : this.#max;
  }

  /**
   * The spin caught what it waited for, after `micros` microseconds.
   *
   * @param micros How long the spin lasted.
   */
  hit(micros: number): void {
    const rate = this.#rate + (1 - this.#rate) * WEIGHT;
    this.#rate = rate < RATE_AFTER_HIT ? RATE_AFTER_HIT : rate;
    this.#delay += (micros - this.#delay) * WEIGHT;
    this.#interval = PROBE_FIRST;
  }

  /** The spin ran out: the wait parks. */
  miss(): void {
    const wasOn = this.#rate >= RATE_MIN;
    this.#rate -= this.#rate * WEIGHT;
    if (this.#rate < RATE_MIN) this.#backOff(wasOn);
  }

  /**
   * A parked wait ended after `micros` microseconds (optional feedback): a
   * long one means an idle line, where spinning cannot pay.
   *
   * @param micros How long the wait was parked.
   */
  parked(micros: number): void {
    if (micros > SLOW_PARK * this.#max && this.#rate >= RATE_MIN) {
      this.#rate = RATE_MIN * (1 - WEIGHT);
      this.#backOff(true);
    }
  }

  /** Spinning is off: schedule the next probe, later after each probe that missed. */
  #backOff(justTurnedOff: boolean): void {
    if (justTurnedOff) this.#interval = PROBE_FIRST;
    this.#skip = this.#interval;
    this.#interval = Math.min(this.#interval * 2, PROBE_MOST);
  }

  /**
   * Spins on `attempt` for this policy's budget (at most `limitMicros`),
   * and learns from the outcome.
   *
   * @param attempt Tries once without waiting; true when done.
   * @param limitMicros A bound on the spin (what is left of a timeout).
   * @returns True if an attempt succeeded.
   */
  spin(attempt: () => boolean, limitMicros = Infinity): boolean {
    const budget = Math.min(this.budget(), limitMicros);
    if (budget <= 0) return false;
    const start = performance.now();
    if (spinUntil(budget, attempt)) {
      this.hit((performance.now() - start) * 1000);
      return true;
    }
    this.miss();
    return false;
  }
}

/**
 * Calls `attempt` until it returns true or `budgetMicros` microseconds
 * have passed (at least once when the budget is positive).
 *
 * @param budgetMicros How long to spin; 0 or less does not try.
 * @param attempt Tries once without waiting; true when done.
 * @returns True if an attempt succeeded.
 */
export function spinUntil(budgetMicros: number, attempt: () => boolean): boolean {
  if (budgetMicros <= 0) return false;
  const end = performance.now() + budgetMicros / 1000;
  do {
    if (attempt()) return true;
  } while (performance.now() < end);
  return false;
}

let cpus: number | undefined;

/**
 * `micros`, or 0 where this process may run on one CPU only (its affinity
 * or its cgroup says so): there a busy spin only keeps the peer it waits
 * for from running. For the defaults of busy spins; a wait that sleeps
 * (`ppoll`) needs no such rule.
 *
 * @param micros The spin where several CPUs may run us.
 * @returns The default spin.
 */
export function busySpinDefault(micros: number): number {
  cpus ??= availableCpus();
  return cpus > 1 ? micros : 0;
}
