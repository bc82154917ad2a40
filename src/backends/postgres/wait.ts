import type { Lease } from "../../lease/lease.js";
import type { ReleaseListener } from "./listener.js";

/** Wakes this long after the holder's expiry, so the database agrees it has passed. */
const EXPIRY_MARGIN_MS = 20;

/**
 * Waits until `resource` may be free: a NOTIFY of its release, the holder's expiry (timed from
 * the database's own remaining time, not the local clock's idea of expires_at), `untilMs`, or
 * abort. LISTEN is in effect before the holder is read, so a release in between is not missed.
 * Returns at once when nothing holds the resource.
 */
export async function waitForRelease(
  listener: ReleaseListener,
  read: () => Promise<Lease | undefined>,
  resource: string,
  untilMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted || Date.now() >= untilMs) return;
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  const unsubscribe = await listener.subscribe(resource, wake);
  let timer: NodeJS.Timeout | undefined;
  try {
    const holder = await read();
    if (!holder || signal.aborted) return;
    const ms = Math.min(holder.remainingMs + EXPIRY_MARGIN_MS, untilMs - Date.now());
    timer = setTimeout(wake, Math.max(0, ms));
    signal.addEventListener("abort", wake, { once: true });
    await woken;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", wake);
    unsubscribe();
  }
}
