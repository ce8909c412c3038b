/**
 * The private side of socket options: how each option of the table is
 * encoded to and decoded from its C type, and the `getsockopt`/`setsockopt`
 * calls with messages that name the socket.
 *
 * @module
 */

import { errnoError, lastErrno, libc } from "../ipc/_libc.ts";
import {
  checkBoolean,
  checkBytes,
  checkInt32,
  checkOptions,
  checkSafeInteger,
  describeValue,
} from "../ipc/_checks.ts";
import { netLayouts } from "../endian/libc_net.ts";
import { posixLayouts } from "../endian/libc_posix.ts";
import { hostByteOrder } from "../endian/byte_order.ts";
import { inetNtop } from "./inet.ts";
import * as c from "./constants.ts";
import { ipv4Interface, ipv6Interface, ipv6Mreq, mreqn, mreqSource } from "./_membership.ts";
import type {
  LingerOption,
  ReadableSocketOption,
  SocketOptionInfo,
  SocketOptionInputs,
  SocketOptionName,
  SocketOptionValues,
  WritableSocketOption,
} from "./socket_options.ts";

/** How one option is encoded and decoded. */
export interface Codec {
  readonly info: SocketOptionInfo;
  readonly encode?: (value: unknown, what: string) => Uint8Array;
  readonly decode?: (bytes: Uint8Array) => unknown;
}

const littleEndian = hostByteOrder === "little";

function intBytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, littleEndian);
  return out;
}

function readInt(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(0, littleEndian);
}

function info(
  level: number,
  name: number,
  cType: string,
  readable: boolean,
  writable: boolean,
): SocketOptionInfo {
  return Object.freeze({ level, name, cType, readable, writable });
}

function boolOption(level: number, name: number): Codec {
  return {
    info: info(level, name, "int", true, true),
    encode: (value, what) => intBytes(checkBoolean(value, what) ? 1 : 0),
    decode: (bytes) => readInt(bytes) !== 0,
  };
}

function intOption(level: number, name: number, min: number, max: number, writable = true): Codec {
  return {
    info: info(level, name, "int", true, writable),
    encode: writable
      ? (value, what) => intBytes(checkSafeInteger(value, what, min, max))
      : undefined,
    decode: readInt,
  };
}

function timeoutOption(name: number): Codec {
  return {
    info: info(c.SOL_SOCKET, name, "struct timeval", true, true),
    encode(value, what) {
      if (
        typeof value !== "number" || !(value >= 0) || value === Infinity || Object.is(value, -0)
      ) {
        const message =
          `${what} must be a finite number of milliseconds, 0 or more (0 for none): got ${
            describeValue(value)
          }`;
        throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
      }
      const micros = Math.round(value * 1000);
      return posixLayouts().timeval.encode({
        tv_sec: Math.floor(micros / 1e6),
        tv_usec: micros % 1e6,
      });
    },
    decode(bytes) {
      const { tv_sec, tv_usec } = posixLayouts().timeval.decode(bytes);
      return tv_sec * 1000 + tv_usec / 1000;
    },
  };
}

function membership(level: number, name: number, cType: string, encode: Codec["encode"]): Codec {
  return { info: info(level, name, cType, false, true), encode };
}

const { SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP } = c;
const INT_MAX = 2147483647;

/** Every option of the table. */
export const codecs: Readonly<Record<SocketOptionName, Codec>> = {
  SO_REUSEADDR: boolOption(SOL_SOCKET, c.SO_REUSEADDR),
  SO_REUSEPORT: boolOption(SOL_SOCKET, c.SO_REUSEPORT),
  SO_BROADCAST: boolOption(SOL_SOCKET, c.SO_BROADCAST),
  SO_RCVBUF: intOption(SOL_SOCKET, c.SO_RCVBUF, 0, INT_MAX),
  SO_SNDBUF: intOption(SOL_SOCKET, c.SO_SNDBUF, 0, INT_MAX),
  SO_RCVTIMEO: timeoutOption(c.SO_RCVTIMEO),
  SO_SNDTIMEO: timeoutOption(c.SO_SNDTIMEO),
  SO_KEEPALIVE: boolOption(SOL_SOCKET, c.SO_KEEPALIVE),
  SO_LINGER: {
    info: info(SOL_SOCKET, c.SO_LINGER, "struct linger", true, true),
    encode(value, what) {
      const linger = checkOptions(value as LingerOption, what);
      return netLayouts().linger.encode({
        l_onoff: checkBoolean(linger.enabled, `${what}.enabled`) ? 1 : 0,
        l_linger: checkSafeInteger(linger.seconds, `${what}.seconds`, 0, INT_MAX),
      });
    },
    decode(bytes) {
      const { l_onoff, l_linger } = netLayouts().linger.decode(bytes);
      return { enabled: l_onoff !== 0, seconds: l_linger };
    },
  },
  SO_ERROR: intOption(SOL_SOCKET, c.SO_ERROR, 0, 0, false),
  SO_TYPE: intOption(SOL_SOCKET, c.SO_TYPE, 0, 0, false),
  IP_TTL: intOption(IPPROTO_IP, c.IP_TTL, 1, 255),
  IP_MULTICAST_TTL: intOption(IPPROTO_IP, c.IP_MULTICAST_TTL, 0, 255),
  IP_MULTICAST_LOOP: boolOption(IPPROTO_IP, c.IP_MULTICAST_LOOP),
  IP_MULTICAST_IF: {
    info: info(IPPROTO_IP, c.IP_MULTICAST_IF, "struct ip_mreqn", true, true),
    encode(value, what) {
      const iface = ipv4Interface(value, what);
      return netLayouts().ip_mreqn.encode({
        imr_multiaddr: new Uint8Array(4),
        imr_address: iface.address,
        imr_ifindex: iface.index,
      });
    },
    decode: (bytes) => inetNtop("ipv4", bytes.subarray(0, 4)),
  },
  IP_ADD_MEMBERSHIP: membership(IPPROTO_IP, c.IP_ADD_MEMBERSHIP, "struct ip_mreqn", mreqn),
  IP_DROP_MEMBERSHIP: membership(IPPROTO_IP, c.IP_DROP_MEMBERSHIP, "struct ip_mreqn", mreqn),
  IP_ADD_SOURCE_MEMBERSHIP: membership(
    IPPROTO_IP,
    c.IP_ADD_SOURCE_MEMBERSHIP,
    "struct ip_mreq_source",
    mreqSource,
  ),
  IP_DROP_SOURCE_MEMBERSHIP: membership(
    IPPROTO_IP,
    c.IP_DROP_SOURCE_MEMBERSHIP,
    "struct ip_mreq_source",
    mreqSource,
  ),
  IPV6_V6ONLY: boolOption(IPPROTO_IPV6, c.IPV6_V6ONLY),
  IPV6_JOIN_GROUP: membership(IPPROTO_IPV6, c.IPV6_JOIN_GROUP, "struct ipv6_mreq", ipv6Mreq),
  IPV6_LEAVE_GROUP: membership(IPPROTO_IPV6, c.IPV6_LEAVE_GROUP, "struct ipv6_mreq", ipv6Mreq),
  IPV6_UNICAST_HOPS: intOption(IPPROTO_IPV6, c.IPV6_UNICAST_HOPS, -1, 255),
  IPV6_MULTICAST_HOPS: intOption(IPPROTO_IPV6, c.IPV6_MULTICAST_HOPS, -1, 255),
  IPV6_MULTICAST_LOOP: boolOption(IPPROTO_IPV6, c.IPV6_MULTICAST_LOOP),
  IPV6_MULTICAST_IF: {
    info: info(IPPROTO_IPV6, c.IPV6_MULTICAST_IF, "int", true, true),
    encode: (value, what) => intBytes(ipv6Interface(value, what)),
    decode: readInt,
  },
  TCP_NODELAY: boolOption(IPPROTO_TCP, c.TCP_NODELAY),
  TCP_KEEPIDLE: intOption(IPPROTO_TCP, c.TCP_KEEPIDLE, 1, 32767),
  TCP_KEEPINTVL: intOption(IPPROTO_TCP, c.TCP_KEEPINTVL, 1, 32767),
  TCP_KEEPCNT: intOption(IPPROTO_TCP, c.TCP_KEEPCNT, 1, 127),
};

/** The codec of an option, checked for the access wanted. */
export function codecOf(name: unknown, access: "readable" | "writable"): Codec {
  const codec = typeof name === "string" && Object.hasOwn(codecs, name)
    ? codecs[name as SocketOptionName]
    : undefined;
  if (!codec) {
    throw new TypeError(
      `Socket option must be one of ${Object.keys(codecs).join(", ")}: got ${
        describeValue(name)
      } (use the raw form for others)`,
    );
  }
  if (!codec.info[access]) {
    throw new TypeError(
      `Socket option ${name as string} cannot be ${access === "readable" ? "read" : "set"}`,
    );
  }
  return codec;
}

const optlen = new Uint32Array(1);

/**
 * The socket, for messages: a name, or a function that finds one (it may
 * ask the kernel, so it runs on error paths only, after errno is read);
 * undefined gives `socket 7`.
 */
export type Subject = string | (() => string) | undefined;

function subjectOf(fd: number, subject: Subject): string {
  if (subject === undefined) return `socket ${fd}`;
  return typeof subject === "string" ? subject : subject();
}

// ---- for the socket classes --------------------------------------------------

/** Reads an option of the table; `subject` names the socket in messages. */
export function readOption<N extends ReadableSocketOption>(
  fd: number,
  name: N,
  subject: Subject,
): SocketOptionValues[N] {
  const codec = codecOf(name, "readable");
  const bytes = readRaw(fd, codec.info.level, codec.info.name, 16, subject, name);
  return codec.decode!(bytes) as SocketOptionValues[N];
}

/** Sets an option of the table; `subject` names the socket in messages. */
export function writeOption<N extends WritableSocketOption>(
  fd: number,
  name: N,
  value: SocketOptionInputs[N],
  subject: Subject,
): void {
  const codec = codecOf(name, "writable");
  const bytes = codec.encode!(value, name);
  writeRaw(fd, codec.info.level, codec.info.name, bytes, subject, name);
}

/** `getsockopt` into a fresh buffer of `size` bytes. */
export function readRaw(
  fd: number,
  level: number,
  name: number,
  size: number,
  subject: Subject,
  label: string,
): Uint8Array {
  const out = new Uint8Array(size);
  optlen[0] = size;
  if (libc().getsockopt(fd, level, name, out, new Uint8Array(optlen.buffer)) === -1) {
    const errno = lastErrno(); // Before subjectOf, which may call libc.
    throw errnoError(errno, "getsockopt", {
      action: `read ${label} of ${subjectOf(fd, subject)}`,
      details: { fd, level, name },
      reasons: {
        ENOPROTOOPT: "the socket's protocol has no such option",
        ENOTSOCK: "the fd is not a socket",
      },
    });
  }
  return out.subarray(0, Math.min(optlen[0]!, size));
}

/** `setsockopt` with the given bytes. */
export function writeRaw(
  fd: number,
  level: number,
  name: number,
  value: Uint8Array,
  subject: Subject,
  label: string,
): void {
  if (libc().setsockopt(fd, level, name, value, value.length) === -1) {
    const errno = lastErrno(); // Before subjectOf, which may call libc.
    throw errnoError(errno, "setsockopt", {
      action: `set ${label} on ${subjectOf(fd, subject)}`,
      details: { fd, level, name },
      reasons: {
        ENOPROTOOPT: "the socket's protocol has no such option",
        ENOTSOCK: "the fd is not a socket",
        EADDRNOTAVAIL: "no interface has that address, or the group was not joined",
        EADDRINUSE: "the group is already joined on that interface",
        ENODEV: "there is no such interface",
      },
    });
  }
}

/**
 * Reads any option as raw bytes: the `getRawOption` of every socket class
 * and `getSocketOptionRaw`. The arguments are checked first.
 *
 * @param fd The socket's fd (checked or known open).
 * @param level The level.
 * @param name The option's number.
 * @param size Room for the value, in bytes, in [0, 65536].
 * @param subject The socket, for messages (undefined: `socket <fd>`).
 * @returns The bytes the kernel wrote.
 */
export function readRawOption(
  fd: number,
  level: number,
  name: number,
  size: number,
  subject: Subject,
): Uint8Array {
  return readRaw(
    fd,
    checkInt32(level, "level"),
    checkInt32(name, "name"),
    checkSafeInteger(size, "size", 0, 65536),
    subject,
    `option ${name} at level ${level}`,
  );
}

/**
 * Sets any option from raw bytes: the `setRawOption` of every socket class
 * and `setSocketOptionRaw`. The arguments are checked first.
 *
 * @param fd The socket's fd (checked or known open).
 * @param level The level.
 * @param name The option's number.
 * @param value The bytes.
 * @param subject The socket, for messages (undefined: `socket <fd>`).
 */
export function writeRawOption(
  fd: number,
  level: number,
  name: number,
  value: Uint8Array,
  subject: Subject,
): void {
  writeRaw(
    fd,
    checkInt32(level, "level"),
    checkInt32(name, "name"),
    checkBytes(value, "value"),
    subject,
    `option ${name} at level ${level}`,
  );
}
