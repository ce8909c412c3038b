/*
 * The C side of the net benchmark: every role that scripts/bench/net.ts
 * measures, with blocking sockets, as a C programmer writes them.
 *
 *   net_peer udp-echo                  binds 127.0.0.1:0, prints "port N", echoes datagrams
 *   net_peer udp-client PORT N         N round trips of 64 bytes; prints microseconds per trip
 *   net_peer tcp-echo                  listens, prints "port N", echoes 64-byte messages of one client
 *   net_peer tcp-client PORT N         N round trips of 64 bytes (TCP_NODELAY); prints us per trip
 *   net_peer tcp-sink                  listens, prints "port N", reads one client to EOF, answers 1 byte
 *   net_peer tcp-source PORT MB        writes MB MiB in 64 KiB chunks, waits for the answer; prints MiB/s
 *   net_peer accept-server             listens, prints "port N", answers each client "<time>\r\n" and closes
 *
 * Clients warm up with N/10 round trips before timing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define CHUNK 65536

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void print_port(int s) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  getsockname(s, (struct sockaddr *)&a, &len);
  printf("port %d\n", ntohs(a.sin_port));
  fflush(stdout);
}

static int listener(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = loopback(0);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4096)) die("listen");
  print_port(s);
  return s;
}

static int connect_to(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = loopback(port);
  if (connect(s, (struct sockaddr *)&a, sizeof a)) die("connect");
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

static int read_exactly(int s, char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(s, buf + got, n - got);
    if (r <= 0) return 0;
    got += r;
  }
  return 1;
}

int main(int argc, char **argv) {
  static char buf[CHUNK];
  const char *role = argv[1];
  memset(buf, 'x', sizeof buf);
  if (!strcmp(role, "udp-echo")) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(0);
    if (bind(s, (struct sockaddr *)&a, sizeof a)) die("bind");
    print_port(s);
    for (;;) {
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
      if (n < 0) die("recvfrom");
      sendto(s, buf, n, 0, (struct sockaddr *)&from, len);
    }
  }
  if (!strcmp(role, "udp-client")) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(atoi(argv[2]));
    long n = atol(argv[3]), warm = n / 10;
    double start = 0;
    for (long i = -warm; i < n; i++) {
      if (i == 0) start = now();
      if (sendto(s, buf, MSG, 0, (struct sockaddr *)&a, sizeof a) != MSG) die("sendto");
      if (recv(s, buf, sizeof buf, 0) != MSG) die("recv");
    }
    printf("%.3f\n", (now() - start) * 1e6 / n);
    return 0;
  }
  if (!strcmp(role, "tcp-echo")) {
    int l = listener(), c = accept(l, 0, 0);
    while (read_exactly(c, buf, MSG)) {
      if (write(c, buf, MSG) != MSG) die("write");
    }
    return 0;
  }
  if (!strcmp(role, "tcp-client")) {
    int s = connect_to(atoi(argv[2]));
    long n = atol(argv[3]), warm = n / 10;
    double start = 0;
    for (long i = -warm; i < n; i++) {
      if (i == 0) start = now();
      if (write(s, buf, MSG) != MSG) die("write");
      if (!read_exactly(s, buf, MSG)) die("read");
    }
    printf("%.3f\n", (now() - start) * 1e6 / n);
    return 0;
  }
  if (!strcmp(role, "tcp-sink")) {
    int l = listener(), c = accept(l, 0, 0);
    ssize_t r;
    while ((r = read(c, buf, sizeof buf)) > 0) {
    }
    if (r < 0) die("read");
    write(c, "!", 1);
    close(c);
    return 0;
  }
  if (!strcmp(role, "tcp-source")) {
    int s = connect_to(atoi(argv[2]));
    long chunks = atol(argv[3]) * (1024 * 1024 / CHUNK);
    double start = now();
    for (long i = 0; i < chunks; i++) {
      size_t off = 0;
      while (off < CHUNK) {
        ssize_t w = write(s, buf + off, CHUNK - off);
        if (w < 0) die("write");
        off += w;
      }
    }
    shutdown(s, SHUT_WR);
    if (read(s, buf, 1) != 1) die("read");
    printf("%.1f\n", atol(argv[3]) / (now() - start));
    return 0;
  }
  if (!strcmp(role, "accept-server")) {
    int l = listener();
    for (;;) {
      int c = accept(l, 0, 0);
      if (c < 0) continue;
      int n = snprintf(buf, sizeof buf, "%ld\r\n", (long)time(0));
      write(c, buf, n);
      close(c);
    }
  }
  fprintf(stderr, "unknown role %s\n", role);
  return 2;
}
