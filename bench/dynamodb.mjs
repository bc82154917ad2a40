// Benchmark of the DynamoDB backend against the raw AWS SDK doing the same requests, on dynalite.
//   node bench/dynamodb.mjs      (after `npx tsc -p tsconfig.json`; starts its own dynalite)
// Env: BENCH_PAIRS (300), BENCH_RUNS (5), BENCH_HANDOFFS (30). Writes bench/results/dynamodb.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { create } from "../dist/backends/dynamodb/index.js";
import { isHeld, newLeaseId } from "../dist/lease/lease.js";
import { startDynalite } from "./support/dynamodb-server.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const PAIRS = Number(process.env.BENCH_PAIRS ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 30);
const COLD = 30;
const req = { principal: "bench@host", ttlMs: 60_000 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Library, warm client: acquire + release on one resource, sequentially; pairs per second. */
async function libraryPairs(backend, resource) {
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const lease = await backend.acquire(resource, req);
    if (isHeld(lease) || !(await backend.release(resource, lease.id)))
      throw new Error("library pair failed");
  }
  return PAIRS / ((performance.now() - t0) / 1000);
}

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

async function rawPairs(client, resource) {
  const t0 = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const { acquire, release } = rawUpdates(resource, Date.now());
    await client.send(new UpdateItemCommand(acquire));
    await client.send(new UpdateItemCommand(release));
  }
  return PAIRS / ((performance.now() - t0) / 1000);
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
  await libraryPairs(lib, "bench/warm-up"); // creates the table
  await rawPairs(raw, "bench/raw-warm-up");

  const libRuns = [];
  const rawRuns = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits both sides alike.
    rawRuns.push(await rawPairs(raw, "bench/raw-pairs"));
    libRuns.push(await libraryPairs(lib, "bench/pairs"));
  }
  const rawColdMs = await rawCold(server.endpoint, "bench/raw-cold");
  const coldMs = await coldAcquires(make, "bench/cold");
  const hand = await handoffs(holder, waiter, "bench/handoff");
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
    acquireReleasePairsPerSecond: {
      library: round(median(libRuns), 1),
      rawSameRequests: round(median(rawRuns), 1),
      ratio: round(median(libRuns) / median(rawRuns), 3),
      requestsPerPair: 2,
      libraryRuns: libRuns.map((x) => round(x, 1)),
      rawRuns: rawRuns.map((x) => round(x, 1)),
    },
    coldAcquireMs: {
      n: COLD,
      library: round(median(coldMs)),
      rawSameRequests: round(median(rawColdMs)),
      ratio: round(median(coldMs) / median(rawColdMs), 3),
      note: "a new client per acquire, as in every CLI process: consistent GetItem (learns the server clock) + conditional UpdateItem",
    },
    handoffMs: {
      n: hand.length,
      p50: round(pct(hand, 50)),
      p90: round(pct(hand, 90)),
      max: round(Math.max(...hand)),
      note: "DynamoDB cannot push: the waiter polls (50 ms doubling to 1 s, jittered), so latency is the poll gap",
    },
  };
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "dynamodb.json"), `${JSON.stringify(results, null, 2)}\n`);
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
  console.log("  wrote bench/results/dynamodb.json");
}

await main();
