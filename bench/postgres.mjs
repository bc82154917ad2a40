// Benchmark of the PostgreSQL backend against raw `pg` doing the same round trips.
//   node bench/postgres.mjs            (after `npx tsc -p tsconfig.json`; starts its own cluster)
// Env: BENCH_PAIRS (500), BENCH_RUNS (5), BENCH_HANDOFFS (100), BENCH_EXPIRIES (8), BENCH_PG_FAST=1 (fsync off),
// LEASEHOLD_TEST_POSTGRES_URL (use an existing server). Writes bench/results/postgres.json.
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { create } from "../dist/backends/postgres/index.js";
import { tableNames } from "../dist/backends/postgres/schema.js";
import { statementsFor } from "../dist/backends/postgres/statements.js";
import { newLeaseId } from "../dist/lease/lease.js";
import {
  expiryHandoffs,
  handoffs,
  interleave,
  libraryPairs,
  pairRates,
  req,
  timePairs,
} from "./support/pairs.mjs";
import { startPostgres } from "./support/postgres-server.mjs";
import { writeResults } from "./support/results.mjs";
import { median, pct, percentiles, round } from "./support/stats.mjs";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 100);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 8);
/** Raw pg: the very same two statements per pair on one Client: the library's floor. */
function rawPairs(client, sql, resource) {
  return timePairs(PAIRS, async () => {
    const id = newLeaseId();
    const { rows } = await client.query(sql.acquire, [
      resource,
      id,
      req.principal,
      null,
      req.ttlMs,
    ]);
    if (!rows[0]?.granted) throw new Error("raw acquire failed");
    if ((await client.query(sql.release, [resource, id])).rowCount !== 1)
      throw new Error("raw release failed");
  });
}

/** Two `SELECT 1` per pair: what two round trips cost with no work at all. */
function emptyPairs(client) {
  return timePairs(PAIRS, async () => {
    await client.query("SELECT 1");
    await client.query("SELECT 1");
  });
}

/**
 * Raw floor for a handoff with the same round trips: a holder client runs the release statement
 * (which NOTIFYs the table's channel), a LISTENing client hears it and runs one acquire.
 */
async function rawHandoffs(url, sql, channel, resource) {
  const listener = new pg.Client(url);
  const holder = new pg.Client(url);
  await Promise.all([listener.connect(), holder.connect()]);
  await listener.query(`LISTEN "${channel}"`);
  const out = [];
  for (let i = 0; i < HANDOFFS; i++) {
    const held = newLeaseId();
    await holder.query(sql.acquire, [resource, held, req.principal, null, req.ttlMs]);
    const heard = new Promise((r) => listener.once("notification", r));
    const t0 = performance.now();
    await holder.query(sql.release, [resource, held]);
    await heard;
    const id = newLeaseId();
    const { rows } = await listener.query(sql.acquire, [
      resource,
      id,
      req.principal,
      null,
      req.ttlMs,
    ]);
    if (!rows[0]?.granted) throw new Error("raw handoff acquire failed");
    out.push(performance.now() - t0);
    await listener.query(sql.release, [resource, id]);
  }
  await Promise.all([listener.end(), holder.end()]);
  return out;
}

async function main() {
  const server = await startPostgres();
  const options = { url: server.url, schema: "public", table: "leasehold_leases" };
  const make = () => create({ name: "postgres", options, timeoutMs: 10_000 });
  const [lib, holder, waiter] = await Promise.all([make(), make(), make()]);
  const raw = new pg.Client(server.url);
  await raw.connect();
  const names = tableNames("postgres", "public", "leasehold_leases");
  const sql = statementsFor(names);
  const version = (await raw.query("SHOW server_version")).rows[0].server_version;
  const settings = (
    await raw.query(
      "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc",
    )
  ).rows[0];
  await lib.current("warm-up"); // connects; the first acquire creates the table
  await libraryPairs(lib, "bench/warm-up", PAIRS);
  await rawPairs(raw, sql, "bench/warm-up-raw");

  const runs = await interleave(RUNS, {
    raw: () => rawPairs(raw, sql, "bench/pairs-raw"),
    lib: () => libraryPairs(lib, "bench/pairs", PAIRS),
    empty: () => emptyPairs(raw),
  });
  // 15 ms lets the waiter find it held and start waiting.
  const hand = await handoffs(holder, waiter, "bench/handoff", HANDOFFS, () => 15);
  const rawHand = await rawHandoffs(server.url, sql, names.channel, "bench/handoff-raw");
  const expired = await expiryHandoffs(holder, waiter, "bench/expiry", EXPIRIES);
  await Promise.all([lib.close(), holder.close(), waiter.close(), raw.end()]);
  server.stop();

  const results = {
    backend: "postgres",
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0], 1) },
    server: `PostgreSQL ${version}, fsync=${settings.fsync}, synchronous_commit=${settings.sc}, loopback TCP`,
    pairs: PAIRS,
    runs: RUNS,
    acquireReleasePairsPerSecond: {
      ...pairRates(runs.lib, runs.raw, "rawSameStatements", {
        rawSelect1Floor: round(median(runs.empty.map((r) => r.rate)), 1),
      }),
      perRunRatios: runs.lib.map((r, i) => round(r.rate / runs.raw[i].rate, 3)),
    },
    handoffMs: {
      ...percentiles(hand, 50, 99),
      rawReleaseNotifyAcquireP50: round(pct(rawHand, 50)),
      rawReleaseNotifyAcquireP99: round(pct(rawHand, 99)),
    },
    expiryHandoffMs: percentiles(expired, 50, 99),
  };
  writeResults("postgres", results);
  const p = results.acquireReleasePairsPerSecond;
  const h = results.handoffMs;
  console.log(`postgres backend (${results.server}), median of ${RUNS} runs of ${PAIRS} pairs`);
  console.log(
    `  machine: ${results.machine.cpus} CPUs, load average ${results.machine.loadAverage1m}`,
  );
  console.log(
    `  acquire+release pairs/s: library ${p.library}, raw pg same statements ${p.rawSameStatements} (ratio ${p.ratio}); SELECT 1 ×2 floor ${p.rawSelect1Floor}`,
  );
  console.log(
    `  release→waiter handoff: p50 ${h.p50} ms, p99 ${h.p99} ms (raw pg release → NOTIFY → acquire: p50 ${h.rawReleaseNotifyAcquireP50} ms, p99 ${h.rawReleaseNotifyAcquireP99} ms; n=${h.n})`,
  );
  const e = results.expiryHandoffMs;
  console.log(
    `  expiry→waiter handoff (after the TTL ran out): p50 ${e.p50} ms, p99 ${e.p99} ms (n=${e.n})`,
  );
  console.log("  wrote bench/results/postgres.json");
}

await main();
