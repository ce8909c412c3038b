/**
 * The UDP record shared by the net examples, as the classic C programs
 * declare it:
 *
 * ```c
 * #define DEFAULT_PORT 1989
 * #define MSG_MAX 512
 * struct msg_st {
 *   uint32_t math;     // network byte order
 *   uint32_t chinese;  // network byte order
 *   uint8_t name[];    // NUL-terminated
 * } __attribute__((packed));
 * ```
 *
 * and the small command-line helpers the examples share.
 *
 * @module
 */

import process from "node:process";
import { parseArgs as parseNodeArgs } from "node:util";
import { flexibleChars, packed, u32 } from "../../endian/mod.ts";
import type { SocketAddress } from "../../net/mod.ts";

/** The port the examples use unless told otherwise. */
export const DEFAULT_PORT = 1989;
/** The largest datagram of the protocol, in bytes. */
export const MSG_MAX = 512;

/** `struct msg_st`: packed, in network byte order, the name NUL-terminated; at most 512 bytes. */
export const MsgSt = packed([
  ["math", u32],
  ["chinese", u32],
  ["name", flexibleChars({ maxBytes: MSG_MAX - 8 - 1 })],
], { name: "struct msg_st" });

/** A record of the protocol. */
export interface Score {
  /** The student's name (at most 503 bytes of UTF-8). */
  name: string;
  /** Math score. */
  math: number;
  /** Chinese score. */
  chinese: number;
}

/** The JSON line a receiver prints for a record. */
export function formatRecord(from: SocketAddress, record: Score): string {
  return JSON.stringify({
    from: String(from),
    name: record.name,
    math: record.math,
    chinese: record.chinese,
  });
}

/** Parsed command line: flags by name, and the positional arguments. */
export interface Args {
  /** Flag values, as given (strings), or undefined. */
  readonly flags: Record<string, string | undefined>;
  /** Positional arguments. */
  readonly positionals: string[];
}

/**
 * Parses `--flag value` arguments; prints the usage and exits 2 on anything
 * unknown or missing.
 */
export function parseArgs(usage: string, flags: readonly string[], positionals = 0): Args {
  try {
    const { values, positionals: rest } = parseNodeArgs({
      args: process.argv.slice(2),
      options: Object.fromEntries(flags.map((f) => [f, { type: "string" as const }])),
      allowPositionals: true,
      strict: true,
    });
    if (rest.length !== positionals) {
      throw new Error(
        positionals === 0
          ? `unexpected argument ${JSON.stringify(rest[0])}`
          : `expected ${positionals} argument(s), got ${rest.length}`,
      );
    }
    return { flags: values as Record<string, string | undefined>, positionals: rest };
  } catch (error) {
    usageError(usage, (error as Error).message);
  }
}

/** Prints an error and the usage on stderr, and exits with status 2. */
export function usageError(usage: string, message: string): never {
  console.error(`error: ${message}\nusage: ${usage}`);
  process.exit(2);
}

/** An integer flag in [min, max], or its default. */
export function intFlag(
  usage: string,
  flags: Args["flags"],
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const value = /^-?[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    usageError(
      usage,
      `--${name} must be an integer in [${min}, ${max}]: got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** The record a sender sends, from `--name`, `--math` and `--chinese`. */
export function scoreFlags(usage: string, flags: Args["flags"]): Score {
  return {
    name: flags.name ?? "Alan",
    math: intFlag(usage, flags, "math", 90, 0, 0xffffffff),
    chinese: intFlag(usage, flags, "chinese", 85, 0, 0xffffffff),
  };
}

/** Runs an example's main function: a failure prints its message and exits 1. */
export async function main(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
