// The loops each backend benchmark runs the library through: timed acquire+release pairs,
// interleaved with the raw client's, and release→waiter and expiry→waiter handoffs.
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
 * A waiter as the CLI's `acquire --wait` runs it: acquire, else wait for a change and retry.
 * Resolves with the lease and the moment it was granted.
 */
export async function takeWhenFree(waiter, resource, ttlMs = req.ttlMs) {
  for (;;) {
    const got = await waiter.acquire(resource, { ...req, ttlMs });
    if (!isHeld(got)) return { got, at: performance.now() };
    await waiter.waitForChange(resource, Date.now() + 60_000, new AbortController().signal);
  }
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
    const taken = takeWhenFree(waiter, resource);
    await sleep(pauseMs());
    const t0 = performance.now();
    await holder.release(resource, lease.id);
    const { got, at } = await taken;
    out.push(at - t0);
    await waiter.release(resource, got.id);
  }
  return out;
}

/**
 * Expiry → waiter holds the lease, `n` times: the holder takes a short lease and walks away;
 * ms from the moment its TTL ran out (the time left the backend reported at the acquire, counted
 * from the acquire's return on this process's clock) to the waiter's grant. A backend may grant
 * more than `ttlMs` (etcd's minimum is about 2 s); the reported time left accounts for that.
 */
export async function expiryHandoffs(holder, waiter, resource, n, ttlMs = 1000) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const lease = await holder.acquire(resource, { ...req, ttlMs });
    if (isHeld(lease)) throw new Error("holder could not acquire");
    const expiresAt = performance.now() + lease.remainingMs;
    const { got, at } = await takeWhenFree(waiter, resource);
    out.push(at - expiresAt);
    await waiter.release(resource, got.id);
  }
  return out;
}

/** A handoff pause for a polling waiter: the release lands somewhere in its backoff, as in life. */
export const inPollingBackoff = () => 100 + Math.random() * 400;
