// Benchmark of the etcd backend against raw etcd3 doing the same round trips.
//   node bench/etcd.mjs            (after `npx tsc -p tsconfig.json`; starts its own etcd member)
// Env: BENCH_PAIRS (300), BENCH_RUNS (5), BENCH_HANDOFFS (50), BENCH_EXPIRIES (8),
// LEASEHOLD_BENCH_ETCD (use a running member's URL). Writes bench/results/etcd.json.
import { cpus, loadavg } from "node:os";
import { Etcd3 } from "etcd3";
import { create } from "../dist/backends/etcd/index.js";
import { KeyLayout } from "../dist/backends/etcd/keys.js";
import { leaseSeconds } from "../dist/backends/etcd/leases.js";
import { acquireTxn, releaseTxn } from "../dist/backends/etcd/requests.js";
import { newLeaseId } from "../dist/lease/lease.js";
import { startEtcd } from "./support/etcd-server.mjs";
import {
  expiryHandoffs,
  handoffs,
  interleave,
  libraryPairs,
  pairRates,
  req,
  timePairs,
} from "./support/pairs.mjs";
import { writeResults } from "./support/results.mjs";
import { median, percentiles, round } from "./support/stats.mjs";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 50);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 8);
const PREFIX = "/leasehold-bench/";

/**
 * Raw etcd3, the same four requests per pair as the library: lease grant, the acquire txn,
 * the release txn, lease revoke. The library's floor on this client.
 */
function rawPairs(client, keys, resource) {
  return timePairs(PAIRS, async () => {
    const grant = await client.leaseClient.leaseGrant({ TTL: leaseSeconds(req.ttlMs) });
    const record = {
      id: newLeaseId(),
      principal: req.principal,
      reason: undefined,
      createdMs: Date.now(),
    };
    const won = await client.kv.txn(
      acquireTxn(keys, resource, grant.ID, Date.now() + 60_000, record),
    );
    if (!won.succeeded) throw new Error("raw acquire failed");
    const released = await client.kv.txn(releaseTxn(keys, resource, record.id));
    if (!released.succeeded) throw new Error("raw release failed");
    await client.leaseClient.leaseRevoke({ ID: grant.ID });
  });
}

async function main() {
  const server = await startEtcd();
  const options = {
    endpoints: server.endpoints.split(","),
    prefix: PREFIX,
    dial_timeout: 2000,
    command_timeout: 5000,
  };
  const make = () => create({ name: "etcd", options, timeoutMs: 10_000 });
  const [lib, holder, waiter] = await Promise.all([make(), make(), make()]);
  const raw = new Etcd3({ hosts: server.endpoints.split(",") });
  const keys = new KeyLayout(PREFIX);
  await libraryPairs(lib, "bench/warm-up", PAIRS);
  await rawPairs(raw, keys, "bench/warm-up-raw");

  const runs = await interleave(RUNS, {
    raw: () => rawPairs(raw, keys, "bench/pairs-raw"),
    lib: () => libraryPairs(lib, "bench/pairs", PAIRS),
  });
  // 30 ms: long enough for the waiter to find the lease held and start watching.
  const released = await handoffs(holder, waiter, "bench/handoff", HANDOFFS, () => 30);
  // etcd grants at least about 2 s; expiry waits on etcd's lessor tick (up to 500 ms).
  const expired = await expiryHandoffs(holder, waiter, "bench/expiry", EXPIRIES);
  await Promise.all([lib.close(), holder.close(), waiter.close()]);
  raw.close();
  server.stop();

  const results = {
    backend: "etcd",
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: loadavg().map((x) => round(x, 1)),
    cpus: cpus().length,
    server: `${server.version}, single member, data on tmpfs, loopback`,
    pairs: PAIRS,
    runs: RUNS,
    acquireReleasePairsPerSecond: {
      ...pairRates(runs.lib, runs.raw, "rawSameRequests", {
        // Each run's library/raw ratio, back to back, so machine drift cancels within a pair.
        ratioMedianOfRuns: round(median(runs.lib.map((r, i) => r.rate / runs.raw[i].rate)), 3),
      }),
      requestsPerPair: "grant + acquire txn + release txn + revoke (both sides)",
    },
    releaseHandoffMs: percentiles(released, 50, 99),
    expiryHandoffMs: percentiles(expired, 50, 99),
  };
  writeResults("etcd", results);
  const p = results.acquireReleasePairsPerSecond;
  console.log(`etcd backend (${results.server}), median of ${RUNS} runs of ${PAIRS} pairs`);
  console.log(
    `  acquire+release pairs/s: library ${p.library}, raw etcd3 same requests ${p.rawSameRequests} (ratio ${p.ratio}; per-run median ${p.ratioMedianOfRuns})`,
  );
  console.log(
    `  release→waiter handoff: p50 ${results.releaseHandoffMs.p50} ms, p99 ${results.releaseHandoffMs.p99} ms (n=${released.length})`,
  );
  console.log(
    `  expiry→waiter handoff (after etcd's TTL ran out): p50 ${results.expiryHandoffMs.p50} ms, p99 ${results.expiryHandoffMs.p99} ms (n=${expired.length})`,
  );
  console.log("  wrote bench/results/etcd.json");
}

await main();
