/**
 * The net examples, run as a user would run them, passive side first: the
 * UDP, broadcast and multicast pairs exchange a `struct msg_st`, and the
 * TCP time server answers our client (and `nc`, when installed). Every
 * output is checked; every child is reaped, killed if it hangs.
 *
 * Receivers and the server listen on port 0 (they say on stderr which port
 * they got), so that runs never collide. Nothing is sent outside this host:
 * broadcast goes to 127.255.255.255 and multicast out of the loopback
 * interface.
 *
 * Run by `deno task examples` (`scripts/examples.ts` calls the default
 * export), or alone: `deno run -A scripts/examples/net.ts`.
 *
 * @module
 */

const root = new URL("../../", import.meta.url).pathname;
const deno = Deno.execPath();
const decoder = new TextDecoder();

/** A running example whose stderr we watch for its "listening on" line. */
interface Passive {
  readonly child: Deno.ChildProcess;
  readonly port: number;
  /** The rest of stdout, once the child exits. */
  readonly stdout: Promise<string>;
  readonly stderr: () => string;
}

function example(name: string, args: string[]): Deno.Command {
  return new Deno.Command(deno, {
    args: ["run", "--allow-ffi", `${root}examples/net/${name}`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** Starts a passive example and waits (at most 20 s) for the port it listens on. */
async function startPassive(name: string, args: string[]): Promise<Passive> {
  const child = example(name, args).spawn();
  const stdout = collect(child.stdout);
  let err = "";
  const reader = child.stderr.getReader();
  const deadline = Date.now() + 20_000;
  let port: number | undefined;
  while (port === undefined) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
    });
    const chunk = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (chunk === "timeout" || chunk.done) {
      child.kill("SIGKILL");
      await child.status;
      reader.releaseLock();
      await child.stderr.cancel();
      await stdout;
      throw new Error(`${name} did not say where it listens: ${err}`);
    }
    err += decoder.decode(chunk.value, { stream: true });
    const match = err.match(/listening on [0-9.]+:([0-9]+)/);
    if (match) port = Number(match[1]);
  }
  // Keep draining stderr so that the child never blocks on a full pipe.
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      err += decoder.decode(value, { stream: true });
    }
  })();
  return {
    child,
    port,
    stdout: stdout.then(async (text) => {
      await rest;
      return text;
    }),
    stderr: () => err,
  };
}

/** Waits for a child, killing it after `ms`. */
async function finish(
  name: string,
  child: Deno.ChildProcess,
  ms = 20_000,
): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  const status = await Promise.race([child.status, timeout]);
  clearTimeout(timer);
  if (status === "timeout") {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`${name} did not finish in ${ms} ms`);
  }
  return status;
}

async function runActive(name: string, args: string[]): Promise<string> {
  const child = example(name, args).spawn();
  const [stdout, stderr] = [collect(child.stdout), collect(child.stderr)];
  const status = await finish(name, child);
  const out = await stdout;
  const err = await stderr;
  if (!status.success) throw new Error(`${name} ${args.join(" ")} failed (${status.code}): ${err}`);
  return out;
}

function expectRecord(output: string, expected: Record<string, unknown>, what: string): void {
  const lines = output.trim().split("\n");
  if (lines.length !== 1) {
    throw new Error(`${what}: expected one JSON line, got ${JSON.stringify(output)}`);
  }
  const record = JSON.parse(lines[0]!);
  if (!/^127\.0\.0\.1:[0-9]+$/.test(record.from)) {
    throw new Error(`${what}: unexpected sender ${JSON.stringify(record.from)}`);
  }
  for (const [key, value] of Object.entries(expected)) {
    if (record[key] !== value) {
      throw new Error(
        `${what}: ${key} is ${JSON.stringify(record[key])}, expected ${JSON.stringify(value)}`,
      );
    }
  }
}

/** One pair: the receiver (count 1) first, then the sender; checks the receiver's line. */
async function pair(
  receiver: string,
  receiverArgs: string[],
  sender: string,
  senderArgs: (port: number) => string[],
  expected: Record<string, unknown>,
): Promise<void> {
  const passive = await startPassive(receiver, ["--port", "0", "--count", "1", ...receiverArgs]);
  try {
    await runActive(sender, senderArgs(passive.port));
    const status = await finish(receiver, passive.child);
    const output = await passive.stdout;
    if (!status.success) throw new Error(`${receiver} failed: ${passive.stderr()}`);
    expectRecord(output, expected, `${receiver} <- ${sender}`);
    console.log(`net: ${sender} -> ${receiver}: ${output.trim()}`);
  } finally {
    try {
      passive.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await passive.child.status;
  }
}

async function hasCommand(command: string): Promise<boolean> {
  const { success } = await new Deno.Command("sh", {
    args: ["-c", `command -v ${command}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return success;
}

async function timeServer(): Promise<void> {
  const server = await startPassive("tcp_server.ts", ["--port", "0"]);
  try {
    const before = Math.floor(Date.now() / 1000);
    const line = (await runActive("tcp_client.ts", ["127.0.0.1", "--port", String(server.port)]))
      .trim();
    const after = Math.floor(Date.now() / 1000);
    const seconds = Number(line);
    if (!/^[0-9]+$/.test(line) || seconds < before - 1 || seconds > after + 1) {
      throw new Error(`tcp_client printed ${JSON.stringify(line)}, not the time (${before})`);
    }
    console.log(`net: tcp_client <- tcp_server: ${line}`);
    if (await hasCommand("nc")) {
      const nc = new Deno.Command("nc", {
        args: ["-w", "5", "127.0.0.1", String(server.port)],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const out = collect(nc.stdout);
      const err = collect(nc.stderr);
      await finish("nc", nc);
      const text = await out;
      await err;
      if (!/^[0-9]+\r\n$/.test(text)) {
        throw new Error(`nc got ${JSON.stringify(text)} from tcp_server, not "<seconds>\\r\\n"`);
      }
      console.log(`net: nc <- tcp_server: ${JSON.stringify(text)}`);
    }
    server.child.kill("SIGTERM");
    const status = await finish("tcp_server.ts", server.child, 10_000);
    if (!status.success) {
      throw new Error(`tcp_server did not stop cleanly on SIGTERM: ${server.stderr()}`);
    }
    await server.stdout;
  } finally {
    try {
      server.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await server.child.status;
  }
}

/** Runs every net example pair and checks what they print. */
export default async function runNetExamples(): Promise<void> {
  await pair(
    "udp_rcver.ts",
    [],
    "udp_snder.ts",
    (
      port,
    ) => ["127.0.0.1", "--port", String(port), "--name", "Alan", "--math", "90", "--chinese", "85"],
    { name: "Alan", math: 90, chinese: 85 },
  );
  await pair(
    "broadcast_rcver.ts",
    [],
    "broadcast_snder.ts",
    (port) => ["--port", String(port), "--name", "Grace", "--math", "100", "--chinese", "77"],
    { name: "Grace", math: 100, chinese: 77 },
  );
  await pair(
    "multicast_rcver.ts",
    [],
    "multicast_snder.ts",
    (
      port,
    ) => ["--port", String(port), "--name", "Edsger", "--math", "4294967295", "--chinese", "0"],
    { name: "Edsger", math: 4294967295, chinese: 0 },
  );
  await timeServer();
}

if (import.meta.main) await runNetExamples();
