// CLI start-up per backend, as a ratio against `node -e 0` measured alternately in the same run:
//   `leasehold is-held R ID` (one call) and `acquire` + `release` (two calls) vs `node -e 0`,
//   plus `is-held` through the unbundled tsc output to show what the bundle buys.
//   node bench/startup.mjs [backend ...]     (after `npm run build`; starts its own servers)
// Env: BENCH_STARTUP_RUNS (15). Writes bench/results/startup.json.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEtcd } from "./support/etcd-server.mjs";
import { startPostgres } from "./support/postgres-server.mjs";
import { startRedis } from "./support/redis-server.mjs";
import { startRgw } from "./support/s3-server.mjs";

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
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p25: q(0.25), p75: q(0.75) };
};
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

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
    const b = stats(base);
    const h = stats(isHeld);
    const u = stats(isHeldUnbundled);
    const p = stats(pair);
    return {
      backend: kind,
      nodeBaselineMs: round(b.median, 1),
      isHeldMs: round(h.median, 1),
      isHeldRatio: round(h.median / b.median),
      isHeldSpreadMs: [round(h.p25, 1), round(h.p75, 1)],
      isHeldUnbundledMs: round(u.median, 1),
      isHeldUnbundledRatio: round(u.median / b.median),
      acquireReleaseMs: round(p.median, 1),
      acquireReleaseRatio: round(p.median / (2 * b.median)),
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
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results/startup.json"),
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, runs: RUNS, results },
    null,
    2,
  ),
);
process.exit(0);
