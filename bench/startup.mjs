// CLI start-up per backend, as a ratio against `node -e 0` measured alternately in the same run:
//   `leasehold is-held R ID` (one call) and `acquire` + `release` (two calls) vs `node -e 0`,
//   plus `is-held` through the unbundled tsc output to show what the bundle buys.
//   node bench/startup.mjs [backend ...]     (after `npm run build`; starts its own servers;
//   naming backends prints their figures without recording them)
// Env: BENCH_STARTUP_RUNS (15). Writes bench/results/startup.json.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEtcd } from "./support/etcd-server.mjs";
import { startPostgres } from "./support/postgres-server.mjs";
import { startRedis } from "./support/redis-server.mjs";
import { writeResults } from "./support/results.mjs";
import { startRgw } from "./support/s3-server.mjs";
import { median, pct, round } from "./support/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, "../dist/bundle/leasehold.js");
// The same CLI as plain tsc output, one file per module: what the bundle bought, in the same run.
const UNBUNDLED = join(here, "../dist/cli/bin.js");
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const dir = mkdtempSync(join(tmpdir(), "leasehold-bench-startup-"));
const env = {
  ...process.env,
  HOME: dir,
  XDG_STATE_HOME: join(dir, "state"),
  XDG_CONFIG_HOME: join(dir, "cfg"),
};

/** Starts a backend's server and returns the INI section for it plus a stop function. */
const SERVERS = {
  sqlite: async () => ({ ini: `[backend.sqlite]\npath = ${join(dir, "l.db")}\n`, stop() {} }),
  redis: async () => {
    const s = await startRedis();
    return { ini: `[backend.redis]\nurl = ${s.url}\n`, stop: s.stop };
  },
  postgres: async () => {
    const s = await startPostgres();
    return { ini: `[backend.postgres]\nurl = ${s.url}\n`, stop: s.stop };
  },
  etcd: async () => {
    const s = await startEtcd();
    return { ini: `[backend.etcd]\nendpoints = ${s.endpoints}\n`, stop: s.stop };
  },
  s3: async () => {
    const s = await startRgw();
    const ini = `[backend.s3]\nbucket = ${s.bucket}\nendpoint = ${s.endpoint}\nregion = us-east-1\nforce_path_style = true\naccess_key_id = ${s.accessKeyId}\nsecret_access_key = ${s.secretAccessKey}\n`;
    return { ini, stop: s.stop };
  },
};

/** Wall time of one `node ...args` run; a run that does not exit 0 makes the figure void. */
const ms = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const took = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return took;
};

async function measure(kind) {
  const server = await SERVERS[kind]();
  try {
    const cfg = join(dir, `${kind}.ini`);
    writeFileSync(cfg, `[default]\nbackend = ${kind}\n\n${server.ini}`, { mode: 0o600 });
    const cli = (...a) => [BIN, "-c", cfg, ...a];
    const unbundled = (...a) => [UNBUNDLED, "-c", cfg, ...a];
    const id = execFileSync(process.execPath, cli("acquire", "bench-held"), {
      env,
      encoding: "utf8",
    }).trim();
    ms(cli("is-held", "bench-held", id)); // warm the page cache and any first-use setup
    const base = [];
    const isHeld = [];
    const isHeldUnbundled = [];
    const pair = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(ms(["-e", "0"]));
      isHeld.push(ms(cli("is-held", "bench-held", id)));
      isHeldUnbundled.push(ms(unbundled("is-held", "bench-held", id)));
      const t0 = process.hrtime.bigint();
      const lease = execFileSync(process.execPath, cli("acquire", `bench-pair-${i}`), {
        env,
        encoding: "utf8",
      }).trim();
      execFileSync(process.execPath, cli("release", `bench-pair-${i}`, lease), { env });
      pair.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const b = median(base);
    const h = median(isHeld);
    const u = median(isHeldUnbundled);
    const p = median(pair);
    return {
      backend: kind,
      nodeBaselineMs: round(b, 1),
      isHeldMs: round(h, 1),
      isHeldRatio: round(h / b),
      isHeldSpreadMs: [round(pct(isHeld, 25), 1), round(pct(isHeld, 75), 1)],
      isHeldUnbundledMs: round(u, 1),
      isHeldUnbundledRatio: round(u / b),
      acquireReleaseMs: round(p, 1),
      acquireReleaseRatio: round(p / (2 * b)),
    };
  } finally {
    server.stop();
  }
}

const kinds = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SERVERS);
const results = [];
for (const kind of kinds) {
  try {
    const r = await measure(kind);
    results.push(r);
    console.log(
      `${kind}: is-held ${r.isHeldMs} ms = ${r.isHeldRatio}x node -e 0 (${r.nodeBaselineMs} ms), unbundled ${r.isHeldUnbundledRatio}x; acquire+release ${r.acquireReleaseMs} ms = ${r.acquireReleaseRatio}x two node starts`,
    );
  } catch (e) {
    console.error(`${kind}: skipped (${e.message.split("\n")[0]})`);
  }
}
// Only a run over every backend is recorded: BENCHMARKS.md shows one run's figures side by side.
if (kinds.length === Object.keys(SERVERS).length) {
  writeResults(
    "startup",
    { date: new Date().toISOString(), node: process.version, runs: RUNS, results },
    { newline: false },
  );
} else {
  console.log("(a run over some backends only: bench/results/startup.json left as it was)");
}
process.exit(0);
