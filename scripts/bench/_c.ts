/**
 * Builds the C programs of the benchmarks: `scripts/bench/c/<name>.c`,
 * compiled with `gcc -O2` into `.bench/` at the repository's root, with
 * compile-time constants given as `-D` defines, so that the C side and the
 * script share one value (the message size, the warm-up count).
 *
 * @module
 */

/** The repository's root, without a trailing slash. */
export const root: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Where the compiled programs (and other build products of the benchmarks) go. */
export const buildDir = `${root}/.bench`;

/** How to compile one program. */
export interface BuildOptions {
  /** Compile-time constants, as `-DNAME=value`. */
  defines?: Readonly<Record<string, number | string>>;
  /** More gcc arguments (`-pthread`). */
  flags?: readonly string[];
}

/**
 * Compiles `scripts/bench/c/<name>.c` with `gcc -O2 -Wall`.
 *
 * The executable's name carries the defines (`.bench/msg_pair.MESSAGE-64`),
 * so that scripts building one source with different constants do not
 * overwrite each other's program.
 *
 * @param name The source's name, without `.c`.
 * @param options `defines`, `flags`.
 * @returns The executable's path.
 * @throws {Error} If gcc fails, with its output.
 */
export async function buildC(name: string, options: BuildOptions = {}): Promise<string> {
  const defines = Object.entries(options.defines ?? {});
  const suffix = defines.map(([key, value]) => `.${key}-${value}`).join("");
  const exe = `${buildDir}/${name}${suffix}`;
  await Deno.mkdir(buildDir, { recursive: true });
  const { success, stderr } = await new Deno.Command("gcc", {
    args: [
      "-O2",
      "-Wall",
      ...defines.map(([key, value]) => `-D${key}=${value}`),
      "-o",
      exe,
      `${root}/scripts/bench/c/${name}.c`,
      ...(options.flags ?? []),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`gcc ${name}.c failed: ${new TextDecoder().decode(stderr)}`);
  return exe;
}
