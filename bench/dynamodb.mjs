// Benchmark of the DynamoDB backend against the raw AWS SDK doing the same requests, on dynalite.
//   node bench/dynamodb.mjs      (after `npx tsc -p tsconfig.json`; starts its own dynalite)
// Env: BENCH_PAIRS (300), BENCH_RUNS (5), BENCH_HANDOFFS (30), BENCH_EXPIRIES (8). Writes bench/results/dynamodb.json.
import { performance } from "node:perf_hooks";
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { create } from "../dist/backends/dynamodb/index.js";
import { isHeld, newLeaseId } from "../dist/lease/lease.js";
import { startDynalite } from "./support/dynamodb-server.mjs";
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
import { percentiles, round, sideBySide } from "./support/stats.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const PAIRS = Number(process.env.BENCH_PAIRS ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 30);
const EXPIRIES = Number(process.env.BENCH_EXPIRIES ?? 8);
const COLD = 30;

/** The same two conditional UpdateItems per pair through the raw SDK, no decisions between. */
function rawUpdates(resource, now) {
  const id = newLeaseId();
  const names = { "#st": "state", "#id": "lease_id", "#e": "expires_ms", "#f": "fence" };
  const acquire = {
    TableName: "leasehold",
    Key: { resource: { S: resource } },
    UpdateExpression:
      "SET #id = :id, principal = :p, #st = :held, created_ms = :now, #e = :exp, expires = :ttl, #f = if_not_exists(#f, :now) + :one REMOVE reason",
    ConditionExpression: "attribute_not_exists(#id) OR #st = :released OR #e < :stale",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: {
      ":id": { S: id },
      ":p": { S: req.principal },
      ":held": { S: "held" },
      ":released": { S: "released" },
      ":now": { N: String(now) },
      ":exp": { N: String(now + req.ttlMs) },
      ":ttl": { N: String(Math.ceil((now + req.ttlMs) / 1000) + 2_592_000) },
      ":one": { N: "1" },
      ":stale": { N: String(now - 1000) },
    },
    ReturnValues: "ALL_NEW",
  };
  const release = {
    TableName: "leasehold",
    Key: { resource: { S: resource } },
    UpdateExpression: "SET #st = :released",
    ConditionExpression: "#id = :id AND #st = :held",
    ExpressionAttributeNames: { "#st": "state", "#id": "lease_id" },
    ExpressionAttributeValues: {
      ":id": { S: id },
      ":held": { S: "held" },
      ":released": { S: "released" },
    },
    ReturnValues: "ALL_NEW",
  };
  return { acquire, release };
}

function rawPairs(client, resource) {
  return timePairs(PAIRS, async () => {
    const { acquire, release } = rawUpdates(resource, Date.now());
    await client.send(new UpdateItemCommand(acquire));
    await client.send(new UpdateItemCommand(release));
  });
}

/** A new client per acquire (what every CLI process pays): GetItem + UpdateItem, then release. */
async function coldAcquires(make, resource) {
  const out = [];
  for (let i = 0; i < COLD; i++) {
    const b = await make();
    const t0 = performance.now();
    const lease = await b.acquire(resource, req);
    out.push(performance.now() - t0);
    if (isHeld(lease)) throw new Error("cold acquire was refused");
    await b.release(resource, lease.id);
    await b.close();
  }
  return out;
}

async function rawCold(endpoint, resource) {
  const out = [];
  for (let i = 0; i < COLD; i++) {
    const client = rawClient(endpoint);
    const t0 = performance.now();
    await client.send(
      new GetItemCommand({
        TableName: "leasehold",
        Key: { resource: { S: resource } },
        ConsistentRead: true,
      }),
    );
    const { acquire, release } = rawUpdates(resource, Date.now());
    await client.send(new UpdateItemCommand(acquire));
    out.push(performance.now() - t0);
    await client.send(new UpdateItemCommand(release));
    client.destroy();
  }
  return out;
}

function rawClient(endpoint) {
  return new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
}

async function main() {
  const server = await startDynalite();
  const options = {
    endpoint: server.endpoint,
    region: "us-east-1",
    access_key_id: "bench",
    secret_access_key: "bench",
    create_table: true,
  };
  const make = () => create({ name: "dynamodb", options, timeoutMs: 10_000 });
  const [lib, holder, waiter] = await Promise.all([make(), make(), make()]);
  const raw = rawClient(server.endpoint);
  await libraryPairs(lib, "bench/warm-up", PAIRS); // creates the table
  await rawPairs(raw, "bench/raw-warm-up");

  const runs = await interleave(RUNS, {
    raw: () => rawPairs(raw, "bench/raw-pairs"),
    lib: () => libraryPairs(lib, "bench/pairs", PAIRS),
  });
  const rawColdMs = await rawCold(server.endpoint, "bench/raw-cold");
  const coldMs = await coldAcquires(make, "bench/cold");
  const hand = await handoffs(holder, waiter, "bench/handoff", HANDOFFS, inPollingBackoff);
  const expired = await expiryHandoffs(holder, waiter, "bench/expiry", EXPIRIES);
  await Promise.all([lib.close(), holder.close(), waiter.close()]);
  raw.destroy();
  server.stop();

  const results = {
    backend: "dynamodb",
    date: new Date().toISOString(),
    node: process.version,
    server: "dynalite 4.0 (in memory), loopback HTTP",
    pairs: PAIRS,
    runs: RUNS,
    acquireReleasePairsPerSecond: pairRates(runs.lib, runs.raw, "rawSameRequests", {
      requestsPerPair: 2,
    }),
    coldAcquireMs: {
      n: COLD,
      ...sideBySide(coldMs, rawColdMs, "rawSameRequests", 2),
      note: "a new client per acquire, as in every CLI process: consistent GetItem (learns the server clock) + conditional UpdateItem",
    },
    handoffMs: {
      ...percentiles(hand, 50, 90),
      max: round(Math.max(...hand)),
      note: "DynamoDB cannot push: the waiter polls (50 ms doubling to 1 s, jittered), so latency is the poll gap",
    },
    expiryHandoffMs: percentiles(expired, 50, 99),
  };
  writeResults("dynamodb", results);
  const p = results.acquireReleasePairsPerSecond;
  const c = results.coldAcquireMs;
  const h = results.handoffMs;
  console.log(`dynamodb backend (${results.server}), median of ${RUNS} runs of ${PAIRS} pairs`);
  console.log(
    `  acquire+release pairs/s, warm client: library ${p.library}, raw SDK same 2 requests ${p.rawSameRequests} (ratio ${p.ratio})`,
  );
  console.log(
    `  cold acquire (new client): library ${c.library} ms, raw SDK same 2 requests ${c.rawSameRequests} ms (ratio ${c.ratio})`,
  );
  console.log(
    `  release→waiter handoff (polling): p50 ${h.p50} ms, p90 ${h.p90} ms, max ${h.max} ms (n=${h.n})`,
  );
  const e = results.expiryHandoffMs;
  console.log(
    `  expiry→waiter handoff (polling, after the TTL ran out): p50 ${e.p50} ms, p99 ${e.p99} ms (n=${e.n})`,
  );
  console.log("  wrote bench/results/dynamodb.json");
}

await main();
