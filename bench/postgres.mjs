// Benchmark of the PostgreSQL backend against raw `pg` doing the same round trips.
//   node bench/postgres.mjs            (after `npx tsc -p tsconfig.json`; starts its own cluster)
// Env: BENCH_PAIRS (500), BENCH_RUNS (5), BENCH_HANDOFFS (100), BENCH_PG_FAST=1 (fsync off),
// LEASEHOLD_TEST_POSTGRES_URL (use an existing server). Writes bench/results/postgres.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { create } from "../dist/backends/postgres/index.js";
import { tableNames } from "../dist/backends/postgres/schema.js";
import { statementsFor } from "../dist/backends/postgres/statements.js";
import { isHeld, newLeaseId } from "../dist/lease/lease.js";
import { startPostgres } from "./support/postgres-server.mjs";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 100);
const req = { principal: "bench@host", ttlMs: 60_000 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Library: acquire + release, sequentially, PAIRS times; returns pairs per second. */
async function libraryPairs(backend, resource) {
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const lease = await backend.acquire(resource, req);
    if (isHeld(lease) || !(await backend.release(resource, lease.id)))
      throw new Error("library pair failed");
  }
  return PAIRS / ((performance.now() - t0) / 1000);
}

/** Raw pg: the very same two statements per pair on one Client: the library's floor. */
async function rawPairs(client, sql, resource) {
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
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
  }
  return PAIRS / ((performance.now() - t0) / 1000);
}

/** Two `SELECT 1` per pair: what two round trips cost with no work at all. */
async function emptyPairs(client) {
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    await client.query("SELECT 1");
    await client.query("SELECT 1");
  }
  return PAIRS / ((performance.now() - t0) / 1000);
}

/** Release → waiter holds the lease: from the holder's release call to the waiter's grant. */
async function handoffs(holder, waiter, resource) {
  const out = [];
  for (let i = 0; i < HANDOFFS; i++) {
    const lease = await holder.acquire(resource, req);
    if (isHeld(lease)) throw new Error("holder could not acquire");
    const taken = (async () => {
      for (;;) {
        const got = await waiter.acquire(resource, req);
        if (!isHeld(got)) return got;
        await waiter.waitForChange(resource, Date.now() + 30_000, new AbortController().signal);
      }
    })();
    await sleep(15); // let the waiter find it held and start waiting
    const t0 = performance.now();
    await holder.release(resource, lease.id);
    const got = await taken;
    out.push(performance.now() - t0);
    await waiter.release(resource, got.id);
  }
  return out;
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
  await libraryPairs(lib, "bench/warm-up");
  await rawPairs(raw, sql, "bench/warm-up-raw");

  const libRuns = [];
  const rawRuns = [];
  const emptyRuns = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits both sides alike.
    rawRuns.push(await rawPairs(raw, sql, "bench/pairs-raw"));
    libRuns.push(await libraryPairs(lib, "bench/pairs"));
    emptyRuns.push(await emptyPairs(raw));
  }
  const hand = await handoffs(holder, waiter, "bench/handoff");
  const rawHand = await rawHandoffs(server.url, sql, names.channel, "bench/handoff-raw");
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
      library: round(median(libRuns), 1),
      rawSameStatements: round(median(rawRuns), 1),
      ratio: round(median(libRuns) / median(rawRuns), 3),
      rawSelect1Floor: round(median(emptyRuns), 1),
      libraryRuns: libRuns.map((x) => round(x, 1)),
      rawRuns: rawRuns.map((x) => round(x, 1)),
      perRunRatios: libRuns.map((x, i) => round(x / rawRuns[i], 3)),
    },
    handoffMs: {
      n: hand.length,
      p50: round(pct(hand, 50)),
      p99: round(pct(hand, 99)),
      rawReleaseNotifyAcquireP50: round(pct(rawHand, 50)),
      rawReleaseNotifyAcquireP99: round(pct(rawHand, 99)),
    },
  };
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "postgres.json"), `${JSON.stringify(results, null, 2)}\n`);
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
  console.log("  wrote bench/results/postgres.json");
}

await main();
