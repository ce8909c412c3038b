// Run by tests/ipc/libc_test.ts with no permission at all: importing the
// package must work; the first libc call must fail with a clear error.
import * as root from "../../mod.ts";
import * as ipc from "../../ipc/mod.ts";
import { libc } from "../../ipc/_libc.ts";

const report: Record<string, unknown> = {
  imported: typeof root.htons === "function" && typeof ipc.ErrnoError === "function",
};
try {
  report.pid = libc().getpid();
} catch (error) {
  report.error = { name: (error as Error).name, message: (error as Error).message };
}
console.log(JSON.stringify(report));
