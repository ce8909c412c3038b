/**
 * The examples of `endian/`: `examples/endian/byte_order.ts`, run with no
 * permission at all, and its output checked against what C would lay out.
 *
 * @module
 */

import type { Scenario } from "./_harness.ts";

export default async function endian(t: Scenario): Promise<void> {
  await t.example(
    "byte_order.ts runs with no permission and shows the three concerns",
    async () => {
      const result = await t.run(t.program(["--no-prompt"], "examples/endian/byte_order.ts"));
      t.expectExit(result, 0);
      t.expectExcludes(result.stderr, /permission|NotCapable/i);
      const out = result.stdout;
      // 1. the host's byte order (every supported host is little-endian)
      t.expectIncludes(out, /^Host byte order: little-endian \(linux-(x86_64|aarch64)\)$/m);
      // 2. a uint16 and a uint32, host and network order
      t.expectIncludes(
        out,
        "uint16 1989 (0x07c5)",
        /host order: +c5 07\n/,
        /network order: +07 c5 +htons\(1989\) = 0xc507/,
        /host order: +01 00 00 7f\n/,
        /network order: +7f 00 00 01 +htonl\(0x7f000001\) = 0x0100007f/,
      );
      // 3. the record natively (12 bytes with padding) and packed (7 bytes, big-endian)
      t.expectIncludes(
        out,
        "native: 01 00 00 00 5a 00 00 00 55 00 00 00  (12 bytes, aligned to 4)",
        "packed: 01 00 00 00 5a 00 55  (7 bytes, big-endian)",
        /^ +1 +00 +padding +00 +math byte 0$/m,
        /^ +4 +5a +math byte 0 +5a +math byte 3$/m,
        /^ +11 +00 +padding$/m,
        "5 bytes of padding",
      );
    },
  );
}
