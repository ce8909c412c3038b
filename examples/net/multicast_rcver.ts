/**
 * The passive side of the multicast pair: binds 0.0.0.0:PORT, joins GROUP
 * on the interface whose address is IFACE, and prints one JSON line per
 * `struct msg_st` received; stops after COUNT of them, then leaves the
 * group. GROUP defaults to 224.2.2.2 and IFACE to 127.0.0.1 (loopback:
 * nothing leaves this host unless asked).
 *
 *   deno run --allow-ffi examples/net/multicast_rcver.ts [--port P] [--count N] [--group G] [--iface ADDR]
 *   node npm/examples/net/multicast_rcver.js [--port P] [--count N] [--group G] [--iface ADDR]  # after deno task build:npm
 *
 * @module
 */

import { UdpSocket } from "../../net/mod.ts";
import { DEFAULT_PORT, formatRecord, intFlag, main, MSG_MAX, MsgSt, parseArgs } from "./proto.ts";

const usage = "multicast_rcver.ts [--port P] [--count N] [--group G] [--iface ADDR]";

await main(async () => {
  const { flags } = parseArgs(usage, ["port", "count", "group", "iface"]);
  const port = intFlag(usage, flags, "port", DEFAULT_PORT, 0, 65535);
  const count = intFlag(usage, flags, "count", Infinity, 1, Number.MAX_SAFE_INTEGER);
  const group = flags.group ?? "224.2.2.2";
  const iface = flags.iface ?? "127.0.0.1";
  using socket = UdpSocket.bind({ address: "0.0.0.0", port }, { reuseAddress: true });
  socket.joinGroup(group, { interface: iface });
  console.error(`multicast_rcver: listening on ${socket.localAddress}, group ${group} on ${iface}`);
  for (let i = 0; i < count; i++) {
    const { data, from } = await socket.receiveFrom({ layout: MsgSt, maxSize: MSG_MAX });
    console.log(formatRecord(from, data));
  }
  socket.leaveGroup(group, { interface: iface });
});
