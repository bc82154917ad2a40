// Starts a throw-away redis-server for the benchmark on a free loopback port in a temp dir.
// Plain JS, so that `node bench/redis.mjs` needs no TypeScript tooling. Never touches a system
// Redis on 6379.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.mjs";

/**
 * Starts redis-server with `persistence` args (e.g. `["--appendonly", "yes", "--appendfsync",
 * "always"]`); returns { url, port, stop() }. Killed and removed on process exit too.
 */
export async function startRedis(persistence = ["--save", "", "--appendonly", "no"]) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "leasehold-bench-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no"];
  const child = spawn("redis-server", [...args, ...persistence], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const cleanup = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);
  await new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${log}`)),
      10_000,
    );
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}):\n${log}`)));
    child.stderr.on("data", (d) => (log += d));
    child.stdout.on("data", (d) => {
      log += d;
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve();
      }
    });
  });
  return { url: `redis://127.0.0.1:${port}`, port, stop: cleanup };
}
