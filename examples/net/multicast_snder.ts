/**
 * The active side of the multicast pair: sends one `struct msg_st` to
 * GROUP:PORT out of the interface whose address is IFACE, with multicast
 * loop on (so that receivers on this host get it) and a TTL of 1. GROUP
 * defaults to 224.2.2.2 and IFACE to 127.0.0.1.
 *
 *   deno run --allow-ffi examples/net/multicast_snder.ts [--port P] [--group G] [--iface ADDR] [--name S] [--math N] [--chinese N]
 *   node npm/examples/net/multicast_snder.js [--port P] [--group G] [--iface ADDR] [--name S] [--math N] [--chinese N]  # after deno task build:npm
 *
 * @module
 */

import { SocketAddress, UdpSocket } from "../../net/mod.ts";
import { DEFAULT_PORT, intFlag, main, MsgSt, parseArgs, scoreFlags } from "./proto.ts";

const usage =
  "multicast_snder.ts [--port P] [--group G] [--iface ADDR] [--name S] [--math N] [--chinese N]";

await main(async () => {
  const { flags } = parseArgs(usage, ["port", "group", "iface", "name", "math", "chinese"]);
  const to = new SocketAddress({
    address: flags.group ?? "224.2.2.2",
    port: intFlag(usage, flags, "port", DEFAULT_PORT, 1, 65535),
    family: "ipv4",
  });
  using socket = new UdpSocket({
    multicastInterface: flags.iface ?? "127.0.0.1",
    multicastLoop: true,
    multicastTtl: 1,
  });
  await socket.sendTo(scoreFlags(usage, flags), to, { layout: MsgSt });
});
