import assert from "node:assert/strict";
import { MessageQueue } from "../../xsi/mod.ts";
import { peers, randomKey, run, test } from "../_util.ts";
import { MsgSt, pythonSysvIpc, runPython } from "./_peers.ts";

test(
  "MessageQueue and Python's sysv_ipc exchange struct msg_st both ways, byte for byte",
  async () => {
    const key = randomKey();
    using queue = MessageQueue.open(key, { create: true, exclusive: true });
    try {
      queue.sendSync(1, { name: "Alan", math: 90, chinese: 85 }, { layout: MsgSt });
      const got = await runPython(
        `
mq = sysv_ipc.MessageQueue(int(sys.argv[1]))
data, mtype = mq.receive(block=False)
name, math, chinese = struct.unpack("=32sii", data)
print(mtype, len(data), name.rstrip(b"\\0").decode(), math, chinese)
mq.send(struct.pack("=32sii", b"Grace", 99, 77), type=2)
`,
        [String(key)],
      );
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim(), "1 40 Alan 90 85");
      const { type, data } = queue.receiveSync({ layout: MsgSt, wait: false });
      assert.equal(type, 2);
      assert.deepEqual(data, { mtype: 2, name: "Grace", math: 99, chinese: 77 });
    } finally {
      queue.remove();
    }
  },
  { peers: [pythonSysvIpc] },
);

test("MessageQueue.receive() gets what Python sends later, and Python gets our bytes", async () => {
  const key = randomKey();
  using queue = MessageQueue.open(key, { create: true, exclusive: true });
  try {
    const pending = queue.receive({ type: 3, timeout: 10000 });
    const python = runPython(
      `
import time
mq = sysv_ipc.MessageQueue(int(sys.argv[1]))
time.sleep(0.05)
mq.send(bytes(range(256)) * 4, type=3)
data, mtype = mq.receive(type=4)
print(mtype, data.hex())
`,
      [String(key)],
    );
    const { data } = await pending;
    assert.deepEqual(data, new Uint8Array(1024).map((_, i) => i & 0xff));
    queue.sendSync(4, new Uint8Array([0, 1, 0xfe, 0xff]));
    const out = await python;
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim(), "4 0001feff");
  } finally {
    queue.remove();
  }
}, { peers: [pythonSysvIpc] });

test(
  "MessageQueue and Perl's IPC::SysV exchange struct msg_st both ways, byte for byte",
  async () => {
    const key = randomKey();
    using queue = MessageQueue.open(key, { create: true, exclusive: true });
    try {
      queue.sendSync(1, { name: "Alan", math: 90, chinese: 85 }, { layout: MsgSt });
      const { code, stdout, stderr } = await run("perl", [
        "-MIPC::SysV=IPC_NOWAIT",
        "-e",
        `
my $id = msgget($ARGV[0], 0) // die "msgget: $!";
msgrcv($id, my $buf, 40, 0, IPC_NOWAIT) // die "msgrcv: $!";
my ($type, $name, $math, $chinese) = unpack("l! Z32 i i", $buf);
print "$type ", length($buf) - 8, " $name $math $chinese\\n";
msgsnd($id, pack("l! a32 i i", 5, "Grace", 99, 77), 0) or die "msgsnd: $!";
`,
        String(key),
      ]);
      assert.equal(code, 0, stderr);
      assert.equal(stdout.trim(), "1 40 Alan 90 85");
      const { type, data } = queue.receiveSync({ layout: MsgSt, wait: false });
      assert.equal(type, 5);
      assert.deepEqual(data, { mtype: 5, name: "Grace", math: 99, chinese: 77 });
    } finally {
      queue.remove();
    }
  },
  { peers: [peers.perl] },
);
