/**
 * Helpers of the net tests: peer processes that print lines we wait for,
 * C peers compiled once, and private network namespaces.
 *
 * @module
 */

import { compileC, deno, hasPeer, type Peer, peers } from "../_util.ts";

const decoder = new TextDecoder();

/** A running peer whose stdout we read line by line. It is killed and reaped on dispose. */
export interface PeerProcess extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** The next line of stdout, waiting at most `ms` (default 10 s). */
  line(ms?: number): Promise<string>;
  /** What the peer has written to stderr so far. */
  stderrText(): string;
  /** Waits for the peer to exit (at most `ms`), and returns its status and stderr. */
  exit(ms?: number): Promise<{ code: number; stderr: string }>;
}

/**
 * Starts a peer with stdout and stderr piped.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param options Standard input to write, and environment.
 */
export function spawnPeer(
  command: string,
  args: string[],
  options: { stdin?: string } = {},
): PeerProcess {
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    void writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close());
  }
  const reader = child.stdout.getReader();
  let buffered = "";
  let ended = false;
  let stderr = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();
  let exited: Deno.CommandStatus | undefined;
  const status = child.status.then((s) => (exited = s));

  async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${command}: ${what} took more than ${ms} ms; stderr: ${stderr}`)),
        ms,
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    child,
    stderrText: () => stderr,
    async line(ms = 10_000): Promise<string> {
      const deadline = Date.now() + ms;
      for (;;) {
        const newline = buffered.indexOf("\n");
        if (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          return line;
        }
        if (ended) throw new Error(`${command} ended its output; stderr: ${stderr}`);
        const chunk = await withTimeout(
          reader.read(),
          Math.max(1, deadline - Date.now()),
          "a line",
        );
        if (chunk.done) ended = true;
        else buffered += decoder.decode(chunk.value, { stream: true });
      }
    },
    async exit(ms = 10_000): Promise<{ code: number; stderr: string }> {
      const s = await withTimeout(status, ms, "exiting");
      await stderrDone;
      return { code: s.code, stderr };
    },
    async [Symbol.asyncDispose](): Promise<void> {
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch {
          // It exited meanwhile.
        }
      }
      await status;
      if (!ended) {
        reader.releaseLock();
        await child.stdout.cancel().catch(() => {});
      }
      await stderrDone.catch(() => {});
    },
  };
}

/** Runs TypeScript source in a child Deno (with `--unstable-net` for Deno's own UDP). */
export function spawnDeno(source: string, args: string[] = []): PeerProcess {
  return spawnPeer(deno, [
    "eval",
    "--unstable-net",
    "--ext=ts",
    source,
    "--",
    ...args,
  ]);
}

/** Runs JavaScript source in a child Node. */
export function spawnNode(source: string, args: string[] = []): PeerProcess {
  return spawnPeer("node", ["-e", source, "--", ...args]);
}

/** The C UDP peer: sends or receives `struct msg_st` (and raw datagrams), printing what it got in hex. */
export const udpPeerSource = `
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct msg_st { uint32_t math; uint32_t chinese; uint8_t name[]; } __attribute__((packed));

/*
 * udp_peer send HOST PORT NAME MATH CHINESE [GROUP_IFACE]: sends one record
 * (to a multicast group out of GROUP_IFACE when given).
 * udp_peer recv BIND_ADDR [GROUP IFACE]: binds BIND_ADDR:0, joins GROUP on
 * IFACE when given, prints "port N", receives one datagram and prints
 * "from A:P", "hex ..." and "math M chinese C name S".
 */
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) { perror("socket"); return 1; }
  if (strcmp(argv[1], "send") == 0) {
    char buf[512];
    struct msg_st *m = (struct msg_st *)buf;
    size_t len = strlen(argv[4]);
    m->math = htonl(strtoul(argv[5], 0, 10));
    m->chinese = htonl(strtoul(argv[6], 0, 10));
    memcpy(m->name, argv[4], len + 1);
    struct sockaddr_in to = {0};
    to.sin_family = AF_INET;
    to.sin_port = htons(atoi(argv[3]));
    if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) return 2;
    if (argc > 7) {
      struct in_addr iface;
      inet_pton(AF_INET, argv[7], &iface);
      if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface) < 0) { perror("IP_MULTICAST_IF"); return 1; }
    }
    if (sendto(s, buf, sizeof *m + len + 1, 0, (struct sockaddr *)&to, sizeof to) < 0) { perror("sendto"); return 1; }
    return 0;
  }
  struct sockaddr_in me = {0};
  me.sin_family = AF_INET;
  inet_pton(AF_INET, argv[2], &me.sin_addr);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&me, sizeof me) < 0) { perror("bind"); return 1; }
  if (argc > 4) {
    struct ip_mreq mreq;
    inet_pton(AF_INET, argv[3], &mreq.imr_multiaddr);
    inet_pton(AF_INET, argv[4], &mreq.imr_interface);
    if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) { perror("IP_ADD_MEMBERSHIP"); return 1; }
  }
  socklen_t len = sizeof me;
  getsockname(s, (struct sockaddr *)&me, &len);
  printf("port %d\\n", ntohs(me.sin_port));
  fflush(stdout);
  unsigned char buf[600];
  struct sockaddr_in from;
  socklen_t flen = sizeof from;
  ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &flen);
  if (n < 0) { perror("recvfrom"); return 1; }
  char a[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from.sin_addr, a, sizeof a);
  printf("from %s:%d\\nhex ", a, ntohs(from.sin_port));
  for (ssize_t i = 0; i < n; i++) printf("%02x", buf[i]);
  buf[n] = 0;
  struct msg_st *m = (struct msg_st *)buf;
  printf("\\nmath %u chinese %u name %s\\n", ntohl(m->math), ntohl(m->chinese), (char *)m->name);
  return 0;
}
`;

/** Compiles the C UDP peer (once per source). */
export function udpPeer(): Promise<string> {
  return compileC("udp_peer", udpPeerSource);
}

/** Bytes as lowercase hex. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `ip netns` works here (root, iproute2): the tests that make namespaces and veth pairs need it. */
export const netnsPeer: Peer = {
  command: "ip",
  install: "iproute2 (and root, for ip netns)",
  probe: "n=unixipc-probe-$$ && ip netns add $n && ip netns del $n",
};

/** A random multicast group in the administratively scoped range 239.255.0.0/16. */
export function randomGroup(): string {
  const r = crypto.getRandomValues(new Uint8Array(2));
  return `239.255.${r[0]}.${1 + (r[1]! % 254)}`;
}

/** Runs `ip` with arguments; throws with its stderr on failure. */
export async function ip(...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("ip", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`ip ${args.join(" ")}: ${decoder.decode(stderr)}`);
}

/** A network namespace of our own, removed on dispose. */
export interface Netns extends AsyncDisposable {
  readonly name: string;
  /** Runs a command inside the namespace. */
  spawn(command: string, args: string[]): PeerProcess;
}

/** Makes a namespace with lo up (multicast on, with a route for 224.0.0.0/4). */
export async function netns(tag: string): Promise<Netns> {
  const name = `unixipc-${tag}-${Deno.pid}-${Math.floor(Math.random() * 1e6)}`;
  await ip("netns", "add", name);
  try {
    await ip("-n", name, "link", "set", "lo", "up", "multicast", "on");
    await ip("-n", name, "route", "add", "224.0.0.0/4", "dev", "lo");
  } catch (error) {
    await ip("netns", "del", name);
    throw error;
  }
  return {
    name,
    spawn: (command, args) => spawnPeer("ip", ["netns", "exec", name, command, ...args]),
    async [Symbol.asyncDispose]() {
      await ip("netns", "del", name);
    },
  };
}

export { hasPeer, peers };
