// Run by tests/ipc/libc_test.ts with UNIXIPC_LIBC set: says which libc it
// opened and whether calls through it work.
import { libc, libcPath } from "../../ipc/_libc.ts";

const report: Record<string, unknown> = { path: libcPath() };
try {
  report.pid = libc().getpid();
  report.denoPid = Deno.pid;
} catch (error) {
  report.error = { name: (error as Error).name, message: (error as Error).message };
}
console.log(JSON.stringify(report));
