import type { Lease } from "./lease.js";
import { withTimeout } from "./timeout.js";

/** What the keeper needs from a client. */
export interface RenewTarget {
  renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined>;
}

/** How a keeper renews and when it gives up. */
export interface KeeperOptions {
  readonly ttlMs: number;
  /** Pause between renewals; default ttl/3. */
  readonly renewEveryMs?: number | undefined;
  /** Declare the lease lost this long before it would expire; default min(ttl/6, 5 s). */
  readonly marginMs?: number | undefined;
  /** Bound on one renewal; default the smaller of renewEvery and 10 s. */
  readonly callTimeoutMs?: number | undefined;
  /** Called after each successful renewal. */
  readonly onRenewed?: ((lease: Lease) => void) | undefined;
  /** Called with each failed attempt that will be retried. */
  readonly onRetry?: ((error: unknown) => void) | undefined;
}

/** Why a kept lease was given up. */
export type LossReason = "not-held" | "deadline";

/**
 * Keeps a lease alive in the background and says, through `signal`, when it is lost. It never
 * waits to be told: if renewals keep failing, the lease counts as lost at *last successful
 * renewal (the moment that request was sent) + ttl − margin*, before the backend can give it to
 * someone else. A renewal whose outcome is unknown is retried; renew is idempotent.
 */
export class LeaseKeeper {
  readonly #abort = new AbortController();
  readonly #renewEvery: number;
  readonly #margin: number;
  readonly #callTimeout: number;
  #deadline: number;
  #timer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lease: Lease;

  constructor(
    private readonly client: RenewTarget,
    lease: Lease,
    private readonly opts: KeeperOptions,
    sentAtMs: number = performance.now(),
  ) {
    this.#lease = lease;
    this.#renewEvery = Math.max(50, opts.renewEveryMs ?? Math.floor(opts.ttlMs / 3));
    this.#margin = opts.marginMs ?? Math.min(Math.floor(opts.ttlMs / 6), 5000);
    this.#callTimeout = opts.callTimeoutMs ?? Math.min(this.#renewEvery, 10_000);
    this.#deadline =
      sentAtMs +
      Math.min(opts.ttlMs, lease.remainingMs + (performance.now() - sentAtMs)) -
      this.#margin;
    this.#armDeadline();
    this.#schedule(this.#renewEvery);
  }

  /** Aborted when the lease is lost; `signal.reason` is a LossReason. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The lease as last renewed. */
  get lease(): Lease {
    return this.#lease;
  }

  /** Milliseconds (performance.now() clock) at which the lease counts as lost without renewal. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Stops renewing; the lease itself is left as it is (release it separately). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#deadlineTimer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#renewOnce(), Math.max(0, ms));
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(
      () => this.#lose("deadline"),
      Math.max(0, this.#deadline - performance.now()),
    );
  }

  async #renewOnce(): Promise<void> {
    const { resource, id } = this.#lease;
    const sentAt = performance.now();
    try {
      const renewed = await withTimeout(
        this.client.renew(resource, id, this.opts.ttlMs),
        this.#callTimeout,
        `renew ${resource}`,
      );
      if (this.#stopped) return;
      if (!renewed) {
        // The backend answered: this id no longer holds the resource (expired, broken, taken).
        this.#lose("not-held");
        return;
      }
      this.#lease = renewed;
      this.#deadline = sentAt + this.opts.ttlMs - this.#margin;
      this.#armDeadline();
      this.opts.onRenewed?.(renewed);
      this.#schedule(this.#renewEvery - (performance.now() - sentAt));
    } catch (error) {
      if (this.#stopped) return;
      this.opts.onRetry?.(error);
      // Outcome unknown (a timeout may have renewed it, or not). Renewing again is safe and
      // answers the question; the deadline timer ends the attempts if none gets through.
      this.#schedule(Math.min(1000, this.#renewEvery));
    }
  }

  #lose(reason: LossReason): void {
    if (this.#stopped || this.#abort.signal.aborted) return;
    this.stop();
    this.#abort.abort(reason);
  }
}
