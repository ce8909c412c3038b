import assert from "node:assert/strict";
import { errnoCode, errnoDescription, ErrnoError, errnoNumber } from "../../ipc/errno.ts";
import * as errnos from "../../ipc/_errnos.ts";
import { test, throwsWith } from "../_util.ts";

test("errnoCode() names Linux errno numbers, and E<n> for unknown ones", () => {
  assert.equal(errnoCode(1), "EPERM");
  assert.equal(errnoCode(2), "ENOENT");
  assert.equal(errnoCode(11), "EAGAIN");
  assert.equal(errnoCode(42), "ENOMSG");
  assert.equal(errnoCode(43), "EIDRM");
  assert.equal(errnoCode(133), "EHWPOISON");
  assert.equal(errnoCode(999), "E999");
  assert.equal(errnoCode(41), "E41"); // Linux has no errno 41
});

test("errnoNumber() is the inverse of errnoCode(), aliases included", () => {
  for (let n = 1; n <= 133; n++) {
    const code = errnoCode(n);
    if (!code.startsWith("E") || code === `E${n}`) continue;
    assert.equal(errnoNumber(code), n, code);
  }
  assert.equal(errnoNumber("EWOULDBLOCK"), 11);
  assert.equal(errnoNumber("EDEADLOCK"), 35);
  assert.equal(errnoNumber("ENOTSUP"), 95);
});

test("the errno numbers the code branches on agree with the errno table", () => {
  const entries = Object.entries(errnos);
  assert.ok(entries.length >= 20);
  for (const [code, errno] of entries) assert.equal(errnoCode(errno), code, `${code} = ${errno}`);
});

test("errnoNumber() of an unknown code is a RangeError naming it", () => {
  throwsWith(() => errnoNumber("ENOPE"), RangeError, 'Unknown errno code: "ENOPE"');
});

test("errnoDescription() is strerror's text in lower case", () => {
  assert.equal(errnoDescription(2), "no such file or directory");
  assert.equal(errnoDescription(43), "identifier removed");
  assert.equal(errnoDescription(28), "no space left on device");
  assert.equal(errnoDescription(999), "unknown error 999");
});

test("ErrnoError carries code, errno, syscall and details", () => {
  const error = new ErrnoError(2, {
    syscall: "msgget",
    action: "open message queue with key 0x00001234",
    details: { key: 0x1234 },
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ErrnoError");
  assert.equal(error.code, "ENOENT");
  assert.equal(error.errno, 2);
  assert.equal(error.syscall, "msgget");
  assert.deepEqual(error.details, { key: 0x1234 });
  assert.ok(Object.isFrozen(error.details));
});

test("ErrnoError's message says what could not be done, why, and the code", () => {
  const plain = new ErrnoError(2, {
    syscall: "msgget",
    action: "open message queue with key 0x00001234",
  });
  assert.equal(
    plain.message,
    "Cannot open message queue with key 0x00001234: no such file or directory (ENOENT)",
  );
  const domain = new ErrnoError(43, {
    syscall: "msgrcv",
    action: "receive from message queue 42",
    reason: "the queue was removed",
  });
  assert.equal(
    domain.message,
    "Cannot receive from message queue 42: the queue was removed (EIDRM)",
  );
});

test("ErrnoError keeps a cause when given one, and has none otherwise", () => {
  const cause = new Error("inner");
  assert.equal(new ErrnoError(5, { syscall: "read", action: "read", cause }).cause, cause);
  assert.equal("cause" in new ErrnoError(5, { syscall: "read", action: "read" }), false);
});

test("ErrnoError's details are a copy: changing the object given changes nothing", () => {
  const details: Record<string, unknown> = { fd: 3 };
  const error = new ErrnoError(9, { syscall: "close", action: "close fd 3", details });
  details.fd = 4;
  assert.equal(error.details.fd, 3);
  assert.deepEqual(new ErrnoError(9, { syscall: "close", action: "close" }).details, {});
});

test("ErrnoError for an errno Linux does not define still reads well", () => {
  const error = new ErrnoError(999, { syscall: "x", action: "do x" });
  assert.equal(error.code, "E999");
  assert.equal(error.message, "Cannot do x: unknown error 999 (E999)");
});
