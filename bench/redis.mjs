// Benchmark of the Redis backend against raw ioredis doing the same round trips.
//   node bench/redis.mjs            (after `npx tsc -p tsconfig.json`; starts its own servers)
// Env: BENCH_PAIRS (2000), BENCH_RUNS (5), BENCH_HANDOFFS (200), BENCH_EXPIRIES (8). Runs twice: a server without
// persistence, and one with `appendonly yes, appendfsync always` (what docs/backends/redis.md
// recommends for leases). Writes bench/results/redis.json.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { create } from "../dist/backends/redis/index.js";
import { KeySpace } from "../dist/backends/redis/keys.js";
import { defineScripts } from "../dist/backends/redis/scripts.js";
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
import { startRedis } from "./support/redis-server.mjs";
import { writeResults } from "./support/results.mjs";
import { median, pct, percentiles, round, sideBySide } from "./support/stats.mjs";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 200);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 8);
const keys = new KeySpace("leasehold:");

/** The library's acquire script through raw ioredis; true when it granted the lease. */
async function rawAcquire(scripted, k, id, resource) {
  const [granted] = await scripted.leaseholdAcquire(
    k.lease,
    k.fence,
    id,
    req.principal,
    "",
    req.ttlMs,
    resource,
  );
  return granted === 1;
}

/** Raw ioredis: the very same two scripts (EVALSHA) per pair on one connection: the floor. */
async function rawPairs(scripted, resource) {
  const k = keys.of(resource);
  return timePairs(PAIRS, async () => {
    const id = newLeaseId();
    if (!(await rawAcquire(scripted, k, id, resource))) throw new Error("raw acquire failed");
    if ((await scripted.leaseholdRelease(k.lease, id, k.channel)) !== 1)
      throw new Error("raw release failed");
  });
}

/** Two PINGs per pair: what two round trips cost with no work at all. */
async function pingPairs(client) {
  return timePairs(PAIRS, async () => {
    await client.ping();
    await client.ping();
  });
}

/** Raw floor for a handoff: release script (PUBLISHes) → subscriber hears it → acquire script. */
async function rawHandoffs(url, resource) {
  const k = keys.of(resource);
  const holder = defineScripts(new Redis(url));
  const waiter = defineScripts(new Redis(url));
  const sub = new Redis(url);
  await sub.subscribe(k.channel);
  const out = [];
  for (let i = 0; i < HANDOFFS; i++) {
    const held = newLeaseId();
    await rawAcquire(holder, k, held, resource);
    const heard = new Promise((r) => sub.once("message", r));
    // The same idle pause as the library's handoff, so both start from a quiet event loop
    // (waking a sleeping process and server costs a fraction of a millisecond by itself).
    await sleep(10);
    const t0 = performance.now();
    await holder.leaseholdRelease(k.lease, held, k.channel);
    await heard;
    const id = newLeaseId();
    if (!(await rawAcquire(waiter, k, id, resource))) throw new Error("raw handoff acquire failed");
    out.push(performance.now() - t0);
    await waiter.leaseholdRelease(k.lease, id, k.channel);
  }
  for (const c of [holder, waiter, sub]) c.disconnect();
  return out;
}

/** One server configuration: pairs (interleaved runs) and handoffs. */
async function measure(label, persistence) {
  const server = await startRedis(persistence);
  const make = () =>
    create({
      name: "redis",
      options: { url: server.url, prefix: "leasehold:" },
      timeoutMs: 10_000,
    });
  const [lib, holder, waiter] = await Promise.all([make(), make(), make()]);
  const rawClient = new Redis(server.url);
  const raw = defineScripts(rawClient);
  const version = /redis_version:(\S+)/.exec(await rawClient.info("server"))?.[1];
  await libraryPairs(lib, "bench/warm-up", PAIRS);
  await rawPairs(raw, "bench/warm-up-raw");
  const runs = await interleave(RUNS, {
    raw: () => rawPairs(raw, "bench/pairs-raw"),
    lib: () => libraryPairs(lib, "bench/pairs", PAIRS),
    ping: () => pingPairs(rawClient),
  });
  // 10 ms lets the waiter find it held and subscribe.
  const hand = await handoffs(holder, waiter, "bench/handoff", HANDOFFS, () => 10);
  const rawHand = await rawHandoffs(server.url, "bench/handoff-raw");
  const expired = await expiryHandoffs(holder, waiter, "bench/expiry", EXPIRIES);
  await Promise.all([lib.close(), holder.close(), waiter.close()]);
  rawClient.disconnect();
  server.stop();
  return {
    server: `Redis ${version}, ${label}, loopback TCP`,
    acquireReleasePairsPerSecond: pairRates(runs.lib, runs.raw, "rawSameScripts", {
      rawPingFloor: round(median(runs.ping.map((r) => r.rate)), 1),
    }),
    clientCpuMicrosecondsPerPair: sideBySide(
      runs.lib.map((r) => r.cpuUs),
      runs.raw.map((r) => r.cpuUs),
      "rawSameScripts",
    ),
    handoffMs: {
      ...percentiles(hand, 50, 99),
      rawReleasePublishAcquireP50: round(pct(rawHand, 50)),
      rawReleasePublishAcquireP99: round(pct(rawHand, 99)),
    },
    expiryHandoffMs: percentiles(expired, 50, 99),
  };
}

async function main() {
  const configs = [
    await measure("no persistence", ["--save", "", "--appendonly", "no"]),
    await measure("appendonly yes, appendfsync always", [
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
    ]),
  ];
  const results = {
    backend: "redis",
    date: new Date().toISOString(),
    node: process.version,
    pairs: PAIRS,
    runs: RUNS,
    configs,
  };
  writeResults("redis", results);
  console.log(`redis backend, median of ${RUNS} runs of ${PAIRS} pairs`);
  for (const c of configs) {
    const p = c.acquireReleasePairsPerSecond;
    const h = c.handoffMs;
    console.log(`${c.server}`);
    console.log(
      `  acquire+release pairs/s: library ${p.library}, raw ioredis same scripts ${p.rawSameScripts} (ratio ${p.ratio}); PING ×2 floor ${p.rawPingFloor}`,
    );
    const cpu = c.clientCpuMicrosecondsPerPair;
    console.log(
      `  client CPU per pair: library ${cpu.library} µs, raw ${cpu.rawSameScripts} µs (ratio ${cpu.ratio})`,
    );
    console.log(
      `  release→waiter handoff: p50 ${h.p50} ms, p99 ${h.p99} ms (raw release → PUBLISH → acquire: p50 ${h.rawReleasePublishAcquireP50} ms, p99 ${h.rawReleasePublishAcquireP99} ms; n=${h.n})`,
    );
    const e = c.expiryHandoffMs;
    console.log(
      `  expiry→waiter handoff (after the TTL ran out): p50 ${e.p50} ms, p99 ${e.p99} ms (n=${e.n})`,
    );
  }
  console.log("  wrote bench/results/redis.json");
}

await main();
