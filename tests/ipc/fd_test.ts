import assert from "node:assert/strict";
import { ErrnoError, pipe } from "../../ipc/mod.ts";
import { pollerStatus } from "../../ipc/_poller.ts";
import { libraryUrl } from "../_runtime.ts";
import { runScript, test } from "../_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Threads of this process now blocked in epoll_wait on `epfd` (x86_64: 232, or epoll_pwait 281; aarch64: epoll_pwait 22). */
function threadsWaitingOn(epfd: number): number {
  let count = 0;
  for (const task of Deno.readDirSync("/proc/self/task")) {
    const fields = Deno.readTextFileSync(`/proc/self/task/${task.name}/syscall`).split(" ");
    const nr = Number(fields[0]);
    if (
      (nr === 232 || nr === 281 || (Deno.build.arch === "aarch64" && nr === 22)) &&
      Number(fields[1]) === epfd
    ) {
      count++;
    }
  }
  return count;
}

test("fdHandle.read() waits for data without blocking the event loop", async () => {
  using p = pipe();
  const buffer = new Uint8Array(16);
  const reading = p.read.read(buffer);
  let timerRan = false;
  await new Promise((resolve) => setTimeout(resolve, 20)).then(() => (timerRan = true));
  assert.ok(timerRan);
  p.write.writeSync(encoder.encode("ping"));
  const n = await reading;
  assert.equal(decoder.decode(buffer.subarray(0, n!)), "ping");
});

test("fdHandle.read() gives null at the end of the stream once no writer is left", async () => {
  using p = pipe();
  const reading = p.read.read(new Uint8Array(8));
  p.write.close();
  assert.equal(await reading, null);
  assert.equal(p.read.readSync(new Uint8Array(8)), null);
});

test("an aborted FdHandle.read() takes nothing: the data stays for the next read", async () => {
  using p = pipe();
  const controller = new AbortController();
  const reading = p.read.read(new Uint8Array(8), { signal: controller.signal });
  controller.abort(new Error("changed my mind"));
  await assert.rejects(reading, /changed my mind/);
  p.write.writeSync(encoder.encode("kept"));
  const buffer = new Uint8Array(8);
  const n = await p.read.read(buffer);
  assert.equal(decoder.decode(buffer.subarray(0, n!)), "kept");
  assert.equal(pollerStatus().waiters, 0);
});

test("fdHandle.read() with a timeout rejects with a TimeoutError", async () => {
  using p = pipe();
  await assert.rejects(p.read.read(new Uint8Array(8), { timeout: 30 }), { name: "TimeoutError" });
  assert.equal(pollerStatus().waiters, 0);
});

test("closing an FdHandle rejects its pending reads with EBADF and idles the poller", async () => {
  const p = pipe();
  const reading = p.read.read(new Uint8Array(8));
  p.close();
  await assert.rejects(reading, (error: unknown) => {
    assert.ok(error instanceof ErrnoError);
    assert.equal(error.code, "EBADF");
    assert.match(error.message, /the read end of a pipe .* the handle is closed \(EBADF\)/);
    return true;
  });
  assert.equal(pollerStatus().waiters, 0);
});

test("FdHandle after close(): every call fails with EBADF, close() again does nothing", () => {
  const p = pipe();
  p.close();
  p.close();
  assert.equal(p.read.closed, true);
  assert.throws(() => p.read.readSync(new Uint8Array(1)), { code: "EBADF" });
  assert.throws(() => p.write.writeSync(new Uint8Array(1)), { code: "EBADF" });
  assert.throws(() => p.read.fd, { code: "EBADF" });
});

test("fdHandle.write() with no reader left fails with EPIPE, saying so", async () => {
  using p = pipe();
  p.read.close();
  await assert.rejects(p.write.write(encoder.encode("lost")), (error: unknown) => {
    assert.ok(error instanceof ErrnoError);
    assert.equal(error.code, "EPIPE");
    assert.equal(error.syscall, "write");
    assert.match(error.message, /no process has the read end open \(EPIPE\)/);
    return true;
  });
  assert.throws(() => p.write.writeSync(encoder.encode("lost")), { code: "EPIPE" });
});

test("fdHandle.write() of 4 MiB completes through a 64 KiB pipe while the reader drains it", async () => {
  using p = pipe();
  const data = new Uint8Array(4 << 20).map((_, i) => i % 251);
  const writing = p.write.write(data);
  const received = new Uint8Array(data.length);
  let offset = 0;
  while (offset < data.length) {
    const n = await p.read.read(received.subarray(offset));
    offset += n!;
  }
  assert.equal(await writing, data.length);
  assert.deepEqual(received, data);
});

test("concurrent FdHandle.write() calls never interleave their bytes", async () => {
  using p = pipe();
  const a = new Uint8Array(300_000).fill(0x61);
  const b = new Uint8Array(300_000).fill(0x62);
  const writes = Promise.all([p.write.write(a), p.write.write(b)]);
  const received = new Uint8Array(a.length + b.length);
  let offset = 0;
  while (offset < received.length) offset += (await p.read.read(received.subarray(offset)))!;
  await writes;
  assert.deepEqual(received.subarray(0, a.length), a);
  assert.deepEqual(received.subarray(a.length), b);
});

test("fdHandle.readable streams every byte, ends at end of stream, and closes the handle", async () => {
  const p = pipe();
  const data = new Uint8Array(200_000).map((_, i) => i % 13);
  const writing = p.write.write(data).then(() => p.write.close());
  const chunks: Uint8Array[] = [];
  for await (const chunk of p.read.readable) chunks.push(chunk.slice());
  await writing;
  const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  assert.deepEqual(joined, data);
  assert.equal(p.read.closed, true);
});

test("fdHandle.writable writes what is piped to it and closes the handle", async () => {
  const p = pipe();
  const source = ReadableStream.from([encoder.encode("one "), encoder.encode("two")]);
  await source.pipeTo(p.write.writable);
  assert.equal(p.write.closed, true);
  const buffer = new Uint8Array(16);
  const n = p.read.readSync(buffer);
  assert.equal(decoder.decode(buffer.subarray(0, n!)), "one two");
  p.close();
});

test("a hundred pending reads on a hundred pipes hold one thread, waiting on one epoll fd", async () => {
  const pipes = Array.from({ length: 100 }, () => pipe());
  const reads = pipes.map((p) => p.read.read(new Uint8Array(4)).catch((e) => e));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { epfd, waiters, fds } = pollerStatus();
  assert.equal(waiters, 100);
  assert.equal(fds, 100);
  assert.equal(threadsWaitingOn(epfd), 1);
  for (const p of pipes) p.close();
  const results = await Promise.all(reads);
  assert.ok(results.every((r) => r instanceof ErrnoError && r.code === "EBADF"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(threadsWaitingOn(epfd), 0);
});

test("a script whose handles are closed while reads are pending exits at once", async () => {
  const script = `
    import { pipe } from ${JSON.stringify(libraryUrl("ipc/mod"))};
    const pipes = Array.from({ length: 10 }, () => pipe());
    for (const p of pipes) p.read.read(new Uint8Array(8)).catch(() => {});
    setTimeout(() => { for (const p of pipes) p.close(); console.log("closed"); }, 20);
  `;
  // It would hang for ever (and be killed) if a pool thread still waited in epoll_wait.
  const { code, stdout } = await runScript(script, { timeout: 20_000 });
  assert.equal(code, 0);
  assert.equal(stdout.trim(), "closed");
});

test("FdHandle rejects bad arguments before any syscall", async () => {
  using p = pipe();
  assert.throws(() => p.read.readSync(new Uint8Array(0)), RangeError);
  assert.throws(() => p.read.readSync("x" as unknown as Uint8Array), TypeError);
  await assert.rejects(p.read.read(new Uint8Array(0)), RangeError);
  await assert.rejects(p.read.read(new Uint8Array(1), { timeout: -1 }), RangeError);
  await assert.rejects(p.read.read(new Uint8Array(1), { timeout: NaN }), RangeError);
  await assert.rejects(p.read.read(new Uint8Array(1), { signal: {} as AbortSignal }), TypeError);
  await assert.rejects(p.write.write([1, 2] as unknown as Uint8Array), TypeError);
  assert.equal(pollerStatus().waiters, 0);
});
