/**
 * `deno task ipcrm`: removes System V objects by id or key, as util-linux's
 * `ipcrm` does.
 *
 *   deno task ipcrm [-q ID] [-Q KEY] [-m ID] [-M KEY] [-s ID] [-S KEY] ...
 *
 * `-q`/`-m`/`-s` remove the message queue, shared memory segment or
 * semaphore set with that id; `-Q`/`-M`/`-S` the one with that key
 * (decimal, `0x` hex or `0` octal, as strtoul reads it). Each failure is
 * reported (`ipcrm: invalid id (5)`), and the exit code is 1 if any failed.
 *
 * @module
 */

import { ErrnoError } from "../ipc/errno.ts";
import { type IpcKind, ipcrm } from "../xsi/mod.ts";

const usage = "Usage: deno task ipcrm [-q ID] [-Q KEY] [-m ID] [-M KEY] [-s ID] [-S KEY] ...";

const options: Record<string, [IpcKind, "id" | "key"]> = {
  "-q": ["msg", "id"],
  "--queue-id": ["msg", "id"],
  "-Q": ["msg", "key"],
  "--queue-key": ["msg", "key"],
  "-m": ["shm", "id"],
  "--shmem-id": ["shm", "id"],
  "-M": ["shm", "key"],
  "--shmem-key": ["shm", "key"],
  "-s": ["sem", "id"],
  "--semaphore-id": ["sem", "id"],
  "-S": ["sem", "key"],
  "--semaphore-key": ["sem", "key"],
};

/** Reads a number as strtoul with base 0 does: 0x hex, leading 0 octal, else decimal. */
function parseNumber(text: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const value = text.startsWith("0x") || text.startsWith("0X")
    ? parseInt(text.slice(2), 16)
    : text.startsWith("0")
    ? parseInt(text, 8)
    : parseInt(text, 10);
  return value <= 0xffffffff ? value : undefined;
}

function main(args: string[]): number {
  if (args.length === 0 || args.includes("-h") || args.includes("--help")) {
    console.log(usage);
    return args.length === 0 ? 1 : 0;
  }
  let failed = 0;
  for (let i = 0; i < args.length; i++) {
    const option = options[args[i]!];
    const value = args[i + 1];
    if (!option || value === undefined) {
      console.error(
        `ipcrm: ${option ? "missing value for" : "unknown option"} ${args[i]}\n${usage}`,
      );
      return 1;
    }
    i++;
    const [kind, by] = option;
    const number = by === "key"
      ? parseNumber(value)
      : /^[0-9]+$/.test(value)
      ? Number(value)
      : undefined;
    if (number === undefined || (by === "id" && number > 0x7fffffff)) {
      console.error(`ipcrm: invalid ${by} (${value})`);
      failed++;
      continue;
    }
    if (by === "key" && number === 0) {
      console.error(`ipcrm: illegal key (${value})`);
      failed++;
      continue;
    }
    try {
      ipcrm(kind, by === "id" ? { id: number } : { key: number });
    } catch (error) {
      if (!(error instanceof ErrnoError)) throw error;
      const why = error.code === "EPERM" || error.code === "EACCES"
        ? "permission denied for"
        : error.code === "EIDRM"
        ? "already removed"
        : "invalid";
      console.error(`ipcrm: ${why} ${by} (${value})`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(main(Deno.args));
