/**
 * Child processes, as {@linkcode spawn} and {@linkcode spawnModule} return
 * them: waiting for one without blocking the event loop (its pidfd, watched
 * by the process's one poller thread: no thread per child), reaping it,
 * signalling it.
 *
 * @module
 */

import type { SignalName } from "./signals.ts";
import type { WaitOptions } from "./wait.ts";

/** How a child process ended. */
export interface ChildStatus {
  /** True when it exited with code 0. */
  readonly success: boolean;
  /** Its exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The number of the signal that ended it, or null when it exited. */
  readonly signal: number | null;
  /** That signal's name (`"SIGTERM"`), or null. */
  readonly signalName: string | null;
}

/**
 * A child process started by {@linkcode spawn} or {@linkcode spawnModule}.
 * Wait for it (`wait()`, or `await using`): until then it stays a zombie
 * after it exits, and holds an fd (its pidfd).
 */
export interface ChildProcess extends AsyncDisposable {
  /** The child's process id. */
  readonly pid: number;
  /** How it ended, once `wait()` or `waitSync()` has seen it; undefined before. */
  readonly status: ChildStatus | undefined;
  /**
   * Waits until the child ends, without blocking the event loop, and reaps
   * it. Calling it again gives the same status.
   *
   * @param options `signal` and `timeout` cancel the wait (the child goes on).
   * @returns How it ended.
   * @throws {ErrnoError} If waitpid fails.
   */
  wait(options?: WaitOptions): Promise<ChildStatus>;
  /**
   * Waits until the child ends, blocking the calling thread, and reaps it.
   *
   * @returns How it ended.
   * @throws {ErrnoError} If waitpid fails.
   */
  waitSync(): ChildStatus;
  /**
   * Sends a signal to the child (`kill(pid, signal)`). Safe against pid
   * reuse: until it is reaped, the pid is the child's.
   *
   * @param signal A name or number; default `"SIGTERM"`.
   * @throws {TypeError} If the signal is neither a name nor a number.
   * @throws {RangeError} If there is no such signal.
   * @throws {ErrnoError} ESRCH once the child has been waited for.
   */
  kill(signal?: SignalName | number): void;
}
