/**
 * The test command: `deno task test`.
 *
 * Runs every test (and every documentation example, which must run too) with
 * `deno test`, and checks that the whole run left no System V object behind.
 * Extra arguments go to `deno test` (a file, `--filter`, ...).
 *
 * @module
 */

/** The ids of every System V object on the host, as `kind:id` (this script imports nothing of tests/). */
function sysvObjects(): { kind: string; id: string; key: number }[] {
  return ["msg", "sem", "shm"].flatMap((kind) =>
    Deno.readTextFileSync(`/proc/sysvipc/${kind}`).trim().split("\n").slice(1).map((line) => {
      const [key, id] = line.trim().split(/\s+/);
      return { kind, id: id!, key: Number(key) };
    })
  );
}

const sources = ["mod.ts", "endian/", "ipc/", "xsi/", "net/"];
const extra = Deno.args;
const targets = extra.some((a) => !a.startsWith("-")) ? [] : ["tests/", ...sources];

const before = new Set(sysvObjects().map((o) => `${o.kind}:${o.id}`));
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", "--doc", ...extra, ...targets],
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
const left = sysvObjects().filter((o) => !before.has(`${o.kind}:${o.id}`));
if (left.length > 0) {
  console.error(
    `\nThe tests left ${left.length} System V object(s) behind: ${
      left.map((o) => `${o.kind} id ${o.id} key 0x${(o.key >>> 0).toString(16).padStart(8, "0")}`)
        .join(", ")
    }`,
  );
  Deno.exit(1);
}
Deno.exit(code);
