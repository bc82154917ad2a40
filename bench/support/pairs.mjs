// The loops each backend benchmark runs the library through: timed acquire+release pairs,
// interleaved with the raw client's, and release→waiter handoffs.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { isHeld } from "../../dist/lease/lease.js";
import { round, sideBySide } from "./stats.mjs";

/** The one request both sides make, so the raw client writes what the library writes. */
export const req = { principal: "bench@host", ttlMs: 60_000 };

/**
 * Times `pairs` sequential calls of `body(i)`: pairs per second (wall clock) and this process's
 * CPU µs per pair, which a loaded machine disturbs much less than wall-clock time.
 */
export async function timePairs(pairs, body) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) await body(i);
  const cpu = process.cpuUsage(cpu0);
  return {
    rate: pairs / ((performance.now() - t0) / 1000),
    cpuUs: (cpu.user + cpu.system) / pairs,
  };
}

/** Library: acquire + release on one resource, sequentially. */
export function libraryPairs(backend, resource, pairs) {
  return timePairs(pairs, async () => {
    const lease = await backend.acquire(resource, req);
    if (isHeld(lease) || !(await backend.release(resource, lease.id)))
      throw new Error("library pair failed");
  });
}

/**
 * `runs` rounds of every side in `sides` (name → measurement), one after another, so drift on a
 * shared machine hits all sides alike; returns each side's results by name.
 */
export async function interleave(runs, sides) {
  const out = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  for (let run = 0; run < runs; run++)
    for (const [name, measure] of Object.entries(sides)) out[name].push(await measure());
  return out;
}

/** The `acquireReleasePairsPerSecond` record: medians and ratio, `extra`, then every run. */
export function pairRates(libRuns, rawRuns, rawKey, extra = {}) {
  return {
    ...sideBySide(
      libRuns.map((r) => r.rate),
      rawRuns.map((r) => r.rate),
      rawKey,
    ),
    ...extra,
    libraryRuns: libRuns.map((r) => round(r.rate, 1)),
    rawRuns: rawRuns.map((r) => round(r.rate, 1)),
  };
}

/**
 * Release → waiter holds the lease, `n` times: ms from the holder's release call to the waiter's
 * grant. Before each release the waiter is left `pauseMs()` to find the lease held.
 */
export async function handoffs(holder, waiter, resource, n, pauseMs) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const lease = await holder.acquire(resource, req);
    if (isHeld(lease)) throw new Error("holder could not acquire");
    const taken = (async () => {
      for (;;) {
        const got = await waiter.acquire(resource, req);
        if (!isHeld(got)) return got;
        await waiter.waitForChange(resource, Date.now() + 30_000, new AbortController().signal);
      }
    })();
    await sleep(pauseMs());
    const t0 = performance.now();
    await holder.release(resource, lease.id);
    const got = await taken;
    out.push(performance.now() - t0);
    await waiter.release(resource, got.id);
  }
  return out;
}

/** A handoff pause for a polling waiter: the release lands somewhere in its backoff, as in life. */
export const inPollingBackoff = () => 100 + Math.random() * 400;
