/**
 * The control calls the three System V object kinds share: reading the
 * status (`IPC_STAT`), changing owner and mode (`IPC_SET`), removing
 * (`IPC_RMID`), reading the system's limits (`IPC_INFO`), through `msgctl`,
 * `semctl` or `shmctl`, and the context of their errors.
 *
 * @module
 */

import type { Layout } from "../endian/layout.ts";
import { type CallContext, lastError } from "../ipc/_libc.ts";
import { IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT } from "./constants.ts";
import { formatKey } from "./key.ts";

/** One kind of System V object, as its control call and its error messages see it. */
export interface ObjectKind<Ds> {
  /** What messages call one: `message queue`. */
  readonly noun: string;
  /** The control call, for errors: `msgctl`. */
  readonly syscall: "msgctl" | "semctl" | "shmctl";
  /** Domain words for the codes any call on an object of the kind may give. */
  readonly reasons: Readonly<Record<string, string>>;
  /** The layout of its `struct xxxid_ds`. */
  layout(): Layout<Ds>;
  /** The control call with a buffer: `msgctl(id, command, buffer)`. */
  control(id: number, command: number, buffer: Uint8Array | null): number;
}

/** The action of an `xxxget` call: `create message queue with key 0x0000002a`. */
export function keyAction(kind: ObjectKind<unknown>, verb: string, key: number): string {
  return `${verb} ${kind.noun} with key ${formatKey(key)}`;
}

/** The context of a failed call on object `id`: `action` is the verb (`read the status of`). */
export function objectContext(
  kind: ObjectKind<unknown>,
  id: number,
  action: string,
  details: Record<string, unknown> = {},
): CallContext {
  return {
    action: `${action} ${kind.noun} ${id}`,
    details: { id, ...details },
    reasons: kind.reasons,
  };
}

/** Reads the status of object `id` (`IPC_STAT`). */
export function readStatus<Ds>(kind: ObjectKind<Ds>, id: number): Ds {
  const layout = kind.layout();
  const buffer = new Uint8Array(layout.size);
  if (kind.control(id, IPC_STAT, buffer) === -1) {
    throw lastError(kind.syscall, objectContext(kind, id, "read the status of"));
  }
  return layout.decode(buffer);
}

/** Writes a status read by {@linkcode readStatus} and changed (`IPC_SET`); `changes` are for the error. */
export function writeStatus<Ds>(kind: ObjectKind<Ds>, id: number, ds: Ds, changes: unknown): void {
  if (kind.control(id, IPC_SET, kind.layout().encode(ds)) === -1) {
    throw lastError(kind.syscall, objectContext(kind, id, "change", { changes }));
  }
}

/** Removes object `id` from the system (`IPC_RMID`). */
export function removeObject(kind: ObjectKind<unknown>, id: number): void {
  if (kind.control(id, IPC_RMID, null) === -1) {
    throw lastError(kind.syscall, objectContext(kind, id, "remove"));
  }
}

/**
 * Reads the system's limits of a kind (`IPC_INFO`) as its `struct xxxinfo`.
 *
 * @param what The limits' name in the error: `message queue`.
 */
export function readLimits<Info>(
  kind: ObjectKind<unknown>,
  layout: Layout<Info>,
  what: string,
): Info {
  // The kernel writes a `struct xxxinfo` through the `struct xxxid_ds *` argument: room for both.
  const buffer = new Uint8Array(Math.max(layout.size, kind.layout().size));
  if (kind.control(0, IPC_INFO, buffer) === -1) {
    throw lastError(kind.syscall, { action: `read the ${what} limits` });
  }
  return layout.decode(buffer);
}
