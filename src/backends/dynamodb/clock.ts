/**
 * DynamoDB's clock, as bounds. DynamoDB evaluates conditions against values the client sends and
 * has no `now()`, but every response carries the server's `Date` header (whole seconds). Each
 * response pins the server's time between two instants measured on this process's MONOTONIC
 * clock: it was stamped after the request left and before the reply arrived, and its true
 * sub-second part lies in [0, 1000) ms. Intersecting those intervals over every response gives a
 * lower and an upper bound on the server's time now, and the machine's wall clock is never read:
 * a client whose clock is an hour fast (or that NTP steps mid-run) judges expiry exactly like one
 * with a correct clock.
 */
export class ServerClock {
  /** serverMs - monoMs lies in [#lo, #hi] once observed. */
  #lo = Number.NEGATIVE_INFINITY;
  #hi = Number.POSITIVE_INFINITY;

  /** True once at least one response's Date header was seen. */
  get known(): boolean {
    return Number.isFinite(this.#lo);
  }

  /**
   * Records one response: `date` its Date header, `sentMono`/`receivedMono` the monotonic
   * instants (performance.now()) around the request. Ignores a missing or unparsable header.
   */
  observe(date: string | undefined, sentMono: number, receivedMono: number): void {
    const serverMs = Date.parse(date ?? "");
    if (Number.isNaN(serverMs)) return;
    const lo = serverMs - receivedMono;
    const hi = serverMs + 1000 - sentMono;
    if (lo > this.#hi || hi < this.#lo) {
      // Disjoint from what we knew: the server's clock was stepped. Trust the newest reply.
      this.#lo = lo;
      this.#hi = hi;
      return;
    }
    this.#lo = Math.max(this.#lo, lo);
    this.#hi = Math.min(this.#hi, hi);
  }

  /** The earliest the server's clock can read now (epoch ms). NaN before any observation. */
  lowerMs(): number {
    return this.known ? Math.floor(performance.now() + this.#lo) : Number.NaN;
  }

  /** The latest the server's clock can read now (epoch ms). NaN before any observation. */
  upperMs(): number {
    return this.known ? Math.ceil(performance.now() + this.#hi) : Number.NaN;
  }
}
