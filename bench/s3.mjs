// Benchmark of the S3 backend against the raw AWS SDK doing the same round trips.
//   node bench/s3.mjs            (after `npx tsc -p tsconfig.json`; starts its own Ceph RGW)
// Env: BENCH_PAIRS (200), BENCH_RUNS (5), BENCH_HANDOFFS (30), BENCH_EXPIRIES (8). Writes bench/results/s3.json.
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { create } from "../dist/backends/s3/index.js";
import { newLeaseId } from "../dist/lease/lease.js";
import {
  expiryHandoffs,
  handoffs,
  inPollingBackoff,
  interleave,
  libraryPairs,
  pairRates,
  req,
  timePairs,
} from "./support/pairs.mjs";
import { writeResults } from "./support/results.mjs";
import { startRgw } from "./support/s3-server.mjs";
import { percentiles, round } from "./support/stats.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const PAIRS = Number(process.env.BENCH_PAIRS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 30);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 8);

/**
 * Raw SDK, the library's floor: the same four requests per pair (GET, PUT If-Match, GET,
 * PUT If-Match) with bodies of the same size, and no decisions in between.
 */
function rawPairs(s3, bucket, key) {
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
  return timePairs(PAIRS, async () => {
    await step("held");
    await step("released");
  });
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
  await libraryPairs(lib, "bench/warm-up", PAIRS);
  await rawPairs(s3, server.bucket, rawKey);

  const runs = await interleave(RUNS, {
    raw: () => rawPairs(s3, server.bucket, rawKey),
    lib: () => libraryPairs(lib, "bench/pairs", PAIRS),
  });
  const hand = await handoffs(holder, waiter, "bench/handoff", HANDOFFS, inPollingBackoff);
  const expired = await expiryHandoffs(holder, waiter, "bench/expiry", EXPIRIES);
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
    acquireReleasePairsPerSecond: pairRates(runs.lib, runs.raw, "rawSameRequests", {
      requestsPerPair: 4,
    }),
    handoffMs: {
      ...percentiles(hand, 50, 90),
      max: round(Math.max(...hand)),
      note: "S3 cannot push: the waiter polls (50 ms doubling to 1 s, jittered), so latency is the poll gap",
    },
    expiryHandoffMs: percentiles(expired, 50, 99),
  };
  writeResults("s3", results);
  const p = results.acquireReleasePairsPerSecond;
  const h = results.handoffMs;
  console.log(`s3 backend (${results.server}), median of ${RUNS} runs of ${PAIRS} pairs`);
  console.log(
    `  acquire+release pairs/s: library ${p.library}, raw SDK same 4 requests ${p.rawSameRequests} (ratio ${p.ratio})`,
  );
  console.log(
    `  release→waiter handoff (polling): p50 ${h.p50} ms, p90 ${h.p90} ms, max ${h.max} ms (n=${h.n})`,
  );
  const e = results.expiryHandoffMs;
  console.log(
    `  expiry→waiter handoff (polling, after the TTL ran out): p50 ${e.p50} ms, p99 ${e.p99} ms (n=${e.n})`,
  );
  console.log("  wrote bench/results/s3.json");
}

await main();
