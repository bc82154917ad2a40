import type { Lease } from "../lease/lease.js";

/** Longest pause between two polls, per DESIGN.md ("poll with backoff, default ≤ 1 s"). */
export const MAX_POLL_MS = 1000;

/**
 * Waiting for backends that cannot push: polls `read` with backoff (50 ms doubling to 1 s,
 * with jitter so waiters do not poll in step) and also wakes when the holder's time runs out.
 * The backend still judges expiry on the next read; the local estimate only times the wake-up.
 * Resolves when the lease read first is gone or replaced, at `untilMs`, or on abort.
 */
export async function pollUntilChanged(
  read: () => Promise<Lease | undefined>,
  untilMs: number,
  signal: AbortSignal,
  maxPollMs = MAX_POLL_MS,
): Promise<void> {
  const first = await read();
  if (!first) return;
  let wakeAtExpiry = Date.now() + first.remainingMs + 5;
  let pause = 50;
  while (!signal.aborted && Date.now() < untilMs) {
    const jittered = Math.min(pause * (0.75 + Math.random() * 0.5), maxPollMs);
    const ms = Math.min(jittered, wakeAtExpiry - Date.now(), untilMs - Date.now());
    await sleep(Math.max(1, ms), signal);
    if (signal.aborted) return;
    const now = await read();
    if (!now || now.id !== first.id) return;
    wakeAtExpiry = Date.now() + now.remainingMs + 5;
    pause = Math.min(pause * 2, maxPollMs);
  }
}

/** Sleeps `ms`, or less if `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    // Node fires any delay over 2^31-1 ms at once; an "unlimited" wait must not spin.
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
    signal?.addEventListener("abort", done, { once: true });
  });
}
