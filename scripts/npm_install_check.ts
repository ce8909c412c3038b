/**
 * `deno task npm:install-check`: installs the npm package as a user would and
 * uses it from Node.
 *
 * Packs `npm/` (build it first: `deno task build:npm`), installs the tarball
 * into a scratch project (`npm init -y`, `"type": "module"`), and runs a Node
 * script there that imports `unixipc/xsi`, `unixipc/ipc` and `unixipc/net`
 * by name and does three things: a message-queue round trip, a pipe through a
 * child process, a UDP exchange on 127.0.0.1; then type-checks a TypeScript
 * file that imports the same names (tsc from `npm/node_modules`, strict,
 * NodeNext, the package's declarations not skipped). Prints one line per
 * check; removes the scratch project and the tarball; exits 1 on any failure.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const out = `${root}/npm`;
const TIMEOUT_MS = 60_000; // for each npm or node command
const CHECKS = ["message queue round trip", "pipe through a child", "UDP exchange"]; // as PROGRAM names them

// The user's program. Plain JavaScript for Node 20: no `using` (Node 20 lacks the syntax).
const PROGRAM = `import { IPC_PRIVATE, MessageQueue } from "unixipc/xsi";
import { pipe, spawn } from "unixipc/ipc";
import { UdpSocket } from "unixipc/net";
import assert from "node:assert/strict";

const text = (bytes) => new TextDecoder().decode(bytes);
const bytes = (s) => new TextEncoder().encode(s);

async function messageQueue() {
  const queue = MessageQueue.open(IPC_PRIVATE);
  try {
    const next = queue.receive({ timeout: 5000 });
    queue.sendSync(7, bytes("hello from node"));
    const message = await next;
    assert.equal(message.type, 7);
    assert.equal(text(message.data), "hello from node");
  } finally {
    queue.remove();
    queue.close();
  }
}

async function pipeThroughChild() {
  const toChild = pipe();
  const fromChild = pipe();
  try {
    const child = spawn("tr", { args: ["a-z", "A-Z"], fds: { 0: toChild.read, 1: fromChild.write } });
    toChild.read.close(); // the child has its copies
    fromChild.write.close();
    await toChild.write.write(bytes("hello, child\\n"));
    toChild.write.close(); // tr reads to the end of its input
    const buffer = new Uint8Array(256);
    let got = "";
    for (let n; (n = await fromChild.read.read(buffer, { timeout: 5000 })) !== null;) {
      got += text(buffer.subarray(0, n));
    }
    assert.equal(got, "HELLO, CHILD\\n");
    assert.equal((await child.wait()).code, 0);
  } finally {
    toChild.close();
    fromChild.close();
  }
}

async function udpExchange() {
  const receiver = UdpSocket.bind("127.0.0.1:0");
  const sender = new UdpSocket();
  try {
    await sender.sendTo(bytes("ping"), receiver.localAddress);
    const { data, from } = await receiver.receiveFrom({ timeout: 5000 });
    assert.equal(text(data), "ping");
    assert.equal(from.port, sender.localAddress.port);
    await receiver.sendTo(bytes("pong"), from);
    assert.equal(text(await sender.receive({ timeout: 5000 })), "pong");
  } finally {
    receiver.close();
    sender.close();
  }
}

let failed = 0;
for (const [name, check] of [
  ["message queue round trip", messageQueue],
  ["pipe through a child", pipeThroughChild],
  ["UDP exchange", udpExchange],
]) {
  try {
    await check();
    console.log("ok    " + name);
  } catch (error) {
    failed++;
    console.log("FAIL  " + name + ": " + String(error?.stack ?? error).replace(/\\n/g, "\\n      "));
  }
}
// No process.exit(): that Node exits by itself shows that nothing of the library keeps it alive.
process.exitCode = failed === 0 ? 0 : 1;
`;

// A TypeScript user's view: the declarations resolve by name and check, with nothing skipped.
const TYPED = `import { IPC_PRIVATE, type Message, MessageQueue } from "unixipc/xsi";
import { type ChildProcess, type FdHandle, pipe, spawn } from "unixipc/ipc";
import { type Datagram, UdpSocket } from "unixipc/net";
import { htons } from "unixipc";

const queue: MessageQueue = MessageQueue.open(IPC_PRIVATE);
const message: Promise<Message> = queue.receive();
const ends: { read: FdHandle; write: FdHandle } = pipe();
const child: ChildProcess = spawn("true", { fds: { 1: ends.write } });
const datagram: Promise<Datagram> = UdpSocket.bind("127.0.0.1:0").receiveFrom();
export { child, datagram, message };
export const port: number = htons(1989);
`;

function say(line: string): void {
  console.log(`npm:install-check: ${line}`);
}

interface Result {
  success: boolean;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  output: string;
}

async function run(command: string, args: string[], cwd: string): Promise<Result> {
  const child = new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, TIMEOUT_MS);
  try {
    const { success, stdout, stderr } = await child.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    const [out, err] = [decode(stdout), decode(stderr)];
    return { success, timedOut, stdout: out, stderr: err, output: out + err };
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<string | null> {
  let version: string;
  try {
    version = JSON.parse(await Deno.readTextFile(`${out}/package.json`)).version;
    await Deno.stat(`${out}/mod.js`);
  } catch {
    return "npm/ holds no build: run `deno task build:npm` first";
  }

  const pack = await run("npm", ["pack", "--loglevel=error"], out);
  const tarball = `${out}/unixipc-${version}.tgz`;
  if (!pack.success) return `npm pack failed in npm/\n${pack.output}`;
  const scratch = await Deno.makeTempDir({ prefix: "unixipc-install-" });
  try {
    const { size } = await Deno.stat(tarball);
    say(`packed ${tarball.slice(root.length + 1)} (${size} bytes)`);
    const init = await run("npm", ["init", "-y", "--loglevel=error"], scratch);
    if (!init.success) return `npm init failed\n${init.output}`;
    const manifest = JSON.parse(await Deno.readTextFile(`${scratch}/package.json`));
    await Deno.writeTextFile(
      `${scratch}/package.json`,
      JSON.stringify({ ...manifest, type: "module" }, null, 2) + "\n",
    );
    const install = await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, "@types/node@^20"],
      scratch,
    );
    if (!install.success) return `npm install of the tarball failed\n${install.output}`;
    say(`installed into ${scratch}`);

    await Deno.writeTextFile(`${scratch}/check.js`, PROGRAM);
    const node = await run("node", ["check.js"], scratch);
    for (const line of node.stdout.trimEnd().split("\n")) console.log(`  ${line}`);
    const passed = CHECKS.filter((name) => node.stdout.includes(`ok    ${name}\n`));
    if (node.timedOut) {
      return `node was still running after ${TIMEOUT_MS / 1000} s (passed ${passed.length} of ` +
        `${CHECKS.length} checks): something keeps it alive\n${node.stderr}`;
    }
    if (!node.success || passed.length !== CHECKS.length) {
      return `Node passed ${passed.length} of ${CHECKS.length} checks\n${node.stderr}`;
    }

    await Deno.writeTextFile(`${scratch}/typed.ts`, TYPED);
    const tsc = await run("node", [
      `${out}/node_modules/typescript/bin/tsc`,
      ...["--noEmit", "--strict", "--target", "ES2022", "--types", "node"],
      ...["--module", "NodeNext", "--moduleResolution", "NodeNext", "--pretty", "false"],
      "typed.ts",
    ], scratch);
    if (!tsc.success) return `a TypeScript user's import does not type-check\n${tsc.output}`;
    console.log("  ok    types: a TypeScript user's imports check (tsc, strict, NodeNext)");
    return null;
  } finally {
    await Deno.remove(scratch, { recursive: true });
    await Deno.remove(tarball).catch(() => {});
  }
}

const problem = await main();
if (problem !== null) {
  console.error(`npm:install-check: ${problem.trimEnd()}`);
  Deno.exit(1);
}
say("all checks passed");
