import assert from "node:assert/strict";
import {
  ErrnoError,
  F_GETFL,
  type FdHandle,
  O_NONBLOCK,
  pipe,
  spawn,
  spawnModule,
} from "../../ipc/mod.ts";
import { libc } from "../../ipc/_libc.ts";
import { pollerStatus } from "../../ipc/_poller.ts";
import { libraryUrl } from "../_runtime.ts";
import { compileC, peers, runScript, tempDir, test } from "../_util.ts";
import { threadsBlockedInIo, threadsWaitingOn } from "./_threads.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Prints each open fd (but its own listing's): number, status flags (octal), target. */
const listFdsSource = `
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  char path[64], target[256];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd == dirfd(d)) continue;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = 0;
    printf("%d %o %s\\n", fd, fcntl(fd, F_GETFL), target);
  }
  return 0;
}
`;

/** Copies fd 3 to stdout with blocking reads; exits 2 if a read says EAGAIN (a non-blocking fd). */
const cat3Source = `
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char buf[65536];
  long total = 0;
  for (;;) {
    ssize_t n = read(3, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) { if (errno == EINTR) continue; return errno == EAGAIN ? 2 : 1; }
    for (ssize_t o = 0; o < n;) { ssize_t w = write(1, buf + o, n - o); if (w < 0) return 1; o += w; }
    total += n;
  }
  fprintf(stderr, "%ld\\n", total);
  return 0;
}
`;

async function readAll(handle: FdHandle): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  for (let n = await handle.read(buffer); n !== null; n = await handle.read(buffer)) {
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return text;
}

/** Runs `command` with its stdout into a pipe of ours; returns what it printed and how it ended. */
async function output(
  command: string,
  options: Parameters<typeof spawn>[1] = {},
): Promise<{ text: string; code: number | null; signal: string | null }> {
  using out = pipe();
  const child = spawn(command, { ...options, fds: { ...options.fds, 1: out.write } });
  out.write.close();
  const text = await readAll(out.read);
  const status = await child.wait();
  return { text, code: status.code, signal: status.signalName };
}

function parseFds(text: string): Map<number, { flags: number; target: string }> {
  return new Map(
    text.trim().split("\n").map((line) => {
      const [fd, flags, target] = line.split(" ");
      return [Number(fd), { flags: parseInt(flags!, 8), target: target! }];
    }),
  );
}

function inode(handle: FdHandle | number): string {
  return Deno.readLinkSync(`/proc/self/fd/${typeof handle === "number" ? handle : handle.fd}`);
}

function realPath(path: string): string {
  return Deno.realPathSync(path);
}

function writeFile(path: string, text: string, mode = 0o644): void {
  Deno.writeTextFileSync(path, text, { mode });
}

test("spawn() gives the child 0, 1, 2 and the mapped fds, and nothing else of ours", async () => {
  const listFds = await compileC("list_fds", listFdsSource);
  // An fd of ours without close-on-exec, that the child must not get either.
  using stray = pipe({ closeOnExec: false });
  using p = pipe();
  const { text, code } = await output(listFds, { fds: { 3: p.read, 5: "null" } });
  assert.equal(code, 0);
  const fds = parseFds(text);
  assert.deepEqual([...fds.keys()].sort((a, b) => a - b), [0, 1, 2, 3, 5]);
  assert.equal(fds.get(3)!.target, inode(p.read));
  assert.equal(fds.get(5)!.target, "/dev/null");
  assert.ok(![...fds.values()].some((f) => f.target === inode(stray.read)));
}, { peers: [peers.gcc] });

test("a child gets a blocking open of our pipe end, while ours stays non-blocking", async () => {
  const listFds = await compileC("list_fds", listFdsSource);
  using p = pipe();
  const { text } = await output(listFds, { fds: { 3: p.read, 4: p.write } });
  const fds = parseFds(text);
  assert.equal(fds.get(3)!.flags & O_NONBLOCK, 0);
  assert.equal(fds.get(4)!.flags & O_NONBLOCK, 0);
  assert.equal(fds.get(3)!.flags & 3, 0); // O_RDONLY
  assert.equal(fds.get(4)!.flags & 3, 1); // O_WRONLY
  assert.equal(fds.get(3)!.target, inode(p.read));
  const { fcntl } = libc();
  assert.ok(fcntl(p.read.fd, F_GETFL, 0) & O_NONBLOCK);
  assert.ok(fcntl(p.write.fd, F_GETFL, 0) & O_NONBLOCK);
}, { peers: [peers.gcc] });

test("a C program reads from its fd 3 what we write into a pipe, with blocking reads", async () => {
  const cat3 = await compileC("cat3", cat3Source);
  using input = pipe();
  using out = pipe();
  await using child = spawn(cat3, { fds: { 3: input.read, 1: out.write } });
  input.read.close();
  out.write.close();
  // Slow enough that the C program finds the pipe empty and must block.
  const reading = readAll(out.read);
  for (const word of ["one ", "two ", "three"]) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await input.write.write(encoder.encode(word));
  }
  input.write.close();
  assert.equal(await reading, "one two three");
  assert.equal((await child.wait()).code, 0);
}, { peers: [peers.gcc] });

test("fd mappings that swap fd numbers reach the child as asked", async () => {
  const listFds = await compileC("list_fds", listFdsSource);
  using a = pipe();
  using b = pipe();
  // The child's fd numbered like our a gets b, and the other way round.
  const [x, y] = [a.read.fd, b.read.fd];
  const { text } = await output(listFds, { fds: { [x]: b.read, [y]: a.read, 3: a.read } });
  const fds = parseFds(text);
  assert.equal(fds.get(x)!.target, inode(b.read));
  assert.equal(fds.get(y)!.target, inode(a.read));
  assert.equal(fds.get(3)!.target, inode(a.read));
  assert.equal(fds.size, 6);
}, { peers: [peers.gcc] });

test("a raw fd number and 'inherit' map our fds; 'null' gives /dev/null", async () => {
  const listFds = await compileC("list_fds", listFdsSource);
  using p = pipe();
  const { text } = await output(listFds, { fds: { 0: "null", 2: "inherit", 7: p.write.fd } });
  const fds = parseFds(text);
  assert.equal(fds.get(0)!.target, "/dev/null");
  assert.equal(fds.get(2)!.target, inode(2));
  assert.equal(fds.get(7)!.target, inode(p.write));
}, { peers: [peers.gcc] });

test("yes | head -n 1 ends: the child's signal dispositions are back to their defaults", async () => {
  using p = pipe();
  const yes = spawn("yes", { fds: { 1: p.write } });
  const head = output("head", { args: ["-n", "1"], fds: { 0: p.read } });
  p.close();
  assert.equal((await head).text, "y\n");
  const status = await yes.wait();
  assert.equal(status.signalName, "SIGPIPE");
  assert.equal(status.code, null);
  assert.equal(status.success, false);
});

test("a child starts with no signal blocked or ignored", async () => {
  const { text } = await output("grep", { args: ["^Sig\\(Blk\\|Ign\\)", "/proc/self/status"] });
  assert.match(text, /SigBlk:\s+0+\n/);
  assert.match(text, /SigIgn:\s+0+\n/);
});

test("spawn() passes arguments, argv0, env over ours, clearEnv and cwd", async () => {
  using dir = tempDir();
  const args = await output("sh", {
    args: ["-c", 'printf "%s|" "$0" "$@"', "zero", "a b", "", "c"],
  });
  assert.equal(args.text, "zero|a b||c|");
  const env = await output("sh", {
    args: ["-c", 'printf "%s %s" "$UNIXIPC_TEST" "${HOME:+home}"'],
    env: { UNIXIPC_TEST: "é=1" },
  });
  assert.equal(env.text, "é=1 home");
  const clear = await output("/usr/bin/env", { clearEnv: true, env: { ONLY: "this" } });
  assert.equal(clear.text, "ONLY=this\n");
  const cwd = await output("pwd", { cwd: dir.path });
  assert.equal(cwd.text.trim(), realPath(dir.path));
  const url = await output("pwd", { cwd: new URL(`file://${dir.path}`) });
  assert.equal(url.text, cwd.text);
});

test("a command is looked up in the PATH that env gives the child", async () => {
  using dir = tempDir();
  writeFile(`${dir.path}/hello-unixipc`, "#!/bin/sh\necho found\n", 0o755);
  const { text } = await output("hello-unixipc", { env: { PATH: `/nowhere:${dir.path}` } });
  assert.equal(text, "found\n");
  assert.throws(() => spawn("hello-unixipc"), { code: "ENOENT" });
});

test("a relative command path runs from the child's cwd", async () => {
  using dir = tempDir();
  writeFile(`${dir.path}/tool`, "#!/bin/sh\necho tool ran\n", 0o755);
  const { text, code } = await output("./tool", { cwd: dir.path });
  assert.equal(code, 0);
  assert.equal(text, "tool ran\n");
});

test("wait() gives the exit code, the same status again, and waitSync() agrees", async () => {
  const child = spawn("sh", { args: ["-c", "exit 42"] });
  const status = await child.wait();
  assert.deepEqual(status, { success: false, code: 42, signal: null, signalName: null });
  assert.equal(await child.wait(), status);
  assert.equal(child.waitSync(), status);
  assert.equal(child.status, status);
  const sync = spawn("true");
  assert.equal(sync.status, undefined);
  assert.deepEqual(sync.waitSync(), { success: true, code: 0, signal: null, signalName: null });
});

test("kill() ends a child with the signal asked; after wait() it fails with ESRCH", async () => {
  const child = spawn("sleep", { args: ["30"] });
  child.kill("SIGKILL");
  const status = await child.wait();
  assert.equal(status.signal, 9);
  assert.equal(status.signalName, "SIGKILL");
  assert.throws(() => child.kill(), (error: unknown) => {
    assert.ok(error instanceof ErrnoError);
    assert.equal(error.code, "ESRCH");
    assert.match(error.message, /Cannot send SIGTERM to sleep \(pid \d+\): it has ended/);
    return true;
  });
});

test("wait() with a timeout rejects and leaves the child running; dispose ends it", async () => {
  let pid: number;
  {
    await using child = spawn("sleep", { args: ["30"] });
    pid = child.pid;
    await assert.rejects(child.wait({ timeout: 20 }), { name: "TimeoutError" });
    assert.equal(child.status, undefined);
    child.kill(0); // Still there.
  }
  assert.equal(libc().kill(pid, 0), -1); // Reaped: gone.
});

test("spawn() fails with clear errors: no such command, not executable, bad cwd, closed handle", () => {
  using dir = tempDir();
  writeFile(`${dir.path}/file`, "");
  assert.throws(() => spawn("unixipc-no-such-command"), {
    code: "ENOENT",
    message: /Cannot spawn unixipc-no-such-command: no command unixipc-no-such-command in PATH/,
  });
  assert.throws(() => spawn(`${dir.path}/missing`), { code: "ENOENT", message: /no such file/ });
  assert.throws(() => spawn(`${dir.path}/file`), { code: "EACCES", message: /not executable/ });
  assert.throws(() => spawn("true", { cwd: `${dir.path}/nope` }), {
    code: "ENOENT",
    message: /Cannot spawn true in .*\/nope: it does not exist/,
  });
  assert.throws(() => spawn("true", { cwd: `${dir.path}/file` }), {
    code: "ENOTDIR",
    message: /it is a regular file, not a directory/,
  });
  const p = pipe();
  p.close();
  assert.throws(() => spawn("true", { fds: { 3: p.read } }), { code: "EBADF" });
  assert.throws(() => spawn("true", { fds: { 3: 1_000_000 } }), {
    code: "EBADF",
    message: /fd 1000000 is not open in this process/,
  });
});

test("spawn() rejects bad arguments before any syscall", () => {
  const bad: [unknown, ErrorConstructor][] = [
    [{ fds: { "-1": 1 } }, RangeError],
    [{ fds: { "1.5": 1 } }, RangeError],
    [{ fds: { "03": 1 } }, RangeError],
    [{ fds: { x: 1 } }, RangeError],
    [{ fds: { 3: NaN } }, RangeError],
    [{ fds: { 3: -0 } }, RangeError],
    [{ fds: { 3: 1.5 } }, RangeError],
    [{ fds: { 3: 2 ** 31 } }, RangeError],
    [{ fds: { 3: -1 } }, RangeError],
    [{ fds: { 3: "pipe" } }, TypeError],
    [{ fds: { 3: {} } }, TypeError],
    [{ fds: [1] }, TypeError],
    [{ args: "x" }, TypeError],
    [{ args: [1] }, TypeError],
    [{ args: ["a\0b"] }, RangeError],
    [{ env: { A: 1 } }, TypeError],
    [{ env: { "A=B": "x" } }, TypeError],
    [{ env: null }, TypeError],
    [{ clearEnv: "yes" }, TypeError],
    [{ cwd: 3 }, TypeError],
    [{ newProcessGroup: 1 }, TypeError],
  ];
  for (const [options, kind] of bad) {
    assert.throws(
      () => spawn("true", options as Parameters<typeof spawn>[1]),
      kind,
      JSON.stringify(options),
    );
  }
  assert.throws(() => spawn(42 as unknown as string), TypeError);
  assert.throws(() => spawn(""), TypeError);
  assert.throws(() => spawn("true", "x" as unknown as undefined), TypeError);
  const child = spawn("sleep", { args: ["30"] });
  try {
    for (const signal of [NaN, -0, 1.5, 65, -1]) {
      assert.throws(() => child.kill(signal), RangeError);
    }
    assert.throws(() => child.kill("SIGNOPE" as "SIGTERM"), RangeError);
    assert.throws(() => child.kill({} as unknown as number), TypeError);
  } finally {
    child.kill("SIGKILL");
    child.waitSync();
  }
});

test("twenty children being waited for hold one thread between them", async () => {
  const before = threadsBlockedInIo();
  const children = Array.from({ length: 20 }, () => spawn("sleep", { args: ["30"] }));
  const waits = children.map((c) => c.wait());
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(threadsWaitingOn(pollerStatus().epfd), 1);
  assert.deepEqual(threadsBlockedInIo(before), []);
  for (const child of children) child.kill();
  const statuses = await Promise.all(waits);
  assert.ok(statuses.every((s) => s.signalName === "SIGTERM"));
});

test("a script that spawned a child and does not wait for it exits at once", async () => {
  const script = `
    import { spawn } from ${JSON.stringify(libraryUrl("ipc/mod"))};
    const child = spawn("sleep", { args: ["0.5"] });
    console.log(child.pid);
  `;
  const start = performance.now();
  const { code, stdout } = await runScript(script, { timeout: 20_000 });
  assert.equal(code, 0);
  assert.ok(Number(stdout) > 0);
  assert.ok(performance.now() - start < 5_000);
});

test(
  "spawnModule() runs a module with a role, args, mapped fds and the permissions stated",
  async () => {
    using dir = tempDir();
    const module = `${dir.path}/child.ts`;
    writeFile(
      module,
      `
    import { FdHandle } from ${JSON.stringify(libraryUrl("ipc/mod"))};
    const [role, suffix] = Deno.args;
    if (role !== "upper") Deno.exit(9);
    using input = new FdHandle(3);
    using output = new FdHandle(4);
    const buffer = new Uint8Array(1024);
    let text = "";
    for (let n = await input.read(buffer); n !== null; n = await input.read(buffer)) {
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    await output.write(new TextEncoder().encode(text.toUpperCase() + suffix));
  `,
    );
    using down = pipe();
    using up = pipe();
    await using child = spawnModule(module, {
      role: "upper",
      args: ["!"],
      fds: { 3: down.read, 4: up.write },
      permissions: { ffi: true },
    });
    down.read.close();
    up.write.close();
    await down.write.write(encoder.encode("hello"));
    down.write.close();
    assert.equal(await readAll(up.read), "HELLO!");
    assert.equal((await child.wait()).code, 0);
  },
  { denoOnly: "its child module is TypeScript written for Deno" },
);

test(
  "spawnModule() grants nothing that is not stated: a child without ffi cannot use unixipc",
  async () => {
    using dir = tempDir();
    const module = `${dir.path}/child.ts`;
    writeFile(
      module,
      `import { pipe } from ${JSON.stringify(libraryUrl("ipc/mod"))}; pipe();`,
    );
    using err = pipe();
    const child = spawnModule(module, { permissions: {}, fds: { 2: err.write } });
    err.write.close();
    const stderr = await readAll(err.read);
    assert.equal((await child.wait()).code, 1);
    assert.match(stderr, /--allow-ffi/);
  },
  { denoOnly: "checks Deno's permissions" },
);

test("spawnModule() rejects missing or bad permissions before any syscall", () => {
  const module = "file:///nowhere.ts";
  assert.throws(
    () => spawnModule(module, {} as Parameters<typeof spawnModule>[1]),
    TypeError,
  );
  assert.throws(
    () => spawnModule(module, { permissions: { read: ["a,b"] } }),
    RangeError,
  );
  assert.throws(
    () => spawnModule(module, { permissions: { all: "yes" as unknown as boolean } }),
    TypeError,
  );
  assert.throws(
    () => spawnModule(module, { permissions: { net: "x" as unknown as boolean } }),
    TypeError,
  );
  assert.throws(() => spawnModule(3 as unknown as string, { permissions: {} }), TypeError);
});
