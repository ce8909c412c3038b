/**
 * The runtime the tests run on, and the deno for their Deno children, under
 * Node: the npm build puts this file in `_runtime.ts`'s place.
 *
 * @module
 */

import process from "node:process";

/** The runtime running the tests. */
export const runtime: "deno" | "node" = "node";

/**
 * The deno that runs Deno children of the tests (peers: another process of
 * ours, running the library from source). `deno task test:node` sets
 * `UNIXIPC_TEST_DENO` to a wrapper of the deno running it, which maps paths
 * into the build (`npm/xsi/mod.ts`, as a compiled test names its source)
 * to the source tree (`xsi/mod.ts`) in every argument.
 */
export const deno: string = process.env.UNIXIPC_TEST_DENO ?? "deno";

/** A library module's URL as this runtime loads it: `libraryUrl("xsi/mod")`, from the build. */
export function libraryUrl(path: string): string {
  return new URL(`../${path}.js`, import.meta.url).href;
}

/** The command that runs a plain JavaScript module's text in a child of this runtime. */
export function evalCommand(script: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--input-type=module", "--eval", script] };
}
