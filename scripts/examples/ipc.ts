/**
 * The examples of pipes, FIFOs and child processes (`examples/ipc/`), each
 * checked against the real thing: the shell's own pipeline, `sh` writing to
 * our reader's FIFO, `cat` reading what our writer writes. The passive side
 * always starts first; FIFOs live in temporary directories that the harness
 * removes.
 *
 * @module
 */

import type { Scenario } from "./_harness.ts";

export default async function ipc(t: Scenario): Promise<void> {
  const ffi = ["--no-prompt", "--allow-ffi"];

  await t.example("pipe.ts: the child it spawned prints what the parent wrote", async () => {
    const result = await t.run(t.program(ffi, "examples/ipc/pipe.ts"));
    t.expectExit(result, 0);
    t.expectIncludes(
      result.stdout,
      /^parent \d+ writes "Hello!" to child (\d+)$/m,
      /^child \d+ read: Hello!$/m,
      /^child \d+ exited with code 0$/m,
    );
    const child = /to child (\d+)/.exec(result.stdout)![1];
    t.expectIncludes(result.stdout, `child ${child} read: Hello!`);
  });

  await t.example(
    "pipeline.ts: ls -l | wc -l counts what the shell's pipeline counts",
    async () => {
      for (const directory of [".", "/usr/bin", "examples"]) {
        const ours = await t.run(t.program(ffi, "examples/ipc/pipeline.ts", directory));
        t.expectExit(ours, 0);
        const shell = await t.run({
          command: "sh",
          args: ["-c", `ls -l '${directory}' | wc -l`],
        });
        t.expectExit(shell, 0);
        if (ours.stdout.trim() !== shell.stdout.trim() || !/^\d+$/.test(ours.stdout.trim())) {
          throw new Error(
            `ls -l ${directory} | wc -l: ours printed ${JSON.stringify(ours.stdout)}, sh ${
              JSON.stringify(shell.stdout)
            }`,
          );
        }
      }
    },
  );

  await t.example("fifo_reader.ts, then fifo_writer.ts: the reader prints the line", async () => {
    const path = `${t.tempDir()}/demo.fifo`;
    const reader = t.start(t.program(ffi, "examples/ipc/fifo_reader.ts", path));
    await reader.waitFor("waiting for a writer");
    const writer = await t.run(
      t.program(ffi, "examples/ipc/fifo_writer.ts", path, "hello", "from", "Deno"),
    );
    t.expectExit(writer, 0);
    const done = await reader.finished();
    t.expectExit(done, 0);
    t.expectIncludes(done.stdout, /^hello from Deno\n$/);
    t.expectIncludes(done.stderr, "end of stream");
    if (!(await Deno.stat(path)).isFifo) throw new Error(`${path} is not a FIFO`);
  });

  await t.example(
    "fifo_reader.ts, then sh -c 'echo ... > fifo': the reader prints both lines",
    async () => {
      const path = `${t.tempDir()}/demo.fifo`;
      const reader = t.start(t.program(ffi, "examples/ipc/fifo_reader.ts", path));
      await reader.waitFor("waiting for a writer");
      const shell = await t.run({
        command: "sh",
        args: ["-c", `{ echo 'first line'; echo 'second line'; } > '${path}'`],
      });
      t.expectExit(shell, 0);
      const done = await reader.finished();
      t.expectExit(done, 0);
      t.expectIncludes(done.stdout, /^first line\nsecond line\n$/);
    },
  );

  await t.example("cat fifo, then fifo_writer.ts: cat prints what the writer wrote", async () => {
    const dir = t.tempDir();
    const path = `${dir}/demo.fifo`;
    const made = await t.run({ command: "mkfifo", args: ["-m", "600", path] });
    t.expectExit(made, 0);
    // cat blocks in open(2) until a writer comes: our writer has to notice it.
    const cat = t.start({ command: "cat", args: [path] });
    const writer = await t.run(
      t.program(ffi, "examples/ipc/fifo_writer.ts", path, "to", "cat"),
    );
    t.expectExit(writer, 0);
    const done = await cat.finished();
    t.expectExit(done, 0);
    t.expectIncludes(done.stdout, /^to cat\n$/);
  });

  await t.example("fifo_writer.ts without a FIFO fails with a clear error", async () => {
    const path = `${t.tempDir()}/missing.fifo`;
    const writer = await t.run(t.program(ffi, "examples/ipc/fifo_writer.ts", path, "x"));
    t.expectExit(writer, 1);
    t.expectIncludes(writer.stderr, `Cannot open FIFO ${path} for writing`, "(ENOENT)");
  });
}
