/**
 * The message-queue loops that the benchmarks time, written once for both
 * runtimes: Deno imports this file, and `node.ts` compiles it for Node
 * (type-only imports, no `Deno` namespace, no `node:` module), so that a
 * Node/Deno ratio compares the same code. Each loop gets what it calls (a
 * queue, libc symbols) from its caller, which imports them from its own
 * build of the library.
 *
 * @module
 */

import type { MessageQueue } from "../../xsi/mod.ts";

/** `msgsnd` and `msgrcv` as the library's `libc()` has them: bigint sizes and results. */
export interface LibcPairSymbols {
  msgsnd(id: number, buffer: Uint8Array, size: bigint, flags: number): number;
  msgrcv(id: number, buffer: Uint8Array, size: bigint, type: bigint, flags: number): bigint;
}

/** The library's `lastError`: the error of the call that just failed. */
export type LastError = (syscall: string, context: { action: string }) => Error;

/** The arguments of an in-process pair loop. */
export interface PairLoop {
  /** The queue's id. */
  queue: number;
  /** The message to send: an 8-byte type (1), then the text. */
  out: Uint8Array;
  /** Where to receive it: as long as `out`. */
  into: Uint8Array;
  /** How many pairs. */
  pairs: number;
}

/**
 * Sends `out` and receives it back, `pairs` times, through the library's
 * call path: bigint sizes, the `-1` check and `lastError` (as `core.ts`
 * measures it).
 */
export function libcPairs(
  { msgsnd, msgrcv }: LibcPairSymbols,
  lastError: LastError,
  { queue, out, into, pairs }: PairLoop,
): void {
  const size = BigInt(out.length - 8);
  for (let i = 0; i < pairs; i++) {
    if (msgsnd(queue, out, size, 0) === -1) {
      throw lastError("msgsnd", { action: `send to message queue ${queue}` });
    }
    if (msgrcv(queue, into, size, 0n, 0) === -1n) {
      throw lastError("msgrcv", { action: `receive from message queue ${queue}` });
    }
  }
}

/**
 * `msgsnd` and `msgrcv` as a raw binding has them: `Deno.dlopen` wants
 * bigints for the 64-bit parameters and gives the result of `msgrcv` as a
 * bigint; koffi takes and gives numbers.
 */
export interface RawPairSymbols<Wide extends number | bigint> {
  msgsnd(id: number, buffer: Uint8Array, size: Wide, flags: number): number;
  msgrcv(id: number, buffer: Uint8Array, size: Wide, type: Wide, flags: number): number | bigint;
}

/**
 * The same pairs on a raw binding, with no errno: the floor of the runtime's
 * FFI. `zero` is the runtime's 0 for a 64-bit parameter (`0n` or `0`).
 */
export function rawPairs<Wide extends number | bigint>(
  { msgsnd, msgrcv }: RawPairSymbols<Wide>,
  zero: Wide,
  { queue, out, into, pairs }: PairLoop,
): void {
  const size = (typeof zero === "bigint" ? BigInt(out.length - 8) : out.length - 8) as Wide;
  for (let i = 0; i < pairs; i++) {
    if (msgsnd(queue, out, size, 0) < 0) throw new Error("msgsnd failed");
    if (msgrcv(queue, into, size, zero, 0) < 0) throw new Error("msgrcv failed");
  }
}

/** One side of a ping-pong over one queue. */
export interface PingPong {
  queue: MessageQueue;
  server: boolean;
  /** Round trips to time, after `warm` of warm-up. */
  n: number;
  warm: number;
  /** The text the client sends (the server answers with what it got). */
  data: Uint8Array;
  /** Receive into one buffer (options.into), or a new Uint8Array per message (undefined). */
  into?: Uint8Array;
  /** The async forms' spin: undefined (adaptive) or a number of microseconds. */
  spin?: number;
}

/**
 * A ping-pong side written with the sync forms: the client sends type 1,
 * the server answers with type 2 (type 3 first: the server is ready).
 *
 * @returns The client's ns per round trip; undefined for the server.
 */
export function pingPongSync(
  { queue, server, n, warm, data, into }: PingPong,
): number | undefined {
  const [one, two, three] = [1, 2, 3].map((type) => ({ type, maxSize: data.length, into }));
  if (server) {
    queue.sendSync(3, data);
    for (let i = 0; i < warm + n; i++) queue.sendSync(2, queue.receiveSync(one!).data);
    return undefined;
  }
  queue.receiveSync(three!);
  for (let i = 0; i < warm; i++) {
    queue.sendSync(1, data);
    queue.receiveSync(two!);
  }
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    queue.sendSync(1, data);
    queue.receiveSync(two!);
  }
  return ((performance.now() - t0) * 1e6) / n;
}

/**
 * The same ping-pong with the async forms, as a program that must not
 * block its event loop would write it.
 *
 * @returns The client's ns per round trip; undefined for the server.
 */
export async function pingPongAsync(
  { queue, server, n, warm, data, into, spin }: PingPong,
): Promise<number | undefined> {
  const [one, two, three] = [1, 2, 3].map((type) => ({
    type,
    maxSize: data.length,
    into,
    spin,
  }));
  const sendOptions = { spin };
  if (server) {
    await queue.send(3, data, sendOptions);
    for (let i = 0; i < warm + n; i++) {
      await queue.send(2, (await queue.receive(one!)).data, sendOptions);
    }
    return undefined;
  }
  await queue.receive(three!);
  for (let i = 0; i < warm; i++) {
    await queue.send(1, data, sendOptions);
    await queue.receive(two!);
  }
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await queue.send(1, data, sendOptions);
    await queue.receive(two!);
  }
  return ((performance.now() - t0) * 1e6) / n;
}
