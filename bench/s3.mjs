// Benchmark of the S3 backend against the raw AWS SDK doing the same round trips.
//   node bench/s3.mjs            (after `npx tsc -p tsconfig.json`; starts its own Ceph RGW)
// Env: BENCH_PAIRS (200), BENCH_RUNS (5), BENCH_HANDOFFS (30). Writes bench/results/s3.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { create } from "../dist/backends/s3/index.js";
import { isHeld, newLeaseId } from "../dist/lease/lease.js";
import { startRgw } from "./support/s3-server.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const PAIRS = Number(process.env.BENCH_PAIRS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 30);
const req = { principal: "bench@host", ttlMs: 60_000 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Library: acquire + release on one (known) resource, sequentially; pairs per second. */
async function libraryPairs(backend, resource) {
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const lease = await backend.acquire(resource, req);
    if (isHeld(lease) || !(await backend.release(resource, lease.id)))
      throw new Error("library pair failed");
  }
  return PAIRS / ((performance.now() - t0) / 1000);
}

/**
 * Raw SDK, the library's floor: the same four requests per pair (GET, PUT If-Match, GET,
 * PUT If-Match) with bodies of the same size, and no decisions in between.
 */
async function rawPairs(s3, bucket, key) {
  const body = (state) =>
    JSON.stringify({
      v: 1,
      resource: "bench/pairs",
      state,
      id: newLeaseId(),
      principal: req.principal,
      ttlMs: req.ttlMs,
      fence: 1,
      writeId: newLeaseId(),
    });
  const step = async (state) => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await got.Body.transformToString();
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body(state),
        IfMatch: got.ETag.replaceAll('"', ""),
      }),
    );
  };
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    await step("held");
    await step("released");
  }
  return PAIRS / ((performance.now() - t0) / 1000);
}

/** Release → waiter holds the lease, measured from the release call to the waiter's grant. */
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
    await sleep(100 + Math.random() * 400); // the waiter is somewhere in its backoff, as in life
    const t0 = performance.now();
    await holder.release(resource, lease.id);
    const got = await taken;
    out.push(performance.now() - t0);
    await waiter.release(resource, got.id);
  }
  return out;
}

async function main() {
  const server = await startRgw();
  const options = {
    bucket: server.bucket,
    endpoint: server.endpoint,
    force_path_style: true,
    region: "us-east-1",
    access_key_id: server.accessKeyId,
    secret_access_key: server.secretAccessKey,
    prefix: "leasehold/",
    max_attempts: 3,
  };
  const make = () => create({ name: "s3", options, timeoutMs: 10_000 });
  const [lib, holder, waiter] = await Promise.all([make(), make(), make()]);
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const rawKey = "bench-raw/pairs";
  await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key: rawKey, Body: "{}" }));
  await libraryPairs(lib, "bench/warm-up");
  await rawPairs(s3, server.bucket, rawKey);

  const libRuns = [];
  const rawRuns = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits both sides alike.
    rawRuns.push(await rawPairs(s3, server.bucket, rawKey));
    libRuns.push(await libraryPairs(lib, "bench/pairs"));
  }
  const hand = await handoffs(holder, waiter, "bench/handoff");
  await Promise.all([lib.close(), holder.close(), waiter.close()]);
  s3.destroy();
  server.stop();

  const results = {
    backend: "s3",
    date: new Date().toISOString(),
    node: process.version,
    server: "Ceph RADOS Gateway 16.2 (Debian 12), memstore OSD, beast tcp_nodelay=1, loopback HTTP",
    pairs: PAIRS,
    runs: RUNS,
    acquireReleasePairsPerSecond: {
      library: round(median(libRuns), 1),
      rawSameRequests: round(median(rawRuns), 1),
      ratio: round(median(libRuns) / median(rawRuns), 3),
      requestsPerPair: 4,
      libraryRuns: libRuns.map((x) => round(x, 1)),
      rawRuns: rawRuns.map((x) => round(x, 1)),
    },
    handoffMs: {
      n: hand.length,
      p50: round(pct(hand, 50)),
      p90: round(pct(hand, 90)),
      max: round(Math.max(...hand)),
      note: "S3 cannot push: the waiter polls (50 ms doubling to 1 s, jittered), so latency is the poll gap",
    },
  };
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "s3.json"), `${JSON.stringify(results, null, 2)}\n`);
  const p = results.acquireReleasePairsPerSecond;
  const h = results.handoffMs;
  console.log(`s3 backend (${results.server}), median of ${RUNS} runs of ${PAIRS} pairs`);
  console.log(
    `  acquire+release pairs/s: library ${p.library}, raw SDK same 4 requests ${p.rawSameRequests} (ratio ${p.ratio})`,
  );
  console.log(
    `  release→waiter handoff (polling): p50 ${h.p50} ms, p90 ${h.p90} ms, max ${h.max} ms (n=${h.n})`,
  );
  console.log("  wrote bench/results/s3.json");
}

await main();
