/**
 * Peers of the xsi tests: a python3 that has sysv_ipc (the Debian package
 * installs it for /usr/bin/python3, which a pyenv python3 first on PATH
 * does not see), the C programs, and the classic record.
 *
 * @module
 */

import { chars, cLong, i32, struct } from "../../endian/mod.ts";
import { compileC, type Peer, run } from "../_util.ts";

/** A python3 with sysv_ipc, wherever it is. */
export const pythonSysvIpc: Peer = {
  command: "python3",
  install: "python3-sysv-ipc",
  probe:
    "for p in python3 /usr/bin/python3; do $p -c 'import sysv_ipc' 2>/dev/null && exit 0; done; exit 1",
};

let python: string | undefined;

/** The path of a python3 that can import sysv_ipc. */
export function pythonPath(): string {
  if (python) return python;
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const ok = new Deno.Command(candidate, {
      args: ["-c", "import sysv_ipc"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
    if (ok) return python = candidate;
  }
  throw new Error("No python3 with sysv_ipc");
}

/** Runs a Python script (sysv_ipc imported) with arguments. */
export function runPython(
  script: string,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(pythonPath(), ["-c", `import sys, sysv_ipc, struct\n${script}`, ...args]);
}

/** `struct msg_st { long mtype; char name[32]; int math; int chinese; }`. */
export const MsgSt = struct([
  ["mtype", cLong],
  ["name", chars(32)],
  ["math", i32],
  ["chinese", i32],
], { name: "struct msg_st" });

/** A C program that sends, receives and removes the classic record, and tries calls as another user. */
const peerSource = `
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

struct msg_st { long mtype; char name[32]; int math; int chinese; };

static const char *code(int e) {
  switch (e) {
  case EACCES: return "EACCES"; case EIDRM: return "EIDRM"; case EINVAL: return "EINVAL";
  case ENOMSG: return "ENOMSG"; case EAGAIN: return "EAGAIN"; case E2BIG: return "E2BIG";
  case EPERM: return "EPERM"; case ENOENT: return "ENOENT";
  default: return "E?";
  }
}

int main(int argc, char **argv) {
  const char *what = argv[1];
  int id = atoi(argv[2]);
  if (!strcmp(what, "send")) {
    struct msg_st m; memset(&m, 0, sizeof m);
    m.mtype = atol(argv[3]);
    strncpy(m.name, argv[4], sizeof m.name - 1);
    m.math = atoi(argv[5]); m.chinese = atoi(argv[6]);
    if (msgsnd(id, &m, sizeof m - sizeof(long), 0) == -1) { printf("%s\\n", code(errno)); return 1; }
    return 0;
  }
  if (!strcmp(what, "recv")) {
    struct msg_st m;
    ssize_t n = msgrcv(id, &m, sizeof m - sizeof(long), atol(argv[3]), 0);
    if (n == -1) { printf("%s\\n", code(errno)); return 1; }
    printf("{\\"size\\":%zd,\\"mtype\\":%ld,\\"name\\":\\"%s\\",\\"math\\":%d,\\"chinese\\":%d}\\n",
           n, m.mtype, m.name, m.math, m.chinese);
    return 0;
  }
  if (!strcmp(what, "hex")) { /* receive any message and print its text as hex */
    unsigned char buf[8 + 8192];
    ssize_t n = msgrcv(id, buf, 8192, atol(argv[3]), 0);
    if (n == -1) { printf("%s\\n", code(errno)); return 1; }
    printf("%ld ", *(long *)buf);
    for (ssize_t i = 0; i < n; i++) printf("%02x", buf[8 + i]);
    printf("\\n");
    return 0;
  }
  if (!strcmp(what, "msgsnd")) { /* as another user: try a send */
    struct msg_st m; memset(&m, 0, sizeof m); m.mtype = 1;
    if (msgsnd(id, &m, sizeof m - sizeof(long), IPC_NOWAIT) == -1) { printf("%s\\n", code(errno)); return 1; }
    printf("OK\\n"); return 0;
  }
  if (!strcmp(what, "msgrcv")) {
    struct msg_st m;
    if (msgrcv(id, &m, sizeof m - sizeof(long), 0, IPC_NOWAIT) == -1) { printf("%s\\n", code(errno)); return 1; }
    printf("OK\\n"); return 0;
  }
  if (!strcmp(what, "semop")) {
    struct sembuf op = { 0, 1, IPC_NOWAIT };
    if (semop(id, &op, 1) == -1) { printf("%s\\n", code(errno)); return 1; }
    printf("OK\\n"); return 0;
  }
  if (!strcmp(what, "shmat")) {
    void *p = shmat(id, NULL, SHM_RDONLY);
    if (p == (void *)-1) { printf("%s\\n", code(errno)); return 1; }
    printf("OK\\n"); return 0;
  }
  if (!strcmp(what, "rmid")) { /* msg, sem or shm by argv[3] */
    int r = !strcmp(argv[3], "msg") ? msgctl(id, IPC_RMID, NULL)
          : !strcmp(argv[3], "sem") ? semctl(id, 0, IPC_RMID)
          : shmctl(id, IPC_RMID, NULL);
    if (r == -1) { printf("%s\\n", code(errno)); return 1; }
    return 0;
  }
  if (!strcmp(what, "shmadd")) { /* attach, add 1 to the int at offset 0 N times, atomically */
    int *p = shmat(id, NULL, 0);
    if (p == (void *)-1) { printf("%s\\n", code(errno)); return 1; }
    for (int i = 0, n = atoi(argv[3]); i < n; i++) __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
    shmdt(p);
    return 0;
  }
  if (!strcmp(what, "ftok")) {
    printf("%d\\n", ftok(argv[3], argv[4][0]));
    return 0;
  }
  fprintf(stderr, "unknown %s\\n", what);
  return 2;
}
`;

/** The C peer, compiled once. */
export function cPeer(): Promise<string> {
  return compileC("xsi-peer", peerSource);
}

/** setpriv, run as root: what switching to `nobody` takes. */
export const switchUser: Peer = {
  command: "setpriv",
  install: "util-linux, and run the tests as root",
  probe: 'test "$(id -u)" = 0 && command -v setpriv',
};

/** Runs a program as nobody:nogroup. */
export function runAsNobody(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run("setpriv", [
    "--reuid=nobody",
    "--regid=nogroup",
    "--clear-groups",
    command,
    ...args,
  ]);
}
