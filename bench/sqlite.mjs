// The sqlite backend: acquire+release pairs/s through the library vs raw better-sqlite3 running
// the same statements in the same transactions, release→waiter and expiry→waiter handoffs
// (sqlite cannot push: waiters poll), and `list` over 10,000 leases.
//   node bench/sqlite.mjs        (after `npm run build`). Env: BENCH_PAIRS (2000), BENCH_RUNS (5),
//   BENCH_HANDOFFS (30), BENCH_EXPIRIES (8).
// Writes bench/results/sqlite.json.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { create } from "../dist/backends/sqlite/index.js";
import { newLeaseId } from "../dist/lease/lease.js";
import {
  expiryHandoffs,
  handoffs,
  inPollingBackoff,
  interleave,
  pairRates,
  req,
  timePairs,
} from "./support/pairs.mjs";
import { writeResults } from "./support/results.mjs";
import { median, percentiles, round } from "./support/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const PAIRS = Number(process.env.BENCH_PAIRS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 30);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 8);
const LIST_SIZE = 10_000;
const dir = mkdtempSync(join(tmpdir(), "leasehold-bench-sqlite-"));

const backend = await create({
  name: "sqlite",
  options: { path: join(dir, "lib.db") },
  timeoutMs: 10_000,
});
const libraryPair = async (i) => {
  const lease = await backend.acquire(`r${i % 50}`, req);
  await backend.release(lease.resource, lease.id);
};

// The raw baseline: the same two transactions (read live row + upsert; conditional release).
const raw = new Database(join(dir, "raw.db"));
raw.pragma("journal_mode = WAL");
raw.pragma("synchronous = NORMAL");
raw.exec(
  "CREATE TABLE leases (resource TEXT PRIMARY KEY NOT NULL, id TEXT, principal TEXT, reason TEXT, created_ms INTEGER, expires_ms INTEGER, fence INTEGER NOT NULL) WITHOUT ROWID",
);
const live = raw.prepare(
  "SELECT * FROM leases WHERE resource = ? AND id IS NOT NULL AND expires_ms > ?",
);
const upsert = raw.prepare(
  "INSERT INTO leases VALUES (?, ?, ?, NULL, ?, ?, 1) ON CONFLICT (resource) DO UPDATE SET id = excluded.id, principal = excluded.principal, created_ms = excluded.created_ms, expires_ms = excluded.expires_ms, fence = fence + 1 RETURNING *",
);
const release = raw.prepare(
  "UPDATE leases SET id = NULL, expires_ms = NULL WHERE resource = ? AND id = ? AND expires_ms > ?",
);
const acquireTx = raw.transaction(
  (r, id, now) => live.get(r, now) ?? upsert.get(r, id, "bench@host", now, now + 60_000),
);
const rawPair = async (i) => {
  const now = Date.now();
  const row = acquireTx.immediate(`r${i % 50}`, newLeaseId(), now);
  release.run(row.resource, row.id, Date.now());
};

const runs = await interleave(RUNS, {
  raw: () => timePairs(PAIRS, rawPair),
  lib: () => timePairs(PAIRS, libraryPair),
});

// Two more processes' worth of clients on the same file: a holder and a polling waiter.
const [holder, waiter] = await Promise.all(
  [0, 1].map(() =>
    create({ name: "sqlite", options: { path: join(dir, "lib.db") }, timeoutMs: 10_000 }),
  ),
);
const hand = await handoffs(holder, waiter, "bench/handoff", HANDOFFS, inPollingBackoff);
const expired = await expiryHandoffs(holder, waiter, "bench/expiry", EXPIRIES);
await Promise.all([holder.close(), waiter.close()]);

// list over 10,000 live leases: library iteration and the CLI, next to `node -e 0`.
const listPath = join(dir, "list.db");
const listBackend = await create({
  name: "sqlite",
  options: { path: listPath },
  timeoutMs: 10_000,
});
for (let i = 0; i < LIST_SIZE; i++)
  await listBackend.acquire(`list/${String(i).padStart(5, "0")}`, req);
const listTimes = [];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  let n = 0;
  for await (const _ of listBackend.list("list/")) n++;
  if (n !== LIST_SIZE) throw new Error(`listed ${n}, expected ${LIST_SIZE}`);
  listTimes.push(performance.now() - t0);
}
const cfg = join(dir, "list.ini");
writeFileSync(cfg, `[backend.sqlite]\npath = ${listPath}\n`);
const env = { ...process.env, HOME: dir };
const cliMs = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`exit ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const cliList = [];
const nodeBase = [];
for (let run = 0; run < RUNS; run++) {
  nodeBase.push(cliMs(["-e", "0"]));
  cliList.push(cliMs([join(here, "../dist/bundle/leasehold.js"), "-c", cfg, "list", "list/"]));
}
const lines = execFileSync(
  process.execPath,
  [join(here, "../dist/bundle/leasehold.js"), "-c", cfg, "list", "list/"],
  { env, encoding: "utf8" },
)
  .trim()
  .split("\n").length;

const result = {
  backend: "sqlite",
  date: new Date().toISOString(),
  node: process.version,
  pairs: PAIRS,
  runs: RUNS,
  acquireReleasePairsPerSecond: pairRates(runs.lib, runs.raw, "rawSameStatements"),
  handoffMs: {
    ...percentiles(hand, 50, 90),
    max: round(Math.max(...hand)),
    note: "sqlite cannot push: the waiter polls (50 ms doubling to 1 s, jittered), so latency is the poll gap",
  },
  expiryHandoffMs: percentiles(expired, 50, 99),
  list10k: {
    leases: LIST_SIZE,
    libraryMs: round(median(listTimes), 1),
    cliMs: round(median(cliList), 1),
    nodeBaselineMs: round(median(nodeBase), 1),
    cliLines: lines,
  },
};
writeResults("sqlite", result, { newline: false });
console.log(
  `sqlite: ${result.acquireReleasePairsPerSecond.library} pairs/s vs raw ${result.acquireReleasePairsPerSecond.rawSameStatements} (ratio ${result.acquireReleasePairsPerSecond.ratio}); list 10k: library ${result.list10k.libraryMs} ms, CLI ${result.list10k.cliMs} ms (node -e 0: ${result.list10k.nodeBaselineMs} ms)`,
);
console.log(
  `  release→waiter handoff (polling): p50 ${result.handoffMs.p50} ms, p90 ${result.handoffMs.p90} ms, max ${result.handoffMs.max} ms (n=${result.handoffMs.n}); expiry→waiter: p50 ${result.expiryHandoffMs.p50} ms, p99 ${result.expiryHandoffMs.p99} ms (n=${result.expiryHandoffMs.n})`,
);
await backend.close();
await listBackend.close();
raw.close();
rmSync(dir, { recursive: true, force: true });
