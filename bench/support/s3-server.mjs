// Starts a throw-away Ceph RADOS Gateway for the S3 benchmark, with the same script the tests
// use (test/support/rgw/start.sh): one monitor, one in-memory OSD, one gateway, on free loopback
// ports in a temp dir. Plain JS, so `node bench/s3.mjs` needs no TypeScript tooling.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const START = resolve(fileURLToPath(new URL("../../test/support/rgw/start.sh", import.meta.url)));

function freePort(port = 0) {
  return new Promise((done) => {
    const srv = createServer();
    srv.once("error", () => done(undefined));
    srv.listen(port, "127.0.0.1", () => {
      const got = srv.address().port;
      srv.close(() => done(got));
    });
  });
}

async function freeRange(count) {
  for (;;) {
    const start = 20000 + Math.floor(Math.random() * 30000);
    const got = await Promise.all(Array.from({ length: count }, (_, i) => freePort(start + i)));
    if (got.every((p) => p !== undefined)) return [start, start + count - 1];
  }
}

function killAll(dir) {
  for (const name of ["client.rgw.a", "client.rgw.b", "osd.0", "mon.a"]) {
    try {
      process.kill(Number(readFileSync(join(dir, "run", `${name}.pid`), "utf8")), "SIGKILL");
    } catch {
      // Not running.
    }
  }
}

/** Starts the gateway; returns its endpoint, keys, bucket and a synchronous stop(). */
export async function startRgw() {
  const dir = mkdtempSync(
    join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "leasehold-bench-rgw-"),
  );
  const stop = () => {
    killAll(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);
  const keys = {
    accessKeyId: "LEASEHOLDBENCHKEY001",
    secretAccessKey: "leasehold-bench-secret-000000000000001",
    bucket: "leases",
  };
  const port = await freePort();
  const [min, max] = await freeRange(16);
  const res = spawnSync(
    "bash",
    [
      START,
      dir,
      String(port),
      String(await freePort()),
      String(min),
      String(max),
      keys.accessKeyId,
      keys.secretAccessKey,
      keys.bucket,
    ],
    { encoding: "utf8" },
  );
  if (res.status !== 0) {
    stop();
    throw new Error(`Ceph RGW did not start (run test/support/install/s3.sh):\n${res.stderr}`);
  }
  return { endpoint: `http://127.0.0.1:${port}`, ...keys, stop };
}
