/**
 * BSD sockets from TypeScript: addresses (`inet_pton`, `inet_ntop`,
 * `host:port`), every socket option with its C type, UDP with broadcast and
 * multicast, and TCP listeners and connections. Sync forms block the thread
 * (for scripts and workers); async forms never block the event loop and
 * hold no thread while they wait.
 *
 * Needs `--allow-ffi`, which grants full access to the process.
 *
 * @example
 * ```ts
 * import { UdpSocket } from "@unixipc/unixipc/net";
 * import assert from "node:assert/strict";
 *
 * using receiver = UdpSocket.bind("127.0.0.1:0");
 * using sender = new UdpSocket();
 * sender.sendToSync(new Uint8Array([1, 2, 3]), receiver.localAddress);
 * const { data, from } = receiver.receiveFromSync({ timeout: 5000 });
 * assert.deepEqual(data, new Uint8Array([1, 2, 3]));
 * assert.equal(from.address, "127.0.0.1");
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./address.ts";
export * from "./inet.ts";
export * from "./interfaces.ts";
export * from "./socket_options.ts";
export * from "./udp_socket_types.ts";
export * from "./udp_socket.ts";
export * from "./tcp_types.ts";
export * from "./tcp_listener.ts";
export * from "./tcp_connection.ts";
export * from "./process_pool_types.ts";
export * from "./process_pool.ts";
export * from "./pool_worker.ts";
