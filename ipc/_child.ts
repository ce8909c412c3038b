/**
 * The implementation of {@linkcode ChildProcess}: a child's pidfd, watched
 * by the poller, and `waitpid` on the main thread.
 *
 * @module
 */

import { EINTR, ESRCH } from "./_errnos.ts";
import { checkOptions } from "./_checks.ts";
import { errnoCell, errnoError, libc } from "./_libc.ts";
import { forget, waitFor } from "./_poller.ts";
import { waitSignal } from "./_signal.ts";
import type { ChildProcess, ChildStatus } from "./child_process.ts";
import { ErrnoError } from "./errno.ts";
import { type SignalName, signalName, signalNumber } from "./signals.ts";
import type { WaitOptions } from "./wait.ts";

const SYS_pidfd_open = 434n; // x86_64 and aarch64 alike
const WNOHANG = 1;
/** The longest pause between two looks at a child without a pidfd (kernels before 5.3). */
const POLL_MAX_MS = 50;

class Child implements ChildProcess {
  readonly pid: number;
  readonly #command: string;
  #pidfd: number;
  #status: ChildStatus | undefined;
  readonly #statusBuffer = new Int32Array(1);

  constructor(pid: number, pidfd: number, command: string) {
    this.pid = pid;
    this.#pidfd = pidfd;
    this.#command = command;
  }

  get status(): ChildStatus | undefined {
    return this.#status;
  }

  /** waitpid; returns true once reaped (status set). */
  #reap(options: number): boolean {
    if (this.#status) return true;
    const { waitpid } = libc();
    const errnoNow = errnoCell();
    const status = new Uint8Array(this.#statusBuffer.buffer);
    for (;;) {
      const r = waitpid(this.pid, status, options);
      const errno = r === -1 ? errnoNow[0]! : 0; // At once: see errnoCell.
      if (r === this.pid) {
        this.#status = decodeStatus(this.#statusBuffer[0]!);
        this.#release();
        return true;
      }
      if (r === 0) return false;
      if (errno === EINTR) continue;
      throw errnoError(errno, "waitpid", {
        action: `wait for ${this.#command} (pid ${this.pid})`,
        details: { pid: this.pid },
        reasons: { ECHILD: "it is not a child of this process, or was reaped by other code" },
      });
    }
  }

  #release(): void {
    const fd = this.#pidfd;
    if (fd < 0) return;
    this.#pidfd = -1;
    forget(
      fd,
      () => new ErrnoError(ESRCH, { syscall: "waitpid", action: "wait", reason: "reaped" }),
    );
    libc().close(fd);
  }

  async wait(options?: WaitOptions): Promise<ChildStatus> {
    const signal = options === undefined ? undefined : waitSignal(checkOptions(options));
    for (let delay = 1;; delay = Math.min(delay * 2, POLL_MAX_MS)) {
      if (this.#reap(WNOHANG)) return this.#status!;
      if (signal?.aborted) throw signal.reason;
      if (this.#pidfd >= 0) {
        try {
          await waitFor(this.#pidfd, "read", signal);
        } catch (error) {
          if (this.#status) return this.#status; // Reaped by another wait meanwhile.
          throw error;
        }
      } else {
        await sleep(delay, signal);
      }
    }
  }

  waitSync(): ChildStatus {
    this.#reap(0);
    return this.#status!;
  }

  kill(signal: SignalName | number = "SIGTERM"): void {
    const n = signalNumber(signal);
    if (this.#status) {
      throw new ErrnoError(ESRCH, {
        syscall: "kill",
        action: `send ${signalName(n)} to ${this.#command} (pid ${this.pid})`,
        reason: "it has ended and been waited for",
      });
    }
    const errnoNow = errnoCell();
    if (libc().kill(this.pid, n) === -1) {
      throw errnoError(errnoNow[0]!, "kill", {
        action: `send ${signalName(n)} to ${this.#command} (pid ${this.pid})`,
        details: { pid: this.pid, signal: n },
      });
    }
  }

  /** Ends the child (SIGTERM) if it still runs, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#status) return;
    if (!this.#reap(WNOHANG)) {
      libc().kill(this.pid, 15);
      await this.wait();
    }
  }
}

function decodeStatus(status: number): ChildStatus {
  const termsig = status & 0x7f;
  if (termsig === 0) {
    const code = (status >> 8) & 0xff;
    return { success: code === 0, code, signal: null, signalName: null };
  }
  return { success: false, code: null, signal: termsig, signalName: signalName(termsig) };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Wraps a child that was just spawned: opens its pidfd (without one, as on
 * kernels before 5.3, `wait()` looks at it at growing intervals of at most
 * 50 ms).
 */
export function adoptChild(pid: number, command: string): ChildProcess {
  const pidfd = Number(libc().syscall(SYS_pidfd_open, BigInt(pid), 0n, 0n));
  return new Child(pid, pidfd < 0 ? -1 : pidfd, command);
}
