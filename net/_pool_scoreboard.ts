/**
 * The process pool's scoreboard: a System V shared memory segment that the
 * parent and every worker attach, with a slot per worker (state, pid,
 * connections served), updated with Atomics.
 *
 * The segment is private (IPC_PRIVATE) and marked for removal (IPC_RMID)
 * as soon as the parent has attached it. Linux still lets workers attach a
 * segment marked for removal, by its id, while some process has it
 * attached; and the kernel frees it when the last process detaches or
 * exits. So no crash, of the parent or of a worker, can leave it behind.
 *
 * `net` does not import `xsi` (the two modules stay independent): the
 * scoreboard calls shmget/shmat/shmdt/shmctl from the libc table itself.
 * Its memory is never handed out; `detach()` drops its own view before the
 * mapping goes (`detachSharedMemory`).
 *
 * @module
 */

import {
  addressOf,
  detachSharedMemory,
  errnoError,
  lastErrno,
  libc,
  nativeMemory,
  type Pointer,
} from "../ipc/_libc.ts";

const IPC_PRIVATE = 0;
const IPC_CREAT = 0o1000;
const IPC_RMID = 0;

/** What a slot holds. */
export const SlotState = {
  /** No worker. */
  free: 0,
  /** Spawned, not yet accepting. */
  starting: 1,
  /** Waiting for a connection. */
  idle: 2,
  /** Serving a connection. */
  busy: 3,
  /** Asked to go: it exits once it holds no connection. */
  retiring: 4,
} as const;

/** A slot state's number. */
export type SlotStateValue = (typeof SlotState)[keyof typeof SlotState];

const MAGIC = 0x4c4f4f50; // "POOL"
const HEADER_INTS = 8;
const SLOT_INTS = 4;
// Header words.
const H_MAGIC = 0;
const H_SLOTS = 1;
const H_VERSION = 2;
const H_STOPPING = 3;
const H_MIN_SPARE = 4;
const H_MAX_SPARE = 5;
const H_WAKE_PENDING = 6;
// Slot words.
const S_STATE = 0;
const S_PID = 1;
const S_SERVED = 2;

/** One slot, as read at one moment. */
export interface SlotSnapshot {
  /** Its state. */
  readonly state: SlotStateValue;
  /** The worker's pid (0 when free). */
  readonly pid: number;
  /** Connections this slot's workers have served. */
  readonly served: number;
}

/** A mapped scoreboard. */
export class Scoreboard {
  readonly id: number;
  readonly slots: number;
  #address: Pointer;
  #memory: ArrayBuffer;
  #ints: Int32Array;

  private constructor(id: number, address: Pointer, slots: number) {
    this.id = id;
    this.#address = address;
    this.slots = slots;
    this.#memory = nativeMemory(address, bytesFor(slots));
    this.#ints = new Int32Array(this.#memory);
  }

  /**
   * Creates the segment for `slots` workers, attaches it and marks it for
   * removal at once.
   */
  static create(slots: number, minSpare: number, maxSpare: number): Scoreboard {
    const lib = libc();
    const size = bytesFor(slots);
    const id = lib.shmget(IPC_PRIVATE, BigInt(size), IPC_CREAT | 0o600);
    if (id === -1) {
      throw errnoError(lastErrno(), "shmget", {
        action: `create the process pool's scoreboard (${size} bytes)`,
      });
    }
    const address = lib.shmat(id, null, 0);
    const attachErrno = addressIsError(address) ? lastErrno() : 0;
    // Marked for removal now: freed by the kernel when the last process detaches.
    lib.shmctl(id, IPC_RMID, null);
    if (attachErrno !== 0) {
      throw errnoError(attachErrno, "shmat", {
        action: `attach the process pool's scoreboard ${id}`,
      });
    }
    const board = new Scoreboard(id, address, slots);
    const ints = board.#ints;
    ints[H_MAGIC] = MAGIC;
    ints[H_SLOTS] = slots;
    ints[H_MIN_SPARE] = minSpare;
    ints[H_MAX_SPARE] = maxSpare;
    return board;
  }

  /** Attaches the segment a pool's parent made (in a worker). */
  static attach(id: number): Scoreboard {
    const address = libc().shmat(id, null, 0);
    if (addressIsError(address)) {
      throw errnoError(lastErrno(), "shmat", {
        action: `attach the process pool's scoreboard ${id}`,
      });
    }
    const header = new Int32Array(nativeMemory(address, HEADER_INTS * 4));
    const slots = header[H_SLOTS]!;
    if (header[H_MAGIC] !== MAGIC || slots <= 0) {
      libc().shmdt(address);
      throw new Error(`Segment ${id} is not a process pool's scoreboard`);
    }
    return new Scoreboard(id, address, slots);
  }

  /** Reads a slot. */
  slot(index: number): SlotSnapshot {
    const base = HEADER_INTS + index * SLOT_INTS;
    return {
      state: Atomics.load(this.#ints, base + S_STATE) as SlotStateValue,
      pid: Atomics.load(this.#ints, base + S_PID),
      served: Atomics.load(this.#ints, base + S_SERVED) >>> 0,
    };
  }

  /** Sets a slot's state and pid (the parent, for a slot it fills or frees). */
  fill(index: number, state: SlotStateValue, pid: number): void {
    const base = HEADER_INTS + index * SLOT_INTS;
    Atomics.store(this.#ints, base + S_PID, pid);
    Atomics.store(this.#ints, base + S_STATE, state);
    Atomics.add(this.#ints, H_VERSION, 1);
  }

  /** Moves a slot from `from` to `to` if it is in `from`; true if it was. */
  transition(index: number, from: SlotStateValue, to: SlotStateValue): boolean {
    const base = HEADER_INTS + index * SLOT_INTS;
    const moved = Atomics.compareExchange(this.#ints, base + S_STATE, from, to) === from;
    if (moved) Atomics.add(this.#ints, H_VERSION, 1);
    return moved;
  }

  /** Counts one more connection served by a slot. */
  served(index: number): void {
    Atomics.add(this.#ints, HEADER_INTS + index * SLOT_INTS + S_SERVED, 1);
  }

  /** Bumped on every change: the parent redraws when it moves. */
  get version(): number {
    return Atomics.load(this.#ints, H_VERSION);
  }

  /** True once the parent stops the pool. */
  get stopping(): boolean {
    return Atomics.load(this.#ints, H_STOPPING) !== 0;
  }

  /** Tells workers the pool stops. */
  setStopping(): void {
    Atomics.store(this.#ints, H_STOPPING, 1);
  }

  /**
   * Claims the right to wake the parent: true for the first caller since the
   * parent last took its wake-ups, so that at most one wake-up is ever in
   * flight, however many connections come meanwhile.
   */
  claimWake(): boolean {
    return Atomics.compareExchange(this.#ints, H_WAKE_PENDING, 0, 1) === 0;
  }

  /** The parent has taken its wake-ups: the next worker that needs it may wake it again. */
  wakeTaken(): void {
    Atomics.store(this.#ints, H_WAKE_PENDING, 0);
  }

  /** The idle workers wanted: `[minSpare, maxSpare]`, for workers deciding when to wake the parent. */
  get spares(): readonly [number, number] {
    return [Atomics.load(this.#ints, H_MIN_SPARE), Atomics.load(this.#ints, H_MAX_SPARE)];
  }

  /** Counts idle workers now. */
  idleCount(): number {
    let idle = 0;
    for (let i = 0; i < this.slots; i++) {
      if (Atomics.load(this.#ints, HEADER_INTS + i * SLOT_INTS + S_STATE) === SlotState.idle) {
        idle++;
      }
    }
    return idle;
  }

  /** Detaches: the view is made unusable first, then the mapping goes. Idempotent. */
  detach(): void {
    if (this.#address === null) return;
    const address = this.#address;
    this.#address = null;
    const memory = this.#memory;
    this.#memory = new ArrayBuffer(0);
    this.#ints = new Int32Array(this.#memory);
    detachSharedMemory(address, memory.byteLength, memory);
  }
}

function bytesFor(slots: number): number {
  return (HEADER_INTS + slots * SLOT_INTS) * 4;
}

/** shmat returns (void *) -1 on failure. */
function addressIsError(address: Pointer): boolean {
  return address === null || addressOf(address) === 0xffffffffffffffffn;
}
