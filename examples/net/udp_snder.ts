/**
 * The active side of the UDP pair: sends one `struct msg_st` to HOST:PORT.
 *
 *   deno run --allow-ffi examples/net/udp_snder.ts <host> [--port P] [--name S] [--math N] [--chinese N]
 *   node npm/examples/net/udp_snder.js <host> [--port P] [--name S] [--math N] [--chinese N]  # after deno task build:npm
 *
 * HOST is a numeric IPv4 or IPv6 address (`127.0.0.1`, `::1`).
 *
 * @module
 */

import { addressFamily, SocketAddress, UdpSocket } from "../../net/mod.ts";
import { DEFAULT_PORT, intFlag, main, MsgSt, parseArgs, scoreFlags, usageError } from "./proto.ts";

const usage = "udp_snder.ts <host> [--port P] [--name S] [--math N] [--chinese N]";

await main(async () => {
  const { flags, positionals } = parseArgs(usage, ["port", "name", "math", "chinese"], 1);
  const host = positionals[0]!;
  const family = addressFamily(host);
  if (!family) {
    usageError(usage, `host must be a numeric IPv4 or IPv6 address: got ${JSON.stringify(host)}`);
  }
  const to = new SocketAddress({
    address: host,
    port: intFlag(usage, flags, "port", DEFAULT_PORT, 1, 65535),
  });
  using socket = new UdpSocket({ family });
  await socket.sendTo(scoreFlags(usage, flags), to, { layout: MsgSt });
});
