/*
 * The pipe and FIFO benchmarks of scripts/bench/ipc.ts, in C: the client
 * forks the server, both use blocking read/write.
 *
 *   gcc -O2 -DMESSAGE=64 -DCHUNK=65536 ipc_bench.c
 *   ipc_bench pingpong|stream pipe|fifo COUNT WARM [DOWN_FIFO UP_FIFO]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(MESSAGE) || !defined(CHUNK)
#error "compile with -DMESSAGE=<bytes> -DCHUNK=<bytes>"
#endif

static void read_full(int fd, char *b, size_t n) {
  for (size_t o = 0; o < n;) { ssize_t r = read(fd, b + o, n - o); if (r <= 0) { perror("read"); exit(1); } o += r; }
}
static void write_full(int fd, const char *b, size_t n) {
  for (size_t o = 0; o < n;) { ssize_t r = write(fd, b + o, n - o); if (r <= 0) { perror("write"); exit(1); } o += r; }
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* ipc_bench <pingpong|stream> <pipe|fifo> <count> <warm> [down up] */
int main(int argc, char **argv) {
  int stream = !strcmp(argv[1], "stream"), fifo = !strcmp(argv[2], "fifo");
  long count = atol(argv[3]), warm = atol(argv[4]);
  int down[2], up[2];
  if (!fifo && (pipe(down) || pipe(up))) { perror("pipe"); return 1; }
  pid_t pid = fork();
  if (pid == 0) { /* the server */
    int in = fifo ? open(argv[5], O_RDONLY) : down[0];
    int out = fifo ? open(argv[6], O_WRONLY) : up[1];
    if (!fifo) { close(down[1]); close(up[0]); }
    write_full(out, "r", 1);
    if (stream) {
      static char chunk[CHUNK]; char go;
      memset(chunk, 0x5a, sizeof chunk);
      read_full(in, &go, 1);
      for (long sent = 0; sent < count; sent += CHUNK) write_full(out, chunk, CHUNK);
    } else {
      char b[MESSAGE];
      for (long i = 0; i < warm + count; i++) { read_full(in, b, MESSAGE); write_full(out, b, MESSAGE); }
    }
    return 0;
  }
  int out = fifo ? open(argv[5], O_WRONLY) : down[1];
  int in = fifo ? open(argv[6], O_RDONLY) : up[0];
  if (!fifo) { close(down[0]); close(up[1]); }
  char ready;
  read_full(in, &ready, 1);
  double result;
  if (stream) {
    static char buffer[CHUNK];
    double t0 = now();
    write_full(out, "g", 1);
    long received = 0;
    while (received < count) { ssize_t n = read(in, buffer, CHUNK); if (n <= 0) { perror("read"); return 1; } received += n; }
    result = count / 1e6 / (now() - t0);
  } else {
    char b[MESSAGE]; memset(b, 'x', MESSAGE);
    double t0 = 0;
    for (long i = 0; i < warm + count; i++) {
      if (i == warm) t0 = now();
      write_full(out, b, MESSAGE); read_full(in, b, MESSAGE);
    }
    result = (now() - t0) * 1e6 / count;
  }
  close(out); close(in);
  int status; waitpid(pid, &status, 0);
  printf("%.3f\n", result);
  return 0;
}
