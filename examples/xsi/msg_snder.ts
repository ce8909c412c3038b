/**
 * The active side of the message queue example: sends one record to the
 * queue of the key `ftok(KEYPATH, KEYPROJ)`, which `msg_rcver.ts` created.
 * Exits 1, saying so, when there is no such queue.
 *
 *   deno run --allow-ffi examples/xsi/msg_snder.ts [--key-path P] [--proj C] [--name S] [--math N] [--chinese N]
 *   node npm/examples/xsi/msg_snder.js [--key-path P] [--proj C] [--name S] [--math N] [--chinese N]  # after deno task build:npm
 *
 * Defaults: name Alan, random scores in [0, 100].
 *
 * Needs `--allow-ffi` (System V calls go through libc).
 *
 * @module
 */

import process from "node:process";
import { ErrnoError } from "../../ipc/mod.ts";
import { formatKey, ftok, MessageQueue } from "../../xsi/mod.ts";
import { integerOption, KEYPATH, KEYPROJ, MsgSt, MTYPE, option } from "./proto.ts";

const keyPath = option("--key-path", KEYPATH);
const proj = option("--proj", KEYPROJ);
const score = () => Math.floor(Math.random() * 101);
const record = {
  name: option("--name", "Alan"),
  math: integerOption("--math", score(), -(2 ** 31), 2 ** 31 - 1),
  chinese: integerOption("--chinese", score(), -(2 ** 31), 2 ** 31 - 1),
};

const key = ftok(keyPath, proj);
let queue: MessageQueue;
try {
  queue = MessageQueue.open(key);
} catch (error) {
  if (error instanceof ErrnoError && error.code === "ENOENT") {
    console.error(
      `msg_snder: no message queue has key ${
        formatKey(key)
      } (from ${keyPath}, '${proj}'): start msg_rcver first`,
    );
    process.exit(1);
  }
  throw error;
}
using _queue = queue;
queue.sendSync(MTYPE, record, { layout: MsgSt });
console.log(`msg_snder: sent ${JSON.stringify(record)} to message queue ${queue.id}`);
