/**
 * The passive side of the UDP pair: binds 0.0.0.0:PORT and prints one JSON
 * line per `struct msg_st` datagram received; stops after COUNT of them.
 *
 *   deno run --allow-ffi examples/net/udp_rcver.ts [--port P] [--count N]
 *   node npm/examples/net/udp_rcver.js [--port P] [--count N]  # after deno task build:npm
 *
 * It says on stderr where it listens once it is ready.
 *
 * @module
 */

import { UdpSocket } from "../../net/mod.ts";
import { DEFAULT_PORT, formatRecord, intFlag, main, MSG_MAX, MsgSt, parseArgs } from "./proto.ts";

const usage = "udp_rcver.ts [--port P] [--count N]";

await main(async () => {
  const { flags } = parseArgs(usage, ["port", "count"]);
  const port = intFlag(usage, flags, "port", DEFAULT_PORT, 0, 65535);
  const count = intFlag(usage, flags, "count", Infinity, 1, Number.MAX_SAFE_INTEGER);
  using socket = UdpSocket.bind({ address: "0.0.0.0", port });
  console.error(`udp_rcver: listening on ${socket.localAddress}`);
  for (let i = 0; i < count; i++) {
    const { data, from } = await socket.receiveFrom({ layout: MsgSt, maxSize: MSG_MAX });
    console.log(formatRecord(from, data));
  }
});
