/**
 * The TCP time server: listens on 0.0.0.0:PORT and, for every connection,
 * sends the current Unix time in seconds followed by `\r\n`, then closes
 * it. Runs until interrupted (SIGINT or SIGTERM).
 *
 *   deno run --allow-ffi examples/net/tcp_server.ts [--port P]
 *   node npm/examples/net/tcp_server.js [--port P]  # after deno task build:npm
 *
 * Try it with `nc 127.0.0.1 1989`.
 *
 * @module
 */

import process from "node:process";
import { TcpListener } from "../../net/mod.ts";
import { DEFAULT_PORT, intFlag, main, parseArgs } from "./proto.ts";

const usage = "tcp_server.ts [--port P]";

await main(async () => {
  const { flags } = parseArgs(usage, ["port"]);
  const port = intFlag(usage, flags, "port", DEFAULT_PORT, 0, 65535);
  using listener = TcpListener.listen({ address: "0.0.0.0", port });
  const stop = () => listener.close();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.error(`tcp_server: listening on ${listener.localAddress}`);
  const encoder = new TextEncoder();
  for await (using connection of listener) {
    try {
      await connection.write(encoder.encode(`${Math.floor(Date.now() / 1000)}\r\n`), {
        timeout: 5000,
      });
    } catch (error) {
      console.error(`tcp_server: ${connection.remoteAddress}: ${(error as Error).message}`);
    }
  }
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
});
