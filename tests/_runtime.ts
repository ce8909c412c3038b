/**
 * The runtime the tests run on, and the deno for their Deno children. The
 * npm build puts `_runtime.node.ts` in this file's place.
 *
 * @module
 */

/** The runtime running the tests. */
export const runtime: "deno" | "node" = "deno";

/** The deno that runs Deno children of the tests: the one running them. */
export const deno: string = Deno.execPath();

/** A library module's URL as this runtime loads it: `libraryUrl("xsi/mod")`. */
export function libraryUrl(path: string): string {
  return new URL(`../${path}.ts`, import.meta.url).href;
}

/** The command that runs a plain JavaScript module's text in a child of this runtime. */
export function evalCommand(script: string): { command: string; args: string[] } {
  return { command: deno, args: ["eval", "--quiet", "--ext=js", script] };
}
