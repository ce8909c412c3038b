/**
 * The process under Node: its arguments, pid, environment, signals, and how
 * to run a module in a child. The npm build puts this file in
 * `_process.ts`'s place; both export the same functions.
 *
 * @module
 */

import { availableParallelism } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The program's arguments (after the script). */
export function programArgs(): readonly string[] {
  return process.argv.slice(2);
}

/** This process's pid. */
export function processId(): number {
  return process.pid;
}

/** How many CPUs this process may run on (its affinity counts). */
export function availableCpus(): number {
  return availableParallelism();
}

/** An environment variable, or undefined when unset. */
export function environmentVariable(name: string): string | undefined {
  return process.env[name];
}

/**
 * Runs `hook` when the process exits (`process.exit()`, an uncaught
 * exception), before Node joins libuv's pool threads: one still blocked in
 * a call would keep the exit waiting for ever.
 */
export function onExit(hook: () => void): void {
  process.on("exit", hook);
}

/** The signals the library listens for. */
export type ListenedSignal = "SIGINT" | "SIGTERM";

/** Calls `handler` on each `signal` until {@linkcode removeSignalHandler}; the default action is off meanwhile. */
export function addSignalHandler(signal: ListenedSignal, handler: () => void): void {
  process.on(signal, handler);
}

/** Removes a handler of {@linkcode addSignalHandler}. */
export function removeSignalHandler(signal: ListenedSignal, handler: () => void): void {
  process.off(signal, handler);
}

/**
 * The command line that runs a module as a program: `node` with the module's
 * path. Node has no permissions, and Deno's flags mean nothing to it: both
 * are left out.
 *
 * @param specifier The module (a path or a `file:` URL's href).
 * @param _flags Deno's permission flags: not used.
 * @param _runtimeArgs Deno's own flags: not used.
 * @param args The program's arguments.
 */
export function moduleCommand(
  specifier: string,
  _flags: readonly string[],
  _runtimeArgs: readonly string[],
  args: readonly string[],
): { command: string; args: string[] } {
  const path = specifier.startsWith("file:") ? fileURLToPath(specifier) : specifier;
  return { command: process.execPath, args: [path, ...args] };
}
