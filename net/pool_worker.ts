/**
 * The worker side of a {@linkcode ProcessPool}: what runs in each worker
 * process. A worker module branches on {@linkcode isPoolWorker} and hands
 * its connection handler to {@linkcode runPoolWorker}.
 *
 * @module
 */

import {
  EAGAIN,
  ECONNABORTED,
  EINTR,
  EMFILE,
  ENFILE,
  ENOBUFS,
  ENOMEM,
  EPROTO,
} from "../ipc/_errnos.ts";
import { checkFd, checkNonNegativeInt32 } from "../ipc/_checks.ts";
import { errnoCell, libc } from "../ipc/_libc.ts";
import { addSignalHandler, processId, programArgs, removeSignalHandler } from "../ipc/_process.ts";
import { F_SETFL, O_NONBLOCK } from "../ipc/constants.ts";
import { Scoreboard, SlotState } from "./_pool_scoreboard.ts";
import {
  addressBuffer,
  addressLength,
  addressLengthBytes,
  errnoCallError,
  receivedAddress,
} from "./_socket.ts";
import { SOCKADDR_STORAGE_SIZE } from "./_sockaddr.ts";
import { tcpAccess } from "./_tcp.ts";
import { SOCK_CLOEXEC } from "./constants.ts";
import type { TcpConnection } from "./tcp_connection.ts";

/** The role a pool gives its workers: their first argument. */
export const POOL_WORKER_ROLE = "unixipc-pool-worker";

const PR_SET_PDEATHSIG = 1;
const SIGTERM = 15;

/** What a pool tells a worker it spawns (its second argument, as JSON). */
export interface PoolWorkerInfo {
  /** The scoreboard's shared memory id. */
  readonly board: number;
  /** This worker's slot. */
  readonly slot: number;
  /** The listening socket's fd in the worker. */
  readonly listenFd: number;
  /** The write end of the parent's wake-up pipe in the worker. */
  readonly notifyFd: number;
  /** The parent's pid. */
  readonly parent: number;
}

/** What a handler learns about the worker that runs it. */
export interface PoolWorkerContext {
  /** This worker's slot on the scoreboard. */
  readonly slot: number;
  /** Aborts when the pool asks this worker to stop: finish the connection in hand, start no new work. */
  readonly signal: AbortSignal;
}

/** A connection handler: serve `connection`; the worker closes it afterwards if the handler has not. */
export type PoolHandler = (
  connection: TcpConnection,
  context: PoolWorkerContext,
) => void | Promise<void>;

/**
 * Tells whether this process is a pool worker: a {@linkcode ProcessPool}
 * started it (its first argument is {@linkcode POOL_WORKER_ROLE}).
 *
 * @param args The arguments to look at (default `Deno.args`).
 * @returns True in a worker.
 *
 * @example
 * ```ts
 * import { isPoolWorker } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isPoolWorker(["unixipc-pool-worker", "{}"]), true);
 * assert.equal(isPoolWorker([]), false);
 * ```
 */
export function isPoolWorker(args: readonly string[] = programArgs()): boolean {
  return args[0] === POOL_WORKER_ROLE;
}

/** accept4 errors that concern one connection, not the socket: try the next. */
const transient = new Set([
  EINTR,
  EAGAIN,
  ECONNABORTED,
  EPROTO,
  ENOMEM,
  ENOBUFS,
  EMFILE,
  ENFILE,
]);

/**
 * One blocking accept4 on the pool's listening socket, as a C pre-forked
 * worker does: the kernel wakes one blocked worker per connection. The
 * parent made the socket blocking, with SO_RCVTIMEO of one tick, so an idle
 * worker comes back (undefined) every tick to look at the scoreboard.
 */
function acceptOne(listenFd: number): TcpConnection | undefined {
  const lib = libc();
  const errnoNow = errnoCell();
  addressLength[0] = SOCKADDR_STORAGE_SIZE;
  const fd = lib.accept4(listenFd, addressBuffer, addressLengthBytes, SOCK_CLOEXEC);
  const errno = fd < 0 ? errnoNow[0]! : 0; // At once: see errnoCell.
  if (fd >= 0) return tcpAccess.adopt(fd, receivedAddress());
  if (transient.has(errno)) return undefined;
  throw errnoCallError(errno, "accept4", "accept a connection on the pool's listening socket");
}

/** Reads and checks the worker's instructions from its arguments. */
function workerInfo(args: readonly string[]): PoolWorkerInfo {
  if (!isPoolWorker(args) || args[1] === undefined) {
    throw new Error(
      `This process is not a pool worker: its arguments must be ${POOL_WORKER_ROLE} and the pool's JSON`,
    );
  }
  const info = JSON.parse(args[1]) as PoolWorkerInfo;
  checkNonNegativeInt32(info.board, "the pool's scoreboard id");
  checkNonNegativeInt32(info.slot, "the pool's slot");
  checkFd(info.listenFd, "the pool's listening fd");
  checkFd(info.notifyFd, "the pool's wake-up fd");
  checkNonNegativeInt32(info.parent, "the pool's parent pid");
  return info;
}

/**
 * Runs this process as a pool worker: accepts connections on the socket
 * the pool handed down and passes each to `handler`, one at a time, while
 * keeping its slot on the scoreboard up to date (idle, busy).
 *
 * It returns when the pool retires the worker or stops (SIGTERM): an idle
 * worker at once; a busy one once its connection is served, never in the
 * middle of it. It also stops if the parent dies. SIGINT is left to the
 * parent (Ctrl-C in a terminal reaches the whole process group): the
 * worker ignores it, and the parent stops the pool.
 *
 * @param handler Serves one connection. A handler that throws costs that
 *   connection only (the error is reported on stderr).
 * @param args The worker's arguments (default `Deno.args`).
 * @returns Once the worker has stopped.
 * @throws {Error} If this process is not a pool worker.
 *
 * @example
 * ```ts ignore
 * import { isPoolWorker, runPoolWorker } from "@unixipc/unixipc/net";
 *
 * if (isPoolWorker()) {
 *   await runPoolWorker(async (connection) => {
 *     await connection.write(new TextEncoder().encode(`${Math.floor(Date.now() / 1000)}\r\n`));
 *   });
 * }
 * ```
 */
export async function runPoolWorker(
  handler: PoolHandler,
  args: readonly string[] = programArgs(),
): Promise<void> {
  if (typeof handler !== "function") {
    throw new TypeError("handler must be a function that serves one connection");
  }
  const info = workerInfo(args);
  const lib = libc();
  // Stop with the parent, even if it is SIGKILLed; and if it is already gone, now.
  lib.prctl(PR_SET_PDEATHSIG, BigInt(SIGTERM), 0n, 0n, 0n);
  if (lib.getppid() !== info.parent) return;

  const board = Scoreboard.attach(info.board);
  const stop = new AbortController();
  // Seen between accepts (at least once a tick): a connection in hand is still served.
  const onTerm = () => stop.abort(new Error("the pool stopped this worker"));
  addSignalHandler("SIGTERM", onTerm);
  // Ctrl-C reaches the whole process group: the parent decides, then asks with SIGTERM.
  const onInterrupt = () => {};
  addSignalHandler("SIGINT", onInterrupt);
  const slot = info.slot;
  const [minSpare, maxSpare] = board.spares;
  // Our own description of the pipe (spawn reopened it): never block on it.
  lib.fcntl(info.notifyFd, F_SETFL, O_NONBLOCK);
  const wake = new Uint8Array(1);
  const notify = () => {
    if (board.claimWake()) lib.write(info.notifyFd, wake, 1n);
  };
  const context: PoolWorkerContext = { slot, signal: stop.signal };
  try {
    if (!board.transition(slot, SlotState.starting, SlotState.idle)) return;
    if (board.idleCount() > maxSpare) notify();
    while (!stop.signal.aborted && !board.stopping && board.slot(slot).state === SlotState.idle) {
      const connection = acceptOne(info.listenFd);
      if (connection === undefined) {
        // The tick passed with no connection: let the event loop run (a SIGTERM listener, say).
        await new Promise((resolve) => setTimeout(resolve, 0));
        continue;
      }
      // A worker being retired still serves the connection it holds, then goes.
      const staying = board.transition(slot, SlotState.idle, SlotState.busy);
      // Wake the parent when this worker's move takes the idle count below minSpare, not at every
      // connection while it stays there: the parent's tick looks after the rest.
      if (staying && board.idleCount() === minSpare - 1) notify();
      try {
        await handler(connection, context);
      } catch (error) {
        console.error(`Pool worker ${processId()}: the handler failed:`, error);
      } finally {
        connection.close();
        board.served(slot);
      }
      if (!staying || !board.transition(slot, SlotState.busy, SlotState.idle)) break;
      if (board.idleCount() === maxSpare + 1) notify();
    }
  } finally {
    removeSignalHandler("SIGTERM", onTerm);
    removeSignalHandler("SIGINT", onInterrupt);
    lib.close(info.listenFd);
    lib.close(info.notifyFd);
    board.detach();
  }
}
