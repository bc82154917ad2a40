// Benchmark of the Redis backend against raw ioredis doing the same round trips.
//   node bench/redis.mjs            (after `npx tsc -p tsconfig.json`; starts its own servers)
// Env: BENCH_PAIRS (2000), BENCH_RUNS (5), BENCH_HANDOFFS (200). Runs twice: a server without
// persistence, and one with `appendonly yes, appendfsync always` (what docs/backends/redis.md
// recommends for leases). Writes bench/results/redis.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { create } from "../dist/backends/redis/index.js";
import { KeySpace } from "../dist/backends/redis/keys.js";
import { defineScripts } from "../dist/backends/redis/scripts.js";
import { isHeld, newLeaseId } from "../dist/lease/lease.js";
import { startRedis } from "./support/redis-server.mjs";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 200);
const req = { principal: "bench@host", ttlMs: 60_000 };
const keys = new KeySpace("leasehold:");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Times `PAIRS` iterations of `body`: pairs per second (wall clock) and this process's CPU µs
 * per pair, which a loaded machine disturbs much less than wall-clock time.
 */
async function timePairs(body) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) await body();
  const cpu = process.cpuUsage(cpu0);
  return {
    rate: PAIRS / ((performance.now() - t0) / 1000),
    cpuUs: (cpu.user + cpu.system) / PAIRS,
  };
}

/** Library: acquire + release, sequentially, PAIRS times. */
async function libraryPairs(backend, resource) {
  return timePairs(async () => {
    const lease = await backend.acquire(resource, req);
    if (isHeld(lease) || !(await backend.release(resource, lease.id)))
      throw new Error("library pair failed");
  });
}

/** Raw ioredis: the very same two scripts (EVALSHA) per pair on one connection: the floor. */
async function rawPairs(scripted, resource) {
  const k = keys.of(resource);
  return timePairs(async () => {
    const id = newLeaseId();
    const [granted] = await scripted.leaseholdAcquire(
      k.lease,
      k.fence,
      id,
      req.principal,
      "",
      req.ttlMs,
      resource,
    );
    if (granted !== 1) throw new Error("raw acquire failed");
    if ((await scripted.leaseholdRelease(k.lease, id, k.channel)) !== 1)
      throw new Error("raw release failed");
  });
}

/** Two PINGs per pair: what two round trips cost with no work at all. */
async function pingPairs(client) {
  return timePairs(async () => {
    await client.ping();
    await client.ping();
  });
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
    await sleep(10); // let the waiter find it held and subscribe
    const t0 = performance.now();
    await holder.release(resource, lease.id);
    const got = await taken;
    out.push(performance.now() - t0);
    await waiter.release(resource, got.id);
  }
  return out;
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
    await holder.leaseholdAcquire(k.lease, k.fence, held, req.principal, "", req.ttlMs, resource);
    const heard = new Promise((r) => sub.once("message", r));
    // The same idle pause as the library's handoff, so both start from a quiet event loop
    // (waking a sleeping process and server costs a fraction of a millisecond by itself).
    await sleep(10);
    const t0 = performance.now();
    await holder.leaseholdRelease(k.lease, held, k.channel);
    await heard;
    const id = newLeaseId();
    const [granted] = await waiter.leaseholdAcquire(
      k.lease,
      k.fence,
      id,
      req.principal,
      "",
      req.ttlMs,
      resource,
    );
    if (granted !== 1) throw new Error("raw handoff acquire failed");
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
  await libraryPairs(lib, "bench/warm-up");
  await rawPairs(raw, "bench/warm-up-raw");
  const libRuns = [];
  const rawRuns = [];
  const pingRuns = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits both sides alike.
    rawRuns.push(await rawPairs(raw, "bench/pairs-raw"));
    libRuns.push(await libraryPairs(lib, "bench/pairs"));
    pingRuns.push(await pingPairs(rawClient));
  }
  const hand = await handoffs(holder, waiter, "bench/handoff");
  const rawHand = await rawHandoffs(server.url, "bench/handoff-raw");
  await Promise.all([lib.close(), holder.close(), waiter.close()]);
  rawClient.disconnect();
  server.stop();
  return {
    server: `Redis ${version}, ${label}, loopback TCP`,
    acquireReleasePairsPerSecond: {
      library: round(median(libRuns.map((r) => r.rate)), 1),
      rawSameScripts: round(median(rawRuns.map((r) => r.rate)), 1),
      ratio: round(median(libRuns.map((r) => r.rate)) / median(rawRuns.map((r) => r.rate)), 3),
      rawPingFloor: round(median(pingRuns.map((r) => r.rate)), 1),
      libraryRuns: libRuns.map((r) => round(r.rate, 1)),
      rawRuns: rawRuns.map((r) => round(r.rate, 1)),
    },
    clientCpuMicrosecondsPerPair: {
      library: round(median(libRuns.map((r) => r.cpuUs)), 1),
      rawSameScripts: round(median(rawRuns.map((r) => r.cpuUs)), 1),
      ratio: round(median(libRuns.map((r) => r.cpuUs)) / median(rawRuns.map((r) => r.cpuUs)), 3),
    },
    handoffMs: {
      n: hand.length,
      p50: round(pct(hand, 50)),
      p99: round(pct(hand, 99)),
      rawReleasePublishAcquireP50: round(pct(rawHand, 50)),
      rawReleasePublishAcquireP99: round(pct(rawHand, 99)),
    },
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
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "redis.json"), `${JSON.stringify(results, null, 2)}\n`);
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
  }
  console.log("  wrote bench/results/redis.json");
}

await main();
