import assert from "node:assert/strict";
import { addressFamily, inetNtop, inetPton, interfaceIndex, SocketAddress } from "../../net/mod.ts";
import { compileC, peers, run, test } from "../_util.ts";

test("inetPton() and inetNtop() convert IPv4 and IPv6 both ways, as libc does", () => {
  assert.deepEqual(inetPton("ipv4", "192.0.2.33"), new Uint8Array([192, 0, 2, 33]));
  assert.deepEqual(inetPton(2, "0.0.0.0"), new Uint8Array(4));
  const v6 = inetPton("ipv6", "2001:db8::ff00:42:8329");
  assert.deepEqual(
    v6,
    new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]),
  );
  assert.equal(inetNtop("ipv6", v6), "2001:db8::ff00:42:8329");
  assert.equal(inetNtop(10, inetPton(10, "0:0:0:0:0:0:0:1")), "::1");
  assert.equal(inetNtop("ipv6", inetPton("ipv6", "::ffff:10.1.2.3")), "::ffff:10.1.2.3");
  assert.equal(inetNtop("ipv4", new Uint8Array([255, 255, 255, 255])), "255.255.255.255");
});

test("inetPton() rejects what is not a numeric address of the family, naming it", () => {
  for (
    const bad of [
      "256.0.0.1",
      "1.2.3",
      "1.2.3.4.5",
      "01.2.3.4",
      " 1.2.3.4",
      "localhost",
      "",
      "::1",
      "1.2.3.4\0",
    ]
  ) {
    assert.throws(
      () => inetPton("ipv4", bad),
      (e: Error) => e instanceof RangeError && e.message.includes("IPv4"),
      bad,
    );
  }
  for (const bad of ["1.2.3.4", ":::1", "2001:db8::g", "fe80::1%lo", "[::1]"]) {
    assert.throws(() => inetPton("ipv6", bad), RangeError, bad);
  }
  assert.throws(() => inetPton("ipv5" as "ipv4", "1.2.3.4"), /ipv4.*ipv6/);
  assert.throws(() => inetPton(3, "1.2.3.4"), RangeError);
  assert.throws(() => inetPton("ipv4", 16909060 as unknown as string), TypeError);
  assert.throws(() => inetNtop("ipv4", new Uint8Array(16)), /4 bytes/);
  assert.throws(() => inetNtop("ipv6", new Uint8Array(4)), /16 bytes/);
  assert.throws(() => inetNtop("ipv4", [1, 2, 3, 4] as unknown as Uint8Array), TypeError);
});

test("SocketAddress.parse() reads host:port, [v6]:port, zones and default ports", () => {
  const a = SocketAddress.parse("127.0.0.1:1989");
  assert.deepEqual(a.toJSON(), { family: "ipv4", address: "127.0.0.1", port: 1989 });
  const b = SocketAddress.parse("[2001:DB8::1]:80");
  assert.equal(b.family, "ipv6");
  assert.equal(b.address, "2001:db8::1");
  assert.equal(String(b), "[2001:db8::1]:80");
  const lo = interfaceIndex("lo");
  const c = SocketAddress.parse("[fe80::1%lo]:5353");
  assert.equal(c.scopeId, lo);
  assert.equal(String(c), `[fe80::1%${lo}]:5353`);
  assert.ok(SocketAddress.parse(String(c)).equals(c));
  assert.equal(SocketAddress.parse("[fe80::1%7]:1").scopeId, 7);
  assert.equal(SocketAddress.parse("::1", { port: 7 }).port, 7);
  assert.equal(SocketAddress.parse("[::1]", { port: 7 }).port, 7);
  assert.equal(SocketAddress.parse("10.0.0.1", { port: 0 }).port, 0);
  assert.equal(SocketAddress.parse("10.0.0.1:65535").port, 65535);
  assert.equal(SocketAddress.parse("10.0.0.1:080").port, 80);
});

test("SocketAddress.parse() rejects bad hosts and ports with messages that name them", () => {
  const cases: [string, RegExp][] = [
    ["localhost:80", /"localhost:80".*numeric/],
    ["127.0.0.1:65536", /port.*\[0, 65535\].*"65536"/],
    ["127.0.0.1:-1", /port.*"-1"/],
    ["127.0.0.1:1.5", /port.*"1\.5"/],
    ["127.0.0.1:", /port.*""/],
    ["127.0.0.1:0x50", /port/],
    ["127.0.0.1: 80", /port/],
    ["127.0.0.1", /has no port/],
    ["::1", /has no port/],
    ["[::1", /bracket/],
    ["[::1]80", /\[ipv6\]:port/],
    ["[127.0.0.1]:80", /numeric/],
    ["[fe80::1%]:80", /zone/],
    ["", /has no port|numeric/],
    ["1.2.3.4:80:90", /numeric|port/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => SocketAddress.parse(text),
      (e: Error) => e instanceof RangeError && pattern.test(e.message),
      text,
    );
  }
  assert.throws(() => SocketAddress.parse("[fe80::1%nosuchif0]:80"), { code: "ENODEV" });
  assert.throws(() => SocketAddress.parse(80 as unknown as string), TypeError);
  assert.throws(() => SocketAddress.parse("1.2.3.4", { port: 65536 }), RangeError);
});

test("SocketAddress checks ports and numbers: NaN, -0, 1.5, 65536, -1 are errors", () => {
  for (const port of [NaN, -0, 1.5, 65536, -1, Infinity]) {
    assert.throws(
      () => new SocketAddress({ address: "127.0.0.1", port }),
      RangeError,
      String(port),
    );
  }
  for (const port of ["80", 80n, null]) {
    assert.throws(
      () => new SocketAddress({ address: "127.0.0.1", port: port as unknown as number }),
      TypeError,
    );
  }
  assert.throws(() => new SocketAddress({ address: "::1", flowlabel: 0x100000 }), RangeError);
  assert.throws(
    () => new SocketAddress({ address: "1.2.3.4", scopeId: 1 }),
    /no flow label or scope/,
  );
  assert.throws(
    () => new SocketAddress({ address: "1.2.3.4", family: "ipv6" }),
    /must be an IPv6 address/,
  );
  assert.throws(
    () => new SocketAddress({ address: "::1", family: "ipv4" }),
    /must be an IPv4 address/,
  );
  assert.throws(() => new SocketAddress({ address: 2130706433 as unknown as string }), TypeError);
  assert.throws(() => SocketAddress.from(1989 as unknown as string), TypeError);
  assert.throws(() => SocketAddress.from(null as unknown as string), TypeError);
  const a = new SocketAddress({ address: "10.0.0.1", port: 9 });
  assert.ok(Object.isFrozen(a));
});

test("addressFamily() tells IPv4 from IPv6 from anything else", () => {
  assert.equal(addressFamily("10.0.0.1"), "ipv4");
  assert.equal(addressFamily("::"), "ipv6");
  assert.equal(addressFamily("fe80::1%lo"), "ipv6");
  assert.equal(addressFamily("lo"), undefined);
  assert.equal(addressFamily("example.com"), undefined);
  assert.equal(addressFamily(42 as unknown as string), undefined);
});

const sockaddrProbe = `
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* usage: probe 4 ADDR PORT | probe 6 ADDR PORT FLOWINFO SCOPE: prints the struct's bytes in hex */
int main(int argc, char **argv) {
  unsigned char *p; size_t n;
  struct sockaddr_in a4; struct sockaddr_in6 a6;
  memset(&a4, 0, sizeof a4); memset(&a6, 0, sizeof a6);
  if (argv[1][0] == '4') {
    a4.sin_family = AF_INET; a4.sin_port = htons(atoi(argv[3]));
    if (inet_pton(AF_INET, argv[2], &a4.sin_addr) != 1) return 2;
    p = (unsigned char *)&a4; n = sizeof a4;
  } else {
    a6.sin6_family = AF_INET6; a6.sin6_port = htons(atoi(argv[3]));
    a6.sin6_flowinfo = htonl(strtoul(argv[4], 0, 10)); a6.sin6_scope_id = strtoul(argv[5], 0, 10);
    if (inet_pton(AF_INET6, argv[2], &a6.sin6_addr) != 1) return 2;
    p = (unsigned char *)&a6; n = sizeof a6;
  }
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
  printf("\\n");
  return 0;
}
`;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

test("toSockaddr() lays out sockaddr_in and sockaddr_in6 byte for byte as C does", async () => {
  const exe = await compileC("sockaddr_probe", sockaddrProbe);
  const cases: [SocketAddress, string[]][] = [
    [SocketAddress.parse("127.0.0.1:1989"), ["4", "127.0.0.1", "1989"]],
    [SocketAddress.parse("255.1.2.3:65535"), ["4", "255.1.2.3", "65535"]],
    [new SocketAddress({ address: "2001:db8::7", port: 443, flowlabel: 0xabcde, scopeId: 3 }), [
      "6",
      "2001:db8::7",
      "443",
      String(0xabcde),
      "3",
    ]],
  ];
  for (const [address, args] of cases) {
    const { code, stdout } = await run(exe, args);
    assert.equal(code, 0);
    assert.equal(hex(address.toSockaddr()), stdout.trim(), String(address));
    assert.ok(SocketAddress.fromSockaddr(address.toSockaddr()).equals(address));
  }
}, { peers: [peers.gcc] });

test("fromSockaddr() rejects other families and short structs", () => {
  const bytes = SocketAddress.parse("1.2.3.4:5").toSockaddr();
  assert.throws(() => SocketAddress.fromSockaddr(bytes.subarray(0, 8)), /16 bytes/);
  const unix = new Uint8Array(110);
  unix[0] = 1;
  assert.throws(() => SocketAddress.fromSockaddr(unix), /family 1/);
  assert.throws(() => SocketAddress.fromSockaddr("x" as unknown as Uint8Array), TypeError);
  // The copy is the caller's: changing it changes nothing.
  bytes[4] = 9;
  assert.equal(SocketAddress.parse("1.2.3.4:5").toSockaddr()[4], 1);
});
