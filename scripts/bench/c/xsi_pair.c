/*
 * The two-process System V benchmarks of scripts/bench/xsi.ts and node.ts,
 * in C. Both sides run this program; the client prints the ns per
 * operation, after WARM operations of warm-up.
 *
 *   gcc -O2 -DSIZE=64 -DWARM=500 xsi_pair.c
 *   xsi_pair server|client pingpong|oneway N QUEUE_ID
 *   xsi_pair server|client shm N SHM_ID SERVER_SEM_ID CLIENT_SEM_ID
 *
 * - pingpong: the client sends type 1, the server answers type 2 (type 3:
 *   the server is ready); the time of one round trip.
 * - oneway: the client sends type 1 as fast as the queue takes them.
 * - shm: the client writes a number into shared memory and posts the
 *   server's semaphore; the server adds 1 and posts the client's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#if !defined(SIZE) || !defined(WARM)
#error "compile with -DSIZE=<bytes> -DWARM=<operations>"
#endif

struct message { long mtype; char mtext[SIZE]; };

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static void snd(int q, struct message *m, long type) { m->mtype = type; if (msgsnd(q, m, SIZE, 0) == -1) { perror("msgsnd"); exit(1); } }
static void rcv(int q, struct message *m, long type) { if (msgrcv(q, m, SIZE, type, 0) == -1) { perror("msgrcv"); exit(1); } }
static void op(int set, int delta) { struct sembuf b = { 0, delta, 0 }; if (semop(set, &b, 1) == -1) { perror("semop"); exit(1); } }

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: xsi_pair server|client pingpong|oneway|shm N ID...\n"); return 2; }
  int server = !strcmp(argv[1], "server");
  const char *work = argv[2];
  long n = atol(argv[3]);
  struct message m; memset(&m, 'x', sizeof m);
  if (!strcmp(work, "pingpong")) {
    int q = atoi(argv[4]);
    if (server) { snd(q, &m, 3); for (long i = 0; i < WARM + n; i++) { rcv(q, &m, 1); snd(q, &m, 2); } return 0; }
    rcv(q, &m, 3);
    for (long i = 0; i < WARM; i++) { snd(q, &m, 1); rcv(q, &m, 2); }
    double t0 = now();
    for (long i = 0; i < n; i++) { snd(q, &m, 1); rcv(q, &m, 2); }
    printf("%.1f\n", (now() - t0) / n);
    return 0;
  }
  if (!strcmp(work, "oneway")) {
    int q = atoi(argv[4]);
    if (server) {
      snd(q, &m, 3);
      for (long i = 0; i < WARM; i++) rcv(q, &m, 1);
      snd(q, &m, 2);
      for (long i = 0; i < n; i++) rcv(q, &m, 1);
      snd(q, &m, 2);
      return 0;
    }
    rcv(q, &m, 3);
    for (long i = 0; i < WARM; i++) snd(q, &m, 1);
    rcv(q, &m, 2);
    double t0 = now();
    for (long i = 0; i < n; i++) snd(q, &m, 1);
    rcv(q, &m, 2);
    printf("%.1f\n", (now() - t0) / n);
    return 0;
  }
  if (argc < 7) { fprintf(stderr, "usage: xsi_pair server|client shm N SHM_ID SEM_ID SEM_ID\n"); return 2; }
  int *words = shmat(atoi(argv[4]), NULL, 0);
  if (words == (void *)-1) { perror("shmat"); return 1; }
  int serverTurn = atoi(argv[5]), clientTurn = atoi(argv[6]);
  if (server) { for (long i = 0; i < WARM + n; i++) { op(serverTurn, -1); words[1] = words[0] + 1; op(clientTurn, 1); } return 0; }
  for (long i = 0; i < WARM; i++) { words[0] = i; op(serverTurn, 1); op(clientTurn, -1); }
  double t0 = now();
  for (long i = 0; i < n; i++) {
    words[0] = i; op(serverTurn, 1); op(clientTurn, -1);
    if (words[1] != i + 1) { fprintf(stderr, "shm: wrong answer\n"); return 1; }
  }
  printf("%.1f\n", (now() - t0) / n);
  return 0;
}
