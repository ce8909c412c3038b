/**
 * Running a Deno module as a child process with inherited fds: the idiom
 * that replaces `fork()`.
 *
 * @module
 */

import { checkBoolean, checkOptions, checkString } from "./_checks.ts";
import { moduleCommand } from "./_process.ts";
import { checkStrings } from "./_spawn_fds.ts";
import type { ChildProcess } from "./child_process.ts";
import { spawn, type SpawnOptions } from "./spawn.ts";

/** A permission of a Deno child: all of it (true) or a list (paths, hosts, names). */
export type PermissionGrant = boolean | readonly string[];

/** The permissions a Deno child runs with, stated explicitly: nothing is inherited. */
export interface ModulePermissions {
  /** `--allow-all`. */
  readonly all?: boolean;
  /** `--allow-read`. */
  readonly read?: PermissionGrant;
  /** `--allow-write`. */
  readonly write?: PermissionGrant;
  /** `--allow-net`. */
  readonly net?: PermissionGrant;
  /** `--allow-env`. */
  readonly env?: PermissionGrant;
  /** `--allow-run`. */
  readonly run?: PermissionGrant;
  /** `--allow-ffi` (needed to use unixipc: it grants full access to the process). */
  readonly ffi?: PermissionGrant;
  /** `--allow-sys`. */
  readonly sys?: PermissionGrant;
  /** `--allow-import`. */
  readonly import?: PermissionGrant;
}

/** Options of {@linkcode spawnModule}: those of {@linkcode spawn}, and what the Deno child needs. */
export interface SpawnModuleOptions extends SpawnOptions {
  /** The child's permissions (required: `{}` for none). */
  readonly permissions: ModulePermissions;
  /** The child's role: its first argument (`Deno.args[0]`, `process.argv[2]` under Node), before `args`. */
  readonly role?: string;
  /** More flags for `deno run` (`--config`, `--unstable-...`), before the module (not used under Node). */
  readonly denoArgs?: readonly string[];
}

const permissionNames = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const;

/**
 * Runs a Deno module as a child process (`deno run` with the same deno),
 * with the fds, permissions, role and arguments given: the idiom that
 * replaces `fork()`. A module can run itself (`import.meta.url`) and branch
 * on its role:
 *
 * ```ts ignore
 * if (Deno.args[0] === "child") {
 *   using input = new FdHandle(3); // The pipe's read end, as the parent mapped it.
 *   // ...
 * } else {
 *   using p = pipe();
 *   await using child = spawnModule(import.meta.url, {
 *     role: "child",
 *     fds: { 3: p.read },
 *     permissions: { ffi: true },
 *   });
 *   p.read.close();
 *   // ...
 * }
 * ```
 *
 * The child runs with `--no-prompt`: a permission it lacks is an error, not
 * a question on a terminal it may not have.
 *
 * Under Node (the npm build) the child is `node <module> <role> <args>` with
 * the same node: Node has no permissions, so `permissions` is checked but
 * grants nothing, and `denoArgs` is not used.
 *
 * @param module The module: a URL (`import.meta.url`) or a path.
 * @param options Those of {@linkcode spawn}, and `permissions` (required), `role`, `denoArgs`.
 * @returns The child; `wait()` for it.
 * @throws {TypeError} If an argument has the wrong type, or `permissions` is missing.
 * @throws {RangeError} If a permission list holds a comma (Deno could not parse it).
 * @throws {ErrnoError} As {@linkcode spawn} does.
 *
 * @example
 * ```ts
 * import { spawnModule } from "@unixipc/unixipc/ipc";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * try {
 *   Deno.writeTextFileSync(`${dir}/child.ts`, "Deno.exit(Deno.args[0] === 'child' ? 3 : 1);");
 *   await using child = spawnModule(`${dir}/child.ts`, { role: "child", permissions: {} });
 *   assert.equal((await child.wait()).code, 3);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function spawnModule(module: string | URL, options: SpawnModuleOptions): ChildProcess {
  const specifier = module instanceof URL ? module.href : checkString(module, "module");
  checkOptions(options);
  const permissions = options.permissions;
  if (permissions === undefined || permissions === null || typeof permissions !== "object") {
    throw new TypeError(
      "options.permissions must state the child's permissions (an object; {} for none)",
    );
  }
  const flags: string[] = [];
  if (permissions.all !== undefined && checkBoolean(permissions.all, "options.permissions.all")) {
    flags.push("--allow-all");
  }
  for (const name of permissionNames) {
    const grant = permissions[name];
    if (grant === undefined || grant === false) continue;
    if (grant === true) {
      flags.push(`--allow-${name}`);
      continue;
    }
    const list = checkStrings(grant, `options.permissions.${name}`);
    for (const item of list) {
      if (item.includes(",")) {
        throw new RangeError(
          `options.permissions.${name} entries must not contain a comma: got ${
            JSON.stringify(item)
          }`,
        );
      }
    }
    if (list.length > 0) flags.push(`--allow-${name}=${list.join(",")}`);
  }
  const denoArgs = checkStrings(options.denoArgs ?? [], "options.denoArgs");
  const role = options.role === undefined ? [] : [checkString(options.role, "options.role")];
  const args = checkStrings(options.args ?? [], "options.args");
  const command = moduleCommand(specifier, flags, denoArgs, [...role, ...args]);
  return spawn(command.command, { ...options, args: command.args });
}
