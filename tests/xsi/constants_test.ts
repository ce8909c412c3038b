import assert from "node:assert/strict";
import * as constants from "../../xsi/constants.ts";
import { compileC, peers, test } from "../_util.ts";

test("every xsi constant has gcc's value", async () => {
  const names = Object.keys(constants);
  const exe = await compileC(
    "xsi-constants",
    `#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
int main(void) {
${names.map((n) => `  printf("%s %ld\\n", "${n}", (long)(${n}));`).join("\n")}
  return 0;
}
`,
  );
  const { stdout } = await new Deno.Command(exe).output();
  const fromGcc = Object.fromEntries(
    new TextDecoder().decode(stdout).trim().split("\n").map((l) => {
      const [name, value] = l.split(" ");
      return [name, Number(value)];
    }),
  );
  assert.deepEqual({ ...constants }, fromGcc);
}, { peers: [peers.gcc] });
