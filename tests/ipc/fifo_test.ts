import assert from "node:assert/strict";
import { ErrnoError, mkfifo, openFifo, openFifoSync, pipe, spawn } from "../../ipc/mod.ts";
import { pollerStatus } from "../../ipc/_poller.ts";
import { libraryUrl } from "../_runtime.ts";
import { run, runScript, tempDir, test } from "../_util.ts";
import { threadsBlockedInIo, threadsWaitingOn } from "./_threads.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isFifo(path: string): boolean {
  return Deno.statSync(path).isFifo === true;
}

function modeOf(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

function entries(dir: string): number {
  return Array.from(Deno.readDirSync(dir)).length;
}

function writeFile(path: string): void {
  Deno.writeTextFileSync(path, "");
}

function errorWith(code: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ErrnoError, `not an ErrnoError: ${error}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  };
}

test("mkfifo() makes a FIFO with mode 0600 unless asked", () => {
  using dir = tempDir();
  mkfifo(`${dir.path}/a`);
  assert.ok(isFifo(`${dir.path}/a`));
  assert.equal(Deno.statSync(`${dir.path}/a`).mode! & 0o777, 0o600);
  mkfifo(new URL(`file://${dir.path}/b`), { mode: 0o640 });
  assert.equal(Deno.statSync(`${dir.path}/b`).mode! & 0o777, 0o640 & ~Deno.umask());
});

test("mkfifo() over an existing file fails with EEXIST, naming what is there", () => {
  using dir = tempDir();
  Deno.writeTextFileSync(`${dir.path}/file`, "");
  mkfifo(`${dir.path}/fifo`);
  assert.throws(
    () => mkfifo(`${dir.path}/file`),
    errorWith("EEXIST", /Cannot create FIFO .*\/file: a regular file already exists/),
  );
  assert.throws(() => mkfifo(`${dir.path}/fifo`), errorWith("EEXIST", /a FIFO already exists/));
});

test("mkfifo() in a missing directory fails with ENOENT, naming the directory", () => {
  using dir = tempDir();
  assert.throws(
    () => mkfifo(`${dir.path}/nope/fifo`),
    errorWith("ENOENT", /the directory .*\/nope does not exist \(ENOENT\)/),
  );
});

test("mkfifo() rejects bad arguments before any syscall", () => {
  using dir = tempDir();
  const path = `${dir.path}/f`;
  for (const mode of [NaN, -0, 1.5, 2 ** 31, -1, 0o1000]) {
    assert.throws(() => mkfifo(path, { mode }), RangeError, String(mode));
  }
  assert.throws(() => mkfifo(path, { mode: "600" as unknown as number }), TypeError);
  assert.throws(() => mkfifo(42 as unknown as string), TypeError);
  assert.throws(() => mkfifo(""), TypeError);
  assert.throws(() => mkfifo("a\0b"), RangeError);
  assert.throws(() => mkfifo(new URL("http://example.com/x")), TypeError);
  assert.equal(Array.from(Deno.readDirSync(dir.path)).length, 0);
});

test("openFifo() for reading waits for a shell writer and reads its line", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  mkfifo(path);
  const opening = openFifo(path, "read");
  const writer = run("sh", ["-c", `echo hi > '${path}'`]);
  using reader = await opening;
  const buffer = new Uint8Array(16);
  const n = await reader.read(buffer);
  assert.equal(decoder.decode(buffer.subarray(0, n!)), "hi\n");
  assert.equal(await reader.read(buffer), null);
  assert.equal((await writer).code, 0);
});

test("openFifo() for reading resolves when a writer opens, before it writes", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  mkfifo(path);
  const opening = openFifo(path, "read");
  // The writer opens, then waits for our word (on its stdin) before it writes.
  using go = pipe();
  await using sh = spawn("sh", {
    args: ["-c", `exec 3>'${path}'; read line; echo "$line" >&3`],
    fds: { 0: go.read },
  });
  go.read.close();
  using reader = await opening;
  go.write.writeSync(encoder.encode("after the open\n"));
  go.write.close();
  const buffer = new Uint8Array(64);
  const n = await reader.read(buffer);
  assert.equal(decoder.decode(buffer.subarray(0, n!)), "after the open\n");
  assert.equal((await sh.wait()).code, 0);
});

test("openFifo() for writing waits for cat, blocked in its open, and cat prints what we write", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  mkfifo(path);
  const opening = openFifo(path, "write");
  const cat = run("cat", [path]);
  {
    using writer = await opening;
    await writer.write(encoder.encode("to cat\n"));
  }
  const { code, stdout } = await cat;
  assert.equal(code, 0);
  assert.equal(stdout, "to cat\n");
});

test("openFifo() for writing with wait: false and no reader fails with ENXIO, saying so", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  mkfifo(path);
  await assert.rejects(
    openFifo(path, "write", { wait: false }),
    errorWith("ENXIO", /Cannot open FIFO .* for writing: no process has the FIFO open for reading/),
  );
  assert.throws(() => openFifoSync(path, "write", { wait: false }), { code: "ENXIO" });
});

test("openFifo() of a path that is not a FIFO fails with EINVAL, naming what it is", async () => {
  using dir = tempDir();
  writeFile(`${dir.path}/file`);
  for (const access of ["read", "write"] as const) {
    await assert.rejects(
      openFifo(`${dir.path}/file`, access),
      errorWith("EINVAL", /it is a regular file, not a FIFO \(EINVAL\)/),
    );
    await assert.rejects(openFifo(dir.path, access, { wait: false }), /it is a directory/);
    assert.throws(() => openFifoSync(`${dir.path}/file`, access), { code: "EINVAL" });
  }
});

test("openFifo() in a missing directory fails with ENOENT, naming the directory", async () => {
  using dir = tempDir();
  await assert.rejects(
    openFifo(`${dir.path}/nope/fifo`, "read"),
    errorWith("ENOENT", /the directory .*\/nope does not exist/),
  );
  await assert.rejects(
    openFifo(`${dir.path}/fifo`, "write"),
    errorWith("ENOENT", /nothing exists at this path/),
  );
});

test("openFifo({ create: true }) makes the FIFO, and accepts one that exists", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  using a = await openFifo(path, "read", { create: true, wait: false });
  assert.ok(isFifo(path));
  assert.equal(modeOf(path), 0o600);
  using b = await openFifo(path, "write", { create: true });
  b.writeSync(encoder.encode("x"));
  assert.equal(a.readSync(new Uint8Array(4)), 1);
});

test("an aborted openFifo() closes what it opened and leaves the poller idle", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  mkfifo(path);
  const controller = new AbortController();
  const reading = openFifo(path, "read", { signal: controller.signal });
  mkfifo(`${dir.path}/other`);
  const writing = openFifo(`${dir.path}/other`, "write", { timeout: 20 });
  await assert.rejects(writing, { name: "TimeoutError" });
  controller.abort(new Error("no writer today"));
  await assert.rejects(reading, /no writer today/);
  assert.equal(pollerStatus().waiters, 0);
  // Nothing holds the FIFO open: a write-open without waiting finds no reader.
  await assert.rejects(openFifo(path, "write", { wait: false }), { code: "ENXIO" });
});

test("openFifo() with an aborted signal opens nothing", async () => {
  using dir = tempDir();
  await assert.rejects(
    openFifo(`${dir.path}/fifo`, "read", { create: true, signal: AbortSignal.abort() }),
    { name: "AbortError" },
  );
  assert.equal(entries(dir.path), 0);
});

test("openFifoSync() blocks until the other side, as open(2) does", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  mkfifo(path);
  // The writer is a shell that starts at once; we block in open until it has.
  const writer = run("sh", ["-c", `printf 'sync' > '${path}'`]);
  using reader = openFifoSync(path, "read");
  const buffer = new Uint8Array(8);
  let text = "";
  for (let n = reader.readSync(buffer); n !== null; n = reader.readSync(buffer)) {
    text += decoder.decode(buffer.subarray(0, n));
  }
  assert.equal(text, "sync");
  assert.equal((await writer).code, 0);
});

test("openFifo() rejects bad arguments before any syscall", async () => {
  using dir = tempDir();
  const path = `${dir.path}/fifo`;
  await assert.rejects(openFifo(path, "both" as "read"), RangeError);
  await assert.rejects(openFifo(path, 1 as unknown as "read"), TypeError);
  await assert.rejects(openFifo(path, "read", { create: "yes" as unknown as boolean }), TypeError);
  await assert.rejects(openFifo(path, "read", { create: true, mode: -1 }), RangeError);
  await assert.rejects(openFifo(path, "read", { create: true, timeout: NaN }), RangeError);
  await assert.rejects(openFifo(path, "read", { create: true, timeout: -0 }), RangeError);
  await assert.rejects(openFifo(path, "read", { wait: 0 as unknown as boolean }), TypeError);
  assert.throws(() => openFifoSync(path, "read", { spin: 1.5 }), RangeError);
  assert.throws(() => openFifoSync(null as unknown as string, "read"), TypeError);
  assert.equal(entries(dir.path), 0);
});

test("fifty FIFOs and fifty pipes waiting to be read hold one thread; closing them frees it", async () => {
  using dir = tempDir();
  const before = threadsBlockedInIo();
  const pipes = Array.from({ length: 50 }, () => pipe());
  const fifos = await Promise.all(
    Array.from(
      { length: 50 },
      (_, i) => openFifo(`${dir.path}/f${i}`, "read", { create: true, wait: false }),
    ),
  );
  // Writers that connect but never write: every read has to wait.
  const writers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => openFifo(`${dir.path}/f${i}`, "write")),
  );
  // And fifty more opens that wait for a writer that never comes.
  const controller = new AbortController();
  const opens = Array.from(
    { length: 50 },
    (_, i) =>
      openFifo(`${dir.path}/g${i}`, "read", { create: true, signal: controller.signal }).catch((
        e,
      ) => e),
  );
  const reads = [...pipes.map((p) => p.read), ...fifos].map((h) =>
    h.read(new Uint8Array(8)).catch((e) => e)
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { epfd } = pollerStatus();
  assert.equal(threadsWaitingOn(epfd), 1);
  assert.deepEqual(threadsBlockedInIo(before), []);
  for (const p of pipes) p.close();
  for (const h of [...fifos, ...writers]) h.close();
  controller.abort();
  const results = await Promise.all([...reads, ...opens]);
  assert.ok(results.slice(0, 100).every((r) => r instanceof ErrnoError && r.code === "EBADF"));
  assert.ok(results.slice(100).every((r) => r instanceof DOMException && r.name === "AbortError"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(threadsWaitingOn(epfd), 0);
  assert.equal(pollerStatus().waiters, 0);
});

test(
  "a script with pending FIFO reads and opens exits once its handles are closed and opens aborted",
  async () => {
    using dir = tempDir();
    const script = `
    import { openFifo, pipe } from ${JSON.stringify(libraryUrl("ipc/mod"))};
    const dir = ${JSON.stringify(dir.path)};
    const controller = new AbortController();
    const handles = [];
    for (let i = 0; i < 5; i++) {
      const reader = await openFifo(dir + "/r" + i, "read", { create: true, wait: false });
      const writer = await openFifo(dir + "/r" + i, "write");
      handles.push(reader, writer);
      reader.read(new Uint8Array(8)).catch(() => {});
      openFifo(dir + "/w" + i, "write", { create: true, signal: controller.signal }).catch(() => {});
      openFifo(dir + "/o" + i, "read", { create: true, signal: controller.signal }).catch(() => {});
      const p = pipe();
      handles.push(p.read, p.write);
      p.read.read(new Uint8Array(8)).catch(() => {});
    }
    setTimeout(() => {
      for (const h of handles) h.close();
      controller.abort();
      console.log("closed");
    }, 50);
  `;
    // It would hang (and be killed) if anything still waited.
    const start = performance.now();
    const { code, stdout, stderr } = await runScript(script, {
      timeout: 20_000,
    });
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), "closed");
    assert.ok(performance.now() - start < 10_000);
  },
);
