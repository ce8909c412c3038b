import assert from "node:assert/strict";
import {
  addressOf,
  copyFromNative,
  cString,
  functionAddress,
  lastErrno,
  lastError,
  libc,
  nativeMemory,
  pointerAt,
  pointerOf,
  readCString,
  unwrap,
} from "../../ipc/_libc.ts";
import { ErrnoError } from "../../ipc/errno.ts";
import { deno, randomKey, run, test, throwsWith } from "../_util.ts";

const fixture = (name: string): string => new URL(`../_fixtures/${name}`, import.meta.url).pathname;

/** Runs a fixture with exactly the given deno flags and env, and parses the JSON it prints. */
async function runFixture(
  name: string,
  flags: string[],
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await run(
    deno,
    ["run", "--no-prompt", ...flags, fixture(name)],
    { env },
  );
  assert.equal(code, 0, `${name} exited with ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

/** The full path of the libc this process has mapped. */
function mappedLibcPath(): string {
  const line = Deno.readTextFileSync("/proc/self/maps").split("\n").find((l) =>
    /\/libc\.so\.6$/.test(l) || /\/libc-[\d.]+\.so$/.test(l)
  );
  assert.ok(line, "libc is not mapped into this process");
  return line.slice(line.indexOf("/"));
}

const ENOENT = 2;

test(
  "importing the package needs no permission; the first libc call asks for --allow-ffi",
  async () => {
    const report = await runFixture("libc_without_ffi.ts", []);
    assert.equal(report.imported, true);
    assert.equal(report.pid, undefined);
    const error = report.error as { name: string; message: string };
    assert.equal(error.name, "Error");
    assert.match(error.message, /^Cannot open libc \(libc\.so\.6\): unixipc needs --allow-ffi/);
    assert.match(error.message, /full access/);
  },
  { denoOnly: "checks Deno's permissions in a Deno child" },
);

test("UNIXIPC_LIBC can name libc by its full path", async () => {
  const path = mappedLibcPath();
  const report = await runFixture("libc_open.ts", ["--allow-ffi", "--allow-env"], {
    UNIXIPC_LIBC: path,
  });
  assert.equal(report.path, path);
  assert.equal(report.error, undefined);
  assert.equal(report.pid, report.denoPid);
}, { denoOnly: "the library under test runs in a Deno child" });

test("UNIXIPC_LIBC naming a missing file gives an error that names the path", async () => {
  const report = await runFixture("libc_open.ts", ["--allow-ffi", "--allow-env"], {
    UNIXIPC_LIBC: "/nonexistent/libc.so.6",
  });
  assert.equal(report.path, "/nonexistent/libc.so.6");
  const error = report.error as { message: string };
  assert.match(error.message, /^Cannot open libc \(\/nonexistent\/libc\.so\.6\): /);
  assert.match(error.message, /No such file or directory/);
}, { denoOnly: "the library under test runs in a Deno child" });

test("without UNIXIPC_LIBC, libc is glibc's libc.so.6", async () => {
  const report = await runFixture("libc_open.ts", ["--allow-ffi", "--allow-env"]);
  assert.equal(report.path, "libc.so.6");
  assert.equal(report.pid, report.denoPid);
}, { denoOnly: "the library under test runs in a Deno child" });

test("libc() opens once and returns the same functions every time", () => {
  assert.equal(libc(), libc());
  assert.equal(libc().getpid(), Deno.pid);
});

test("every symbol of the table that is not optional is in glibc", () => {
  const symbols = libc() as unknown as Record<string, unknown>;
  for (
    const name of [
      "__errno_location",
      "msgget",
      "msgsnd",
      "msgrcv",
      "msgctl",
      "semget",
      "semop",
      "semtimedop",
      "semctl",
      "semctl_val",
      "shmget",
      "shmat",
      "shmdt",
      "shmctl",
      "pipe2",
      "poll",
      "epoll_wait",
      "posix_spawn",
      "socket",
      "setsockopt",
      "recvmsg",
      "if_nametoindex",
    ]
  ) {
    assert.equal(typeof symbols[name], "function", name);
  }
  // Optional symbols are present in any glibc from 2.34 on.
  for (const name of ["gettid", "tgkill", "dlsym"]) {
    assert.equal(typeof symbols[name], "function", name);
  }
});

test("a failing msgget for a key with no queue gives ENOENT through lastError, naming the key", () => {
  const key = randomKey();
  const hex = `0x${key.toString(16).padStart(8, "0")}`;
  const id = libc().msgget(key, 0);
  assert.equal(id, -1);
  const error = lastError("msgget", {
    action: `open message queue with key ${hex}`,
    details: { key },
    reasons: { ENOENT: "no queue has this key (create it with IPC_CREAT)" },
  });
  assert.ok(error instanceof ErrnoError);
  assert.equal(error.code, "ENOENT");
  assert.equal(error.errno, ENOENT);
  assert.equal(error.syscall, "msgget");
  assert.deepEqual(error.details, { key });
  assert.equal(
    error.message,
    `Cannot open message queue with key ${hex}: no queue has this key (create it with IPC_CREAT) (ENOENT)`,
  );
});

test("lastError() falls back to strerror's words for a code without a reason", () => {
  assert.equal(libc().msgget(randomKey(), 0), -1);
  const error = lastError("msgget", { action: "open message queue with key 1" });
  assert.equal(
    error.message,
    "Cannot open message queue with key 1: no such file or directory (ENOENT)",
  );
});

test("lastErrno() reads errno right after a failing call, and a later failure overwrites it", () => {
  assert.equal(libc().msgget(randomKey(), 0), -1);
  assert.equal(lastErrno(), ENOENT);
  assert.equal(libc().close(-1), -1);
  assert.equal(lastErrno(), 9); // EBADF
});

test("unwrap() returns results other than -1 as numbers, 64-bit ones too", () => {
  const context = { action: "test" };
  assert.equal(unwrap(5, "x", context), 5);
  assert.equal(unwrap(0, "x", context), 0);
  assert.equal(unwrap(7n, "x", context), 7);
  assert.equal(unwrap(-2, "x", context), -2);
  assert.equal(unwrap(libc().getpid(), "getpid", context), Deno.pid);
});

test("unwrap() throws the call's ErrnoError for -1 and -1n", () => {
  const buffer = new Uint8Array(16);
  const received = libc().msgrcv(-1, buffer, 8n, 0n, 0);
  assert.equal(received, -1n); // 64-bit results are bigints: -1n, never -1
  const error = throwsWith(
    () =>
      unwrap(received, "msgrcv", { action: "receive from message queue -1", details: { id: -1 } }),
    ErrnoError,
    "Cannot receive from message queue -1: invalid argument (EINVAL)",
  ) as ErrnoError;
  assert.equal(error.syscall, "msgrcv");
  assert.equal(libc().close(-1), -1);
  throwsWith(() => unwrap(-1, "close", { action: "close fd -1" }), ErrnoError, "(EBADF)");
});

test("64-bit results come back as bigints", () => {
  assert.equal(typeof libc().sysconf(30), "bigint"); // _SC_PAGESIZE
  assert.ok(libc().sysconf(30) >= 4096n);
});

test("cString() encodes UTF-8 with one terminating NUL", () => {
  assert.deepEqual([...cString("ab", "path")], [97, 98, 0]);
  assert.deepEqual([...cString("é", "path")], [0xc3, 0xa9, 0]);
  assert.deepEqual([...cString("", "path")], [0]);
  assert.deepEqual([...cString("😀", "path")], [0xf0, 0x9f, 0x98, 0x80, 0]);
});

test("cString() refuses a NUL inside, a lone surrogate, and non-strings", () => {
  throwsWith(
    () => cString("a\0b", "path"),
    RangeError,
    "path must not contain a NUL character",
    '"a\\u0000b"',
  );
  throwsWith(() => cString("a\ud800", "path"), RangeError, "lone surrogate");
  throwsWith(() => cString(5 as never, "path"), TypeError, "path must be a string: got 5");
});

test("pointers: a buffer's address, copied from and read as a C string", () => {
  const source = cString("hello", "s");
  const pointer = pointerOf(source);
  const address = addressOf(pointer);
  assert.equal(typeof address, "bigint");
  assert.ok(address > 0n);
  const again = pointerAt(address);
  assert.equal(readCString(again), "hello");
  assert.equal(readCString(again, 1), "ello");
  const target = new Uint8Array(3);
  copyFromNative(again, target, 2);
  assert.deepEqual([...target], [108, 108, 111]);
  assert.deepEqual([...new Uint8Array(nativeMemory(again, 2))], [104, 101]);
});

test("NULL is 0n and is refused where memory would be read", () => {
  assert.equal(addressOf(null), 0n);
  assert.equal(pointerAt(0n), null);
  throwsWith(() => nativeMemory(null, 1), TypeError, "NULL");
  throwsWith(() => copyFromNative(null, new Uint8Array(1)), TypeError, "NULL");
  throwsWith(() => readCString(null), TypeError, "NULL");
});

test("functionAddress() finds libc functions and names the one it cannot find", () => {
  assert.notEqual(functionAddress("getpid"), null);
  throwsWith(
    () => functionAddress("no_such_function_here"),
    Error,
    "Cannot find no_such_function_here in libc",
  );
});
