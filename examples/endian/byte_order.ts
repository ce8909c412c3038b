/**
 * Byte order at a glance: the three things that change when data crosses to
 * another host or another program.
 *
 * 1. The host's byte order.
 * 2. A uint16 and a uint32 in host order and in network order, as bytes.
 * 3. One record laid out natively (C alignment, with its padding) and the
 *    same record packed for the wire (no padding, big-endian), byte by byte.
 *
 *   deno run examples/endian/byte_order.ts
 *   node npm/examples/endian/byte_order.js  # after deno task build:npm
 *
 * Needs no permission at all: `endian/` is pure TypeScript.
 *
 * @module
 */

import {
  hostByteOrder,
  htonl,
  htons,
  type Layout,
  packed,
  requireHostAbi,
  struct,
  u16,
  u32,
  u8,
} from "../../endian/mod.ts";

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, "0")}`;
const showBytes = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

/** The bytes of a uint16 or uint32 as this host keeps it in memory. */
function inMemory(value: number, size: 2 | 4): Uint8Array {
  const array = size === 2 ? new Uint16Array([value]) : new Uint32Array([value]);
  return new Uint8Array(array.buffer);
}

// ---- 1. the host -----------------------------------------------------------
const abi = requireHostAbi();
console.log(`Host byte order: ${hostByteOrder}-endian (${abi.name})`);
console.log(`Network byte order: big-endian`);
console.log();

// ---- 2. integers -----------------------------------------------------------
const port = 1989;
console.log(`uint16 ${port} (${hex(port, 4)})`);
console.log(`  host order:    ${showBytes(inMemory(port, 2))}`);
console.log(
  `  network order: ${showBytes(inMemory(htons(port), 2))}   htons(${port}) = ${
    hex(htons(port), 4)
  }`,
);
const address = 0x7f000001; // 127.0.0.1
console.log(`uint32 ${address} (${hex(address, 8)}, 127.0.0.1)`);
console.log(`  host order:    ${showBytes(inMemory(address, 4))}`);
console.log(
  `  network order: ${showBytes(inMemory(htonl(address), 4))}   htonl(${hex(address, 8)}) = ${
    hex(htonl(address), 8)
  }`,
);
console.log();

// ---- 3. one record, native and packed ---------------------------------------
// struct score { uint8_t kind; uint32_t math; uint16_t chinese; };
const fields = [["kind", u8], ["math", u32], ["chinese", u16]] as const;
const Native = struct(fields, { name: "struct score" });
const Wire = packed(fields, { name: "struct score (packed, big-endian)" });
const record = { kind: 1, math: 90, chinese: 85 };

/** What byte `offset` of a layout holds: a field's byte, or padding. */
function meaning(layout: Layout<typeof record>, offset: number): string {
  const field = layout.fields.find((f) => offset >= f.offset && offset < f.offset + f.size);
  if (!field) return offset < layout.size ? "padding" : "";
  return field.size === 1 ? field.name : `${field.name} byte ${offset - field.offset}`;
}

const native = Native.encode(record);
const wire = Wire.encode(record);
console.log(`record ${JSON.stringify(record)}`);
console.log(`  native: ${showBytes(native)}  (${Native.size} bytes, aligned to ${Native.align})`);
console.log(`  packed: ${showBytes(wire)}  (${Wire.size} bytes, big-endian)`);
console.log();
const column = 24;
console.log(`offset  ${"native (host order)".padEnd(column)}packed (network order)`);
for (let offset = 0; offset < Math.max(native.length, wire.length); offset++) {
  const cell = (bytes: Uint8Array, layout: Layout<typeof record>): string =>
    offset < bytes.length
      ? `${bytes[offset]!.toString(16).padStart(2, "0")}  ${meaning(layout, offset)}`
      : "";
  console.log(
    `${String(offset).padStart(6)}  ${cell(native, Native).padEnd(column)}${cell(wire, Wire)}`
      .trimEnd(),
  );
}
console.log();
const padding = Native.size - fields.reduce((sum, [, type]) => sum + type.size, 0);
console.log(
  `The native layout has ${padding} bytes of padding and ${hostByteOrder}-endian fields; ` +
    `the packed one has none and big-endian fields.`,
);
