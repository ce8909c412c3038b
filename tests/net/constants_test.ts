import assert from "node:assert/strict";
import * as constants from "../../net/constants.ts";
import { compileC, peers, run, test } from "../_util.ts";

test("every socket constant has the value gcc's headers give it", async () => {
  const names = Object.keys(constants).sort();
  assert.ok(names.length > 100, `only ${names.length} constants`);
  const source = [
    "#define _GNU_SOURCE",
    "#include <stdio.h>",
    "#include <sys/socket.h>",
    "#include <netinet/in.h>",
    "#include <netinet/tcp.h>",
    "#include <arpa/inet.h>",
    "#include <net/if.h>",
    "int main(void) {",
    ...names.map((name) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`),
    "  return 0;",
    "}",
  ].join("\n");
  const exe = await compileC("net_constants", source);
  const { code, stdout, stderr } = await run(exe, []);
  assert.equal(code, 0, stderr);
  const fromGcc = Object.fromEntries(
    stdout.trim().split("\n").map((line) => {
      const [name, value] = line.split(" ");
      return [name!, Number(value)];
    }),
  );
  const ours = Object.fromEntries(
    names.map((name) => [name, (constants as Record<string, number>)[name]]),
  );
  assert.deepEqual(ours, fromGcc);
}, { peers: [peers.gcc] });
