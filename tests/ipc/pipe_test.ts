import assert from "node:assert/strict";
import {
  ErrnoError,
  F_GETFD,
  F_GETFL,
  FD_CLOEXEC,
  O_NONBLOCK,
  pipe,
  spawn,
} from "../../ipc/mod.ts";
import { libc } from "../../ipc/_libc.ts";
import { test } from "../_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(handle: { read(b: Uint8Array): Promise<number | null> }): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  for (let n = await handle.read(buffer); n !== null; n = await handle.read(buffer)) {
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return text;
}

test("pipe() makes both ends non-blocking and close-on-exec by default", () => {
  using p = pipe();
  const { fcntl } = libc();
  for (const end of [p.read, p.write]) {
    assert.ok(fcntl(end.fd, F_GETFL, 0) & O_NONBLOCK);
    assert.equal(fcntl(end.fd, F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC);
  }
  assert.equal(p.capacity, 65536);
});

test("pipe({ closeOnExec: false }) leaves both ends inheritable by exec", () => {
  using p = pipe({ closeOnExec: false });
  const { fcntl } = libc();
  assert.equal(fcntl(p.read.fd, F_GETFD, 0) & FD_CLOEXEC, 0);
  assert.equal(fcntl(p.write.fd, F_GETFD, 0) & FD_CLOEXEC, 0);
});

test("pipe({ capacity }) sets the pipe's size, rounded up by the kernel", () => {
  using p = pipe({ capacity: 100_000 });
  assert.equal(p.capacity, 131072);
});

test("pipe() rejects bad options before any syscall", () => {
  assert.throws(() => pipe({ closeOnExec: 1 as unknown as boolean }), TypeError);
  assert.throws(() => pipe(null as unknown as undefined), TypeError);
  assert.throws(() => pipe("x" as unknown as undefined), TypeError);
  for (const capacity of [NaN, -0, 1.5, 2 ** 31, -1, 0]) {
    assert.throws(() => pipe({ capacity }), RangeError, String(capacity));
  }
  assert.throws(() => pipe({ capacity: "4096" as unknown as number }), TypeError);
  for (const spin of [NaN, -1, 1.5]) assert.throws(() => pipe({ spin }), RangeError);
});

test("a write of more than PIPE_BUF to a pipe is looped to completion through cat", async () => {
  // our pipe -> cat -> our pipe: 1 MiB in 64 KiB pipes, both directions at once.
  using input = pipe();
  using output = pipe();
  await using cat = spawn("cat", { fds: { 0: input.read, 1: output.write } });
  input.read.close();
  output.write.close();
  const data = new Uint8Array(1 << 20).map((_, i) => (i * 7) % 256);
  const writing = input.write.write(data).then(() => input.write.close());
  const received: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (let n = await output.read.read(buffer); n !== null; n = await output.read.read(buffer)) {
    received.push(buffer.slice(0, n));
  }
  await writing;
  const joined = new Uint8Array(received.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of received) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  assert.deepEqual(joined, data);
  assert.equal((await cat.wait()).code, 0);
});

test("wc counts what we write into a pipe, and sees its end when we close ours", async () => {
  using input = pipe();
  using output = pipe();
  await using wc = spawn("wc", { args: ["-l"], fds: { 0: input.read, 1: output.write } });
  input.read.close();
  output.write.close();
  input.write.writeSync(encoder.encode("one\ntwo\nthree\n"));
  input.write.close();
  assert.equal((await readAll(output.read)).trim(), "3");
  assert.equal((await wc.wait()).code, 0);
});

test("a write to a pipe whose reader (a child) has exited fails with EPIPE", async () => {
  using p = pipe();
  const child = spawn("true", { fds: { 0: p.read } });
  p.read.close();
  await child.wait();
  await assert.rejects(p.write.write(encoder.encode("x")), (error: unknown) => {
    assert.ok(error instanceof ErrnoError);
    assert.equal(error.code, "EPIPE");
    assert.match(error.message, /Cannot write to the write end of a pipe \(fd \d+\): no process/);
    return true;
  });
});

test("reading a pipe end after close() fails with EBADF; closing the pipe twice is harmless", async () => {
  const p = pipe();
  p.close();
  p.close();
  await assert.rejects(p.read.read(new Uint8Array(1)), { code: "EBADF" });
  await assert.rejects(p.write.write(new Uint8Array(1)), { code: "EBADF" });
});

test("pipe ends work with using: both are closed at the end of the scope", () => {
  let fds: number[];
  {
    using p = pipe();
    fds = [p.read.fd, p.write.fd];
  }
  for (const fd of fds) assert.equal(libc().fcntl(fd, F_GETFD, 0), -1);
});

test("concurrent reads on one end, some aborted, get every byte exactly once", async () => {
  using p = pipe();
  const controllers = Array.from({ length: 20 }, () => new AbortController());
  const reads = controllers.map(async (controller) => {
    const buffer = new Uint8Array(1);
    try {
      const n = await p.read.read(buffer, { signal: controller.signal });
      return n === 1 ? buffer[0]! : -1;
    } catch {
      return -2; // Aborted: it took nothing.
    }
  });
  // Abort every other reader, then write one byte at a time.
  controllers.forEach((c, i) => i % 2 === 0 && c.abort());
  for (let i = 0; i < 10; i++) {
    await p.write.write(new Uint8Array([i]));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const got = await Promise.all(reads);
  assert.equal(got.filter((b) => b === -2).length, 10);
  assert.deepEqual(got.filter((b) => b >= 0).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Nothing left over in the pipe either.
  await assert.rejects(p.read.read(new Uint8Array(1), { timeout: 20 }), { name: "TimeoutError" });
});
