// One racing holder for the stress test: a plain-JS process that imports the BUILT library, so
// each of the 16 processes pays Node's start-up once and then loops as fast as the backend lets it.
//
// usage: node worker.mjs CONFIG LOGFILE RESOURCES(comma) TARGET SECONDS TTL_MS SEED
//
// It connects first (one `current` call), prints "ready", and starts racing when a line arrives
// on stdin, so the 16 processes race together however slowly a loaded machine starts them.
//
// Loop: acquire (sometimes waiting) → hold a moment → sometimes renew → release, or sometimes let
// the lease expire. Every lease held is appended to LOGFILE as one JSON line with the backend's
// stamps (createdAt, expiresAt after the last renewal, fence, id) and this machine's wall times
// around each call, so the checker can prove exclusion without trusting any one clock blindly.
import { appendFileSync } from "node:fs";
import { Leasehold } from "../../dist/index.js";

const [config, logFile, resourceList, targetArg, secondsArg, ttlArg, seedArg] =
  process.argv.slice(2);
const resources = resourceList.split(",");
const target = Number(targetArg);
const ttlMs = Number(ttlArg);

// A small seeded generator (mulberry32), so a failing run can be replayed with the same seed.
let state = Number(seedArg) >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const lh = await Leasehold.open({ config });
await lh.current(resources[0]);
process.stdout.write("ready\n");
await new Promise((go) => process.stdin.once("data", go));
process.stdin.destroy();
const deadline = Date.now() + Number(secondsArg) * 1000;
const tally = {
  acquired: 0,
  held: 0,
  renewed: 0,
  renewLost: 0,
  released: 0,
  releaseLost: 0,
  expired: 0,
  errors: 0,
};

while (tally.acquired < target && Date.now() < deadline) {
  const resource = pick(resources);
  const waiting = random() < 0.3;
  const acqStart = Date.now();
  let lease;
  try {
    lease = waiting
      ? await lh.acquire(resource, { ttl: ttlMs, wait: 2 * ttlMs })
      : await lh.tryAcquire(resource, { ttl: ttlMs });
  } catch (e) {
    if (e?.code === "held") lease = { status: "held" };
    else {
      tally.errors++;
      process.stderr.write(`worker ${process.pid}: acquire ${resource}: ${e?.message ?? e}\n`);
      await sleep(50);
      continue;
    }
  }
  const acqEnd = Date.now();
  if (lease.status === "held") {
    tally.held++;
    await sleep(2 + random() * 20);
    continue;
  }
  tally.acquired++;
  const entry = {
    resource,
    id: lease.id,
    fence: lease.fence,
    createdAt: lease.createdAt.getTime(),
    expiresAt: lease.expiresAt.getTime(),
    acqStart,
    acqEnd,
    // The wall times around the call that produced expiresAt (acquire, or the last renewal).
    writeStart: acqStart,
    writeEnd: acqEnd,
    renewals: 0,
    releaseStart: null,
    releaseEnd: null,
    released: false,
    pid: process.pid,
  };
  try {
    await sleep(random() * Math.min(40, ttlMs / 10));
    if (random() < 0.3) {
      const renewStart = Date.now();
      const renewed = await lh.renew(resource, lease.id, { ttl: ttlMs });
      const renewEnd = Date.now();
      if (renewed) {
        tally.renewed++;
        entry.renewals++;
        entry.expiresAt = renewed.expiresAt.getTime();
        entry.writeStart = renewStart;
        entry.writeEnd = renewEnd;
        if (renewed.fence !== lease.fence) entry.renewFenceChanged = renewed.fence;
        await sleep(random() * Math.min(20, ttlMs / 20));
      } else tally.renewLost++;
    }
    if (random() < 0.05) {
      tally.expired++; // let it lapse: the next holder must wait for the backend's expiry
    } else {
      entry.releaseStart = Date.now();
      entry.released = await lh.release(resource, lease.id);
      entry.releaseEnd = Date.now();
      if (entry.released) tally.released++;
      else tally.releaseLost++;
    }
  } catch (e) {
    // Unknown outcome: keep the lease in the log as if never released (the longest it could live).
    tally.errors++;
    entry.error = String(e?.message ?? e);
    process.stderr.write(`worker ${process.pid}: ${resource}: ${entry.error}\n`);
  }
  appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
}

await lh.close();
process.stdout.write(`${JSON.stringify(tally)}\n`);
