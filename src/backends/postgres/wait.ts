import type { Lease } from "../../lease/lease.js";
import type { ListenerEvent, ReleaseListener } from "./listener.js";

/** Wakes this long after the holder's expiry, so the database agrees it has passed. */
const EXPIRY_MARGIN_MS = 20;

/**
 * Waits until `resource` may be free: a NOTIFY of its release, the holder's expiry (timed from
 * the database's own remaining time, not the local clock's idea of expires_at), `untilMs`,
 * abort, or the LISTEN connection breaking. LISTEN is in effect before the holder is read, so a
 * release in between is not missed. A renewal also notifies: the holder is read again and the
 * expiry timer follows it, so a lease shortened by its holder does not keep waiters asleep.
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
  let last: ListenerEvent | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = await listener.subscribe(resource, (event) => {
    last = event;
    wake?.();
  });
  try {
    let first: Lease | undefined;
    for (;;) {
      last = undefined;
      const holder = await read();
      if (!holder || (first && holder.id !== first.id) || signal.aborted) return;
      first ??= holder;
      const ms = Math.min(holder.remainingMs + EXPIRY_MARGIN_MS, untilMs - Date.now());
      if (ms <= 0) return;
      // A notification may have arrived while reading; otherwise sleep until one does.
      if (last === undefined) await pause(ms, signal, (w) => (wake = w));
      wake = undefined;
      if (last !== "renewed") return;
    }
  } finally {
    unsubscribe();
  }
}

/** Sleeps `ms`, ending early on abort or when the function handed to `onWake` is called. */
function pause(ms: number, signal: AbortSignal, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    onWake(done);
  });
}
