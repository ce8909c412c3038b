/**
 * What the System V examples share: the classic record, its message type,
 * the key's path and project id, and a small reader of `--name value`
 * options.
 *
 * The record is C's
 * `struct msg_st { long mtype; char name[32]; int math; int chinese; }`,
 * laid out natively (48 bytes on x86_64 and aarch64, 40 of them message
 * text), so that a C program with the same struct reads what the examples
 * send, byte for byte.
 *
 * @module
 */

import process from "node:process";
import { chars, cLong, i32, struct } from "../../endian/mod.ts";

/** `struct msg_st { long mtype; char name[32]; int math; int chinese; }`. */
export const MsgSt = struct([
  ["mtype", cLong],
  ["name", chars(32)],
  ["math", i32],
  ["chinese", i32],
], { name: "struct msg_st" });

/** The message type of the records. */
export const MTYPE = 1;
/** The file the key is made from (`ftok(KEYPATH, KEYPROJ)`). */
export const KEYPATH = "/etc/services";
/** The project id of the key. */
export const KEYPROJ = "g";

/**
 * The value of `--name value` or `--name=value` in the arguments, or
 * `fallback`.
 */
export function option(name: string, fallback: string): string;
export function option(name: string): string | undefined;
export function option(name: string, fallback?: string): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1] ?? fallback;
    if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
  }
  return fallback;
}

/** `--name N` as an integer in `[min, max]`; exits with a message when it is not one. */
export function integerOption(name: string, fallback: number, min: number, max: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer in [${min}, ${max}]: got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}
