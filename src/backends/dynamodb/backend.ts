import { BackendUnavailableError } from "../../lease/errors.js";
import { type Held, type Lease, newLeaseId } from "../../lease/lease.js";
import { pollUntilChanged } from "../poll.js";
import type { AcquireRequest, Backend, DoctorCheck } from "../types.js";
import { type LeaseItem, num, toLease, ttlValue } from "./item.js";
import type { ConditionalUpdate, LeaseTable } from "./store.js";
import { doctorChecks } from "./table.js";

/** Acquires that lose a race to a writer who then lets go re-try; beyond this many, give up. */
const MAX_ROUNDS = 8;

/**
 * Leases as one DynamoDB item per resource. Every change is ONE conditional UpdateItem whose
 * ConditionExpression holds the whole rule (id and state and expiry together), so DynamoDB
 * serialises writers; the fence is incremented in the same write; releases keep the item.
 *
 * Time: expiry values are DynamoDB-clock instants bounded from response Date headers and the
 * monotonic clock (see ServerClock). A lease ends, for its holder, at `expires_ms` judged by
 * the latest the server clock can read; a taker needs the EARLIEST the server clock can read
 * to be past `expires_ms + skew_margin`. A fresh process learns the clock from its first
 * response, so acquire and renew read the item first (two round trips) until it knows it;
 * after that each operation is one round trip.
 */
export class DynamoBackend implements Backend {
  readonly kind = "dynamodb";

  constructor(
    readonly table: LeaseTable,
    readonly skewMarginMs: number,
    readonly timeoutMs: number,
  ) {}

  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    const signal = this.#deadline();
    const id = newLeaseId();
    if (!this.table.clock.known) {
      // The read tells the holder AND calibrates the clock the write's expiry needs.
      const holder = this.#live(await this.table.get(resource, signal));
      if (holder) return { status: "held", holder };
      this.#requireClock();
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.table.clock.lowerMs();
      const values = {
        ":id": { S: id },
        ":p": { S: req.principal },
        ":held": { S: "held" },
        ":released": { S: "released" },
        ":now": num(now),
        ":exp": num(now + req.ttlMs),
        ":ttl": ttlValue(now + req.ttlMs),
        // A resource's first fence counts from the clock, so a TTL-deleted item's successor
        // still gets a higher fence than any lease granted before the deletion.
        ":seed": num(now),
        ":one": num(1),
        ":stale": num(now - this.skewMarginMs),
        ...(req.reason ? { ":why": { S: req.reason } } : {}),
      };
      const update: ConditionalUpdate = {
        update: `SET #id = :id, #p = :p, #st = :held, #c = :now, #e = :exp, #ttl = :ttl, #f = if_not_exists(#f, :seed) + :one${req.reason ? ", #why = :why" : " REMOVE #why"}`,
        // Free when never used, released, or lapsed by the earliest the server clock can read.
        condition: "attribute_not_exists(#r) OR #st = :released OR #e < :stale",
        values,
      };
      const out = await this.table.update(resource, update, signal);
      if (out !== "conflict") return toLease(out, this.table.clock.upperMs());
      const item = await this.table.get(resource, signal);
      // An SDK retry of our own write that had landed fails its condition: the lease is ours.
      if (item?.id === id && item.state === "held")
        return toLease(item, this.table.clock.upperMs());
      const holder = this.#live(item);
      if (holder) return { status: "held", holder };
    }
    throw new BackendUnavailableError(
      `${this.table.where}: ${resource} kept changing under ${MAX_ROUNDS} conditional writes`,
      { hint: "another client is writing this resource in a tight loop; retry" },
    );
  }

  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    const signal = this.#deadline();
    if (!this.table.clock.known) {
      const live = this.#live(await this.table.get(resource, signal));
      if (live?.id !== leaseId) return undefined;
      this.#requireClock();
    }
    const now = this.table.clock.lowerMs();
    const out = await this.table.update(
      resource,
      {
        update: "SET #e = :exp, #ttl = :ttl",
        // Only the holder, only while held, and only while not lapsed even by the LATEST the
        // server clock can read: a renewal never revives a lease someone may already see as free.
        condition: "#id = :id AND #st = :held AND #e > :latest",
        values: {
          ":id": { S: leaseId },
          ":held": { S: "held" },
          ":exp": num(now + ttlMs),
          ":ttl": ttlValue(now + ttlMs),
          ":latest": num(this.table.clock.upperMs()),
        },
      },
      signal,
    );
    return out === "conflict" ? undefined : toLease(out, this.table.clock.upperMs());
  }

  release(resource: string, leaseId: string): Promise<boolean> {
    return this.#end(resource, leaseId);
  }

  forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    return this.#end(resource, onlyLeaseId);
  }

  async current(resource: string): Promise<Lease | undefined> {
    return this.#live(await this.table.get(resource, this.#deadline()));
  }

  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    return (await this.current(resource))?.id === leaseId;
  }

  async *list(prefix = ""): AsyncIterable<Lease> {
    let start: Awaited<ReturnType<LeaseTable["scan"]>>["next"];
    do {
      const page = await this.table.scan(prefix, start, this.#deadline());
      for (const item of page.items) {
        const lease = this.#live(item);
        if (lease) yield lease;
      }
      start = page.next;
    } while (start);
  }

  waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    // DynamoDB cannot push (Streams would need a Lambda or a shard poller): poll with backoff.
    return pollUntilChanged(() => this.current(resource), untilMs, signal);
  }

  async doctor(): Promise<DoctorCheck[]> {
    return doctorChecks(this.table.client, this.table.ctx, this.#deadline());
  }

  async close(): Promise<void> {
    this.table.client.destroy();
  }

  /**
   * Release and force-release: mark the item released (keeping its fence) if `leaseId` (any
   * lease, when undefined) holds it. No clock is involved, so this is one round trip even in a
   * fresh process; a lease that lapsed but was not taken over yet can still be released.
   */
  async #end(resource: string, leaseId: string | undefined): Promise<boolean> {
    const out = await this.table.update(
      resource,
      {
        update: "SET #st = :released",
        condition: leaseId === undefined ? "#st = :held" : "#id = :id AND #st = :held",
        values: {
          ":held": { S: "held" },
          ":released": { S: "released" },
          ...(leaseId === undefined ? {} : { ":id": { S: leaseId } }),
        },
      },
      this.#deadline(),
    );
    return out !== "conflict";
  }

  /** The lease an item shows as live: held, and not yet takeable by anyone. */
  #live(item: LeaseItem | undefined): Lease | undefined {
    if (item?.state !== "held") return undefined;
    this.#requireClock();
    if (this.table.clock.lowerMs() > item.expiresMs + this.skewMarginMs) return undefined;
    return toLease(item, this.table.clock.upperMs());
  }

  /** Refuses to write times when the endpoint sent no Date header to learn its clock from. */
  #requireClock(): void {
    if (this.table.clock.known) return;
    throw new BackendUnavailableError(`${this.table.where}: the endpoint sent no Date header`, {
      hint: "leasehold judges expiry by DynamoDB's clock only; use an endpoint (or proxy) that sends Date",
    });
  }

  /** One bound for a whole operation, all its round trips included. */
  #deadline(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs);
  }
}
