/**
 * The active side of the broadcast pair: sends one `struct msg_st` to the
 * broadcast address ADDR:PORT with SO_BROADCAST. ADDR defaults to
 * 127.255.255.255, the loopback network's broadcast address, so that
 * nothing leaves this host unless asked.
 *
 *   deno run --allow-ffi examples/net/broadcast_snder.ts [--port P] [--to ADDR] [--name S] [--math N] [--chinese N]
 *   node npm/examples/net/broadcast_snder.js [--port P] [--to ADDR] [--name S] [--math N] [--chinese N]  # after deno task build:npm
 *
 * @module
 */

import { SocketAddress, UdpSocket } from "../../net/mod.ts";
import { DEFAULT_PORT, intFlag, main, MsgSt, parseArgs, scoreFlags } from "./proto.ts";

const usage = "broadcast_snder.ts [--port P] [--to ADDR] [--name S] [--math N] [--chinese N]";

await main(async () => {
  const { flags } = parseArgs(usage, ["port", "to", "name", "math", "chinese"]);
  const to = new SocketAddress({
    address: flags.to ?? "127.255.255.255",
    port: intFlag(usage, flags, "port", DEFAULT_PORT, 1, 65535),
    family: "ipv4",
  });
  using socket = new UdpSocket({ broadcast: true });
  await socket.sendTo(scoreFlags(usage, flags), to, { layout: MsgSt });
});
