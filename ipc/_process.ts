/**
 * The process under Deno: its arguments, pid, environment, signals, and how
 * to run a module in a child. The npm build puts `_process.node.ts` in this
 * file's place; both export the same functions.
 *
 * @module
 */

/** The program's arguments (after the script). */
export function programArgs(): readonly string[] {
  return Deno.args;
}

/** This process's pid. */
export function processId(): number {
  return Deno.pid;
}

/** How many CPUs this process may run on (its affinity and cgroup count). */
export function availableCpus(): number {
  return typeof navigator === "undefined" ? 2 : navigator.hardwareConcurrency ?? 2;
}

/** An environment variable, or undefined when unset or not readable without a prompt. */
export function environmentVariable(name: string): string | undefined {
  try {
    const status = Deno.permissions.querySync({ name: "env", variable: name });
    return status.state === "granted" ? Deno.env.get(name) : undefined;
  } catch {
    return undefined; // no permission API (an embedder)
  }
}

/**
 * Runs `hook` when the process exits, for ending calls still blocked on the
 * runtime's pool threads. Nothing to do under Deno: its exit does not wait
 * for those threads.
 */
export function onExit(_hook: () => void): void {}

/** The signals the library listens for. */
export type ListenedSignal = "SIGINT" | "SIGTERM";

/** Calls `handler` on each `signal` until {@linkcode removeSignalHandler}; the default action is off meanwhile. */
export function addSignalHandler(signal: ListenedSignal, handler: () => void): void {
  Deno.addSignalListener(signal, handler);
}

/** Removes a handler of {@linkcode addSignalHandler}. */
export function removeSignalHandler(signal: ListenedSignal, handler: () => void): void {
  Deno.removeSignalListener(signal, handler);
}

/**
 * The command line that runs a module as a program: `deno run --no-prompt`
 * with the permission flags and Deno's own flags before the module.
 *
 * @param specifier The module (a path or a URL's href).
 * @param flags Permission flags (`--allow-ffi`, ...).
 * @param runtimeArgs More of Deno's flags (`--unstable-...`, `--v8-flags=...`).
 * @param args The program's arguments.
 */
export function moduleCommand(
  specifier: string,
  flags: readonly string[],
  runtimeArgs: readonly string[],
  args: readonly string[],
): { command: string; args: string[] } {
  return {
    command: Deno.execPath(),
    args: ["run", "--no-prompt", ...flags, ...runtimeArgs, specifier, ...args],
  };
}
