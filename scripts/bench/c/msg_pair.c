/*
 * The in-process msgsnd + msgrcv pair of scripts/bench/core.ts and node.ts,
 * in C: a MESSAGE-byte message sent to a queue and received back, PAIRS
 * times after as many pairs of warm-up; prints the ns per pair.
 *
 *   gcc -O2 -DMESSAGE=64 msg_pair.c
 *   msg_pair PAIRS QUEUE_ID   (the caller creates and removes the queue)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#ifndef MESSAGE
#error "compile with -DMESSAGE=<bytes>"
#endif

struct message { long mtype; char mtext[MESSAGE]; };

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: msg_pair PAIRS QUEUE_ID\n"); return 2; }
  long pairs = atol(argv[1]);
  int id = atoi(argv[2]);
  struct message out = { 1, {0} }, in;
  memset(out.mtext, 'x', sizeof out.mtext);
  struct timespec t0, t1;
  for (int warm = 0; warm < 2; warm++) {
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < pairs; i++) {
      if (msgsnd(id, &out, MESSAGE, 0) == -1) { perror("msgsnd"); return 1; }
      if (msgrcv(id, &in, MESSAGE, 0, 0) == -1) { perror("msgrcv"); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
  }
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  printf("%.1f\n", ns / pairs);
  return 0;
}
