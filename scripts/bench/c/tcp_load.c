/*
 * A TCP load generator for the time servers: CONCURRENCY threads each
 * connect, read the server's line until it closes, and connect again, for
 * SECONDS. Prints one JSON line: connections completed, failures, and
 * connections per second.
 *
 *   tcp_load PORT CONCURRENCY SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static double deadline;
static _Atomic long done, failed;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void *client(void *arg) {
  (void)arg;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char buf[64];
  while (now() < deadline) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) { atomic_fetch_add(&failed, 1); close(s); continue; }
    ssize_t total = 0, n;
    while ((n = read(s, buf + total, sizeof buf - total)) > 0) total += n;
    close(s);
    if (n == 0 && total >= 3 && buf[total - 2] == '\r' && buf[total - 1] == '\n') atomic_fetch_add(&done, 1);
    else atomic_fetch_add(&failed, 1);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s PORT CONCURRENCY SECONDS\n", argv[0]); return 2; }
  port = atoi(argv[1]);
  int n = atoi(argv[2]);
  double seconds = atof(argv[3]), start = now();
  deadline = start + seconds;
  pthread_t *t = calloc(n, sizeof *t);
  for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, client, NULL);
  for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
  double elapsed = now() - start;
  printf("{\"connections\":%ld,\"failures\":%ld,\"perSecond\":%.1f}\n", done, failed, done / elapsed);
  return 0;
}
