// Starts a throw-away PostgreSQL cluster for the benchmark: the machine's initdb + pg_ctl, a free
// loopback port, a temp dir, run as the `postgres` user when we are root. Plain JS, so that
// `node bench/postgres.mjs` needs no TypeScript tooling. Durable settings (fsync on) unless
// BENCH_PG_FAST=1, so the numbers resemble a real server's.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.mjs";

function binDir() {
  if (process.env.LEASEHOLD_TEST_PG_BINDIR) return process.env.LEASEHOLD_TEST_PG_BINDIR;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0])
    throw new Error("PostgreSQL binaries not found: run test/support/install/postgres.sh");
  return join(root, versions[0], "bin");
}

/** Starts the cluster; returns { url, stop() }. The cluster is removed on process exit too. */
export async function startPostgres() {
  if (process.env.LEASEHOLD_TEST_POSTGRES_URL)
    return { url: process.env.LEASEHOLD_TEST_POSTGRES_URL, stop() {} };
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "leasehold-bench-pg-"));
  const data = join(dir, "data");
  const root = process.getuid?.() === 0;
  if (root) {
    const id = (flag) =>
      Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, id("-u"), id("-g"));
  }
  const run = (tool, args) => {
    const [file, argv] = root
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
    const res = spawnSync(file, argv, { encoding: "utf8" });
    if (res.status !== 0) throw new Error(`${tool} failed: ${res.stderr}`);
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Never started.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);
  run("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
    "--locale=C",
  ]);
  const port = await freePort();
  const fast = process.env.BENCH_PG_FAST === "1" ? " -c fsync=off -c synchronous_commit=off" : "";
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${fast}`,
    "-w",
    "start",
  ]);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
