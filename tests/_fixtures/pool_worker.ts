/**
 * A pool worker for the tests: serves the Unix time and `\r\n`, after
 * waiting the number of milliseconds given as its third argument (0 by
 * default), so that tests can keep workers busy.
 *
 * @module
 */

import { runPoolWorker } from "../../net/mod.ts";

const delay = Number(Deno.args[2] ?? "0");
const encoder = new TextEncoder();
await runPoolWorker(async (connection) => {
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  await connection.write(encoder.encode(`${Math.floor(Date.now() / 1000)}\r\n`));
});
