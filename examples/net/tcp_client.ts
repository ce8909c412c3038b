/**
 * The TCP time client: connects to HOST:PORT, reads the line the time
 * server sends, and prints it (without its `\r\n`).
 *
 *   deno run --allow-ffi examples/net/tcp_client.ts <host> [--port P]
 *   node npm/examples/net/tcp_client.js <host> [--port P]  # after deno task build:npm
 *
 * HOST is a numeric IPv4 or IPv6 address.
 *
 * @module
 */

import { addressFamily, SocketAddress, TcpConnection } from "../../net/mod.ts";
import { DEFAULT_PORT, intFlag, main, parseArgs, usageError } from "./proto.ts";

const usage = "tcp_client.ts <host> [--port P]";

await main(async () => {
  const { flags, positionals } = parseArgs(usage, ["port"], 1);
  const host = positionals[0]!;
  if (!addressFamily(host)) {
    usageError(usage, `host must be a numeric IPv4 or IPv6 address: got ${JSON.stringify(host)}`);
  }
  const to = new SocketAddress({
    address: host,
    port: intFlag(usage, flags, "port", DEFAULT_PORT, 1, 65535),
  });
  using connection = await TcpConnection.connect(to, { timeout: 10_000 });
  const text = await new Response(connection.readable).text();
  console.log(text.replace(/\r?\n$/, ""));
});
