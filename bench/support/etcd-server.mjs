// Starts a throw-away single-member etcd for the benchmark: the machine's `etcd` (Debian
// etcd-server), free loopback ports, data on tmpfs when /dev/shm exists. Plain JS, so that
// `node bench/etcd.mjs` needs no TypeScript tooling. The member is killed and its directory
// removed on process exit too.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.mjs";

async function healthy(url, child) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("etcd exited at start");
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if ((await res.json()).health === "true") return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${url} not healthy after 20 s`);
}

/** Starts one member; returns { endpoints, version, stop() }. LEASEHOLD_BENCH_ETCD uses a running one. */
export async function startEtcd() {
  if (process.env.LEASEHOLD_BENCH_ETCD)
    return { endpoints: process.env.LEASEHOLD_BENCH_ETCD, version: "external", stop() {} };
  const bin =
    process.env.LEASEHOLD_TEST_ETCD_BIN ||
    spawnSync("sh", ["-c", "command -v etcd"], { encoding: "utf8" }).stdout.trim();
  if (!bin) throw new Error("etcd not found: run test/support/install/etcd.sh");
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0];
  const dir = mkdtempSync(
    join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "leasehold-bench-etcd-"),
  );
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn(
    bin,
    [
      "--name",
      "bench",
      "--data-dir",
      join(dir, "data"),
      "--listen-client-urls",
      url,
      "--advertise-client-urls",
      url,
      "--listen-peer-urls",
      peerUrl,
      "--initial-advertise-peer-urls",
      peerUrl,
      "--initial-cluster",
      `bench=${peerUrl}`,
      "--logger",
      "zap",
      "--log-outputs",
      join(dir, "log"),
    ],
    { stdio: "ignore" },
  );
  const stop = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);
  await healthy(url, child);
  return { endpoints: url, version, stop };
}
