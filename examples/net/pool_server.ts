/**
 * The dynamic process pool: a pre-forked TCP time server whose workers
 * grow and shrink with load. Each connection gets the current Unix time in
 * seconds followed by `\r\n`. Whenever the scoreboard changes, it prints it
 * as one line, a character per slot: `.` idle, `x` busy, `-` free.
 *
 *   deno run --allow-ffi examples/net/pool_server.ts [--port P]
 *     [--min-spare 5] [--max-spare 10] [--max-clients 20]
 *   node npm/examples/net/pool_server.js [--port P] ...  # after deno task build:npm
 *
 * This one module is both the parent and its workers (the workers run it
 * with the pool's role). SIGINT or SIGTERM stops it: busy workers finish
 * their connection first. Load it with the seed's client loop:
 *
 *   while true; do (deno run --allow-ffi examples/net/tcp_client.ts 127.0.0.1 &); sleep 1; done
 *
 * @module
 */

import { isPoolWorker, ProcessPool, runPoolWorker } from "../../net/mod.ts";
import { DEFAULT_PORT, intFlag, main, parseArgs } from "./proto.ts";

const usage = "pool_server.ts [--port P] [--min-spare 5] [--max-spare 10] [--max-clients 20]";

if (isPoolWorker()) {
  const encoder = new TextEncoder();
  await runPoolWorker(async (connection) => {
    await connection.write(encoder.encode(`${Math.floor(Date.now() / 1000)}\r\n`), {
      timeout: 5000,
    });
  });
} else {
  await main(async () => {
    const { flags } = parseArgs(usage, ["port", "min-spare", "max-spare", "max-clients"]);
    const pool = ProcessPool.start(import.meta.url, {
      address: { address: "0.0.0.0", port: intFlag(usage, flags, "port", DEFAULT_PORT, 0, 65535) },
      minSpare: intFlag(usage, flags, "min-spare", 5, 0, 10_000),
      maxSpare: intFlag(usage, flags, "max-spare", 10, 1, 10_000),
      maxClients: intFlag(usage, flags, "max-clients", 20, 1, 10_000),
      onChange: (board) => console.log(board.line),
      onWorkerDied: (slot, pid, how) =>
        console.error(`pool_server: worker ${pid} (slot ${slot}) ${how}`),
    });
    console.error(`pool_server: listening on ${pool.address}`);
    await pool.stopped;
    console.error("pool_server: stopped");
  });
}
