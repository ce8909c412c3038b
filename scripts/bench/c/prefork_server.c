/*
 * A pre-forked TCP time server with a dynamic pool, as Apache's prefork MPM
 * runs one: the C baseline of scripts/bench/pool.ts.
 *
 *   prefork_server PORT MIN_SPARE MAX_SPARE MAX_CLIENTS
 *
 * The parent listens once and forks workers that accept on the inherited
 * socket; a scoreboard in shared memory holds each slot's state; every
 * 100 ms the parent spawns workers while idle ones are fewer than
 * MIN_SPARE (1, 2, 4, ... per tick), retires idle ones above MAX_SPARE and
 * never runs more than MAX_CLIENTS. Each connection gets the Unix time and
 * "\r\n". SIGTERM stops it. Prints "listening PORT" once ready.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { FREE = 0, STARTING = 1, IDLE = 2, BUSY = 3, DYING = 4 };
struct slot { _Atomic int state; _Atomic int pid; };

static struct slot *board;
static int max_clients;
static volatile sig_atomic_t stopping;

static void on_term(int sig) { (void)sig; stopping = 1; }

static void worker(int listener, int index) {
  struct slot *me = &board[index];
  signal(SIGTERM, SIG_DFL);
  atomic_store(&me->state, IDLE);
  for (;;) {
    int c = accept(listener, NULL, NULL);
    if (c < 0) { if (errno == EINTR) continue; _exit(1); }
    int expected = IDLE;
    if (!atomic_compare_exchange_strong(&me->state, &expected, BUSY)) {
      /* Retiring: serve the connection we hold, then go. */
    }
    char line[32];
    int n = snprintf(line, sizeof line, "%ld\r\n", (long)time(NULL));
    (void)!write(c, line, n);
    close(c);
    expected = BUSY;
    if (!atomic_compare_exchange_strong(&me->state, &expected, IDLE)) _exit(0);
  }
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s PORT MIN_SPARE MAX_SPARE MAX_CLIENTS\n", argv[0]); return 2; }
  int port = atoi(argv[1]), min_spare = atoi(argv[2]), max_spare = atoi(argv[3]);
  max_clients = atoi(argv[4]);
  board = mmap(NULL, sizeof(struct slot) * max_clients, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 511)) { perror("bind/listen"); return 1; }
  socklen_t len = sizeof a;
  getsockname(s, (struct sockaddr *)&a, &len);
  struct sigaction sa = { .sa_handler = on_term };
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("listening %d\n", ntohs(a.sin_port));
  fflush(stdout);
  int rate = 1;
  while (!stopping) {
    int pid, status;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
      for (int i = 0; i < max_clients; i++)
        if (atomic_load(&board[i].pid) == pid) { atomic_store(&board[i].pid, 0); atomic_store(&board[i].state, FREE); }
    int idle = 0, total = 0;
    for (int i = 0; i < max_clients; i++) {
      int st = atomic_load(&board[i].state);
      if (st != FREE) total++;
      if (st == IDLE || st == STARTING) idle++;
    }
    if (idle > max_spare) {
      int excess = idle - max_spare;
      for (int i = 0; i < max_clients && excess > 0; i++) {
        int expected = IDLE;
        if (atomic_compare_exchange_strong(&board[i].state, &expected, DYING)) { kill(atomic_load(&board[i].pid), SIGTERM); excess--; }
      }
      rate = 1;
    } else if (idle < min_spare) {
      int spawn = rate, room = max_clients - total, need = min_spare - idle;
      if (spawn > room) spawn = room;
      if (spawn > need) spawn = need;
      for (int i = 0; i < max_clients && spawn > 0; i++) {
        if (atomic_load(&board[i].state) != FREE) continue;
        atomic_store(&board[i].state, STARTING);
        pid = fork();
        if (pid == 0) worker(s, i);
        atomic_store(&board[i].pid, pid);
        spawn--;
      }
      rate = idle + rate < min_spare ? (rate < 32 ? rate * 2 : 32) : 1;
    } else {
      rate = 1;
    }
    usleep(100000);
  }
  for (int i = 0; i < max_clients; i++) if (atomic_load(&board[i].pid) > 0) kill(atomic_load(&board[i].pid), SIGTERM);
  while (wait(NULL) > 0) {}
  return 0;
}
