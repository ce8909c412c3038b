/**
 * `deno task ipcs`: lists the System V objects of the IPC namespace in
 * util-linux `ipcs`'s default format (the same columns), or as JSON.
 *
 *   deno task ipcs [-q] [-m] [-s] [-a] [--json]
 *
 * `-q` message queues, `-m` shared memory, `-s` semaphore sets, `-a` all
 * (the default); `--json` prints the listing as JSON (keys as `0x` hex, times
 * in ISO 8601).
 *
 * @module
 */

import { formatIpcs, formatKey, type IpcKind, ipcs } from "../xsi/mod.ts";

const usage =
  "Usage: deno task ipcs [-q|--queues] [-m|--shmems] [-s|--semaphores] [-a|--all] [--json]";

function main(args: string[]): number {
  const kinds = new Set<IpcKind>();
  let json = false;
  for (const arg of args) {
    if (arg === "-q" || arg === "--queues") kinds.add("msg");
    else if (arg === "-m" || arg === "--shmems") kinds.add("shm");
    else if (arg === "-s" || arg === "--semaphores") kinds.add("sem");
    else if (arg === "-a" || arg === "--all") {
      ["msg", "shm", "sem"].forEach((k) => kinds.add(k as IpcKind));
    } else if (arg === "--json") json = true;
    else if (arg === "-h" || arg === "--help") {
      console.log(usage);
      return 0;
    } else {
      console.error(`ipcs: unknown option ${JSON.stringify(arg)}\n${usage}`);
      return 1;
    }
  }
  const order: IpcKind[] = ["msg", "shm", "sem"];
  const chosen = kinds.size === 0 ? order : order.filter((k) => kinds.has(k));
  const report = ipcs();
  if (json) {
    // Keys as ipcs prints them (lsipc --json does the same).
    const hex = <T extends { key: number }>(list: T[]) =>
      list.map((o) => ({ ...o, key: formatKey(o.key) }));
    const out: Record<string, unknown> = {};
    if (chosen.includes("msg")) out.messageQueues = hex(report.messageQueues);
    if (chosen.includes("shm")) out.sharedMemory = hex(report.sharedMemory);
    if (chosen.includes("sem")) out.semaphoreSets = hex(report.semaphoreSets);
    console.log(JSON.stringify(out, null, 2));
  } else {
    Deno.stdout.writeSync(new TextEncoder().encode(formatIpcs(report, chosen)));
  }
  return 0;
}

if (import.meta.main) Deno.exit(main(Deno.args));
