/**
 * Records in messages: how a layout of `endian/` maps to the `struct
 * msgbuf` that msgsnd and msgrcv take.
 *
 * A layout whose first field is `mtype`, a C `long`, is the whole C struct
 * (`struct msg_st { long mtype; char name[32]; int math; int chinese; }`):
 * the message text is the rest, `sizeof(struct) - sizeof(long)` bytes, as C
 * programs send it. Any other layout is the message text alone.
 *
 * @module
 */

import { hostAbi } from "../endian/abi.ts";
import { describeValue } from "../endian/integers.ts";
import { Layout } from "../endian/layout.ts";
import { checkOptions } from "../ipc/_checks.ts";

/** How to put records of one layout into messages and take them out. */
export interface MessageCodec<V> {
  readonly layout: Layout<V>;
  /** True when the layout is the whole struct, `long mtype` first. */
  readonly whole: boolean;
  /** Bytes of message text in the layout's fixed part. */
  readonly textSize: number;
  /** True when the layout ends with a flexible array member. */
  readonly flexible: boolean;
}

const codecs = new WeakMap<Layout<unknown>, MessageCodec<unknown>>();

/** The codec of a layout given as `options.layout`. */
export function messageCodec<V>(layout: unknown): MessageCodec<V> {
  if (!(layout instanceof Layout)) {
    throw new TypeError(
      `options.layout must be a Layout (from struct() or packed()): got ${describeValue(layout)}`,
    );
  }
  let codec = codecs.get(layout) as MessageCodec<V> | undefined;
  if (codec) return codec;
  const first = layout.fields[0]!;
  const whole = first.name === "mtype" && !first.reserved && !first.flexible;
  if (whole) {
    if (first.offset !== 0 || first.size !== 8 || first.type !== "long") {
      throw new TypeError(
        `The mtype field of ${layout.name} must be a C long (cLong) at offset 0, as the kernel reads it: got ${first.type} at offset ${first.offset}`,
      );
    }
    if (layout.byteOrder !== hostAbi?.byteOrder) {
      throw new TypeError(
        `${layout.name} must be in the host's byte order: the kernel reads mtype natively`,
      );
    }
  }
  codec = {
    layout,
    whole,
    textSize: whole ? layout.size - 8 : layout.size,
    flexible: layout.fields.some((f) => f.flexible),
  };
  codecs.set(layout, codec);
  return codec as MessageCodec<V>;
}

/**
 * Encodes a record as message text, or (for a whole-struct layout) as the
 * whole `struct msgbuf` with `mtype` set to `type`.
 */
export function encodeRecord<V>(codec: MessageCodec<V>, type: number, record: unknown): Uint8Array {
  if (!codec.whole) return codec.layout.encode(record as V);
  const value = checkOptions(record as Record<string, unknown>, "record");
  if (value.mtype !== undefined && value.mtype !== type) {
    throw new RangeError(
      `The record's mtype (${
        describeValue(value.mtype)
      }) differs from the type it is sent with (${type}): leave mtype out, or make them equal`,
    );
  }
  return codec.layout.encode({ ...value, mtype: type } as V);
}

/**
 * Decodes a received message: `buffer` holds the `long mtype` then `size`
 * bytes of text.
 *
 * @throws {RangeError} If the text is shorter than the layout's fixed part.
 */
export function decodeRecord<V>(
  codec: MessageCodec<V>,
  buffer: Uint8Array,
  size: number,
  what: string,
): V {
  if (size < codec.textSize) {
    throw new RangeError(
      `Cannot decode ${what} as ${codec.layout.name}: it has ${size} bytes of text, but the layout needs ${codec.textSize}`,
    );
  }
  return codec.whole
    ? codec.layout.decode(buffer.subarray(0, 8 + size))
    : codec.layout.decode(buffer.subarray(8, 8 + size));
}
