import { BackendUnavailableError } from "../../lease/errors.js";
import { type Held, type Lease, newLeaseId, sameLeaseId } from "../../lease/lease.js";
import { pollUntilChanged } from "../poll.js";
import type { AcquireRequest, Backend, DoctorCheck } from "../types.js";
import { listKeyPrefix, resourceKey, resourceOfKey } from "./keys.js";
import { liveLease, SKEW_MARGIN_MS, type Snapshot, type StoredRecord, toLease } from "./record.js";
import type { ObjectStore, WriteCondition } from "./store.js";
import { doctorChecks, ensureConditionalWrites } from "./verify.js";

/** What to do after reading a resource's object: answer now, or write the next state. */
type Plan<T> =
  | { readonly answer: T }
  | {
      readonly write: StoredRecord;
      readonly condition: WriteCondition;
      readonly done: (lease: Lease) => T;
    };

/** Conditional writes that lose a race re-read and re-decide; beyond this many, give up. */
const MAX_ROUNDS = 8;
/** Parallel GETs while listing. */
const LIST_CONCURRENCY = 8;

/**
 * Leases as one S3 object per resource. Every change is read + conditional PUT of the next state
 * (If-None-Match: * for a new object, If-Match: ETag otherwise), so the server serialises writers
 * and the loser re-reads; expiry is judged from the object's Last-Modified and the server's Date.
 */
export class S3Backend implements Backend {
  readonly kind = "s3";
  readonly #store: ObjectStore;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  /** The conditional-write check, once per process; a failed check is retried next time. */
  #verified: Promise<void> | undefined;

  constructor(store: ObjectStore, prefix: string, timeoutMs: number) {
    this.#store = store;
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
  }

  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    const id = newLeaseId();
    return this.#change<Lease | Held>(resource, (snap) => {
      const holder = liveLease(resource, snap);
      if (holder) return { answer: { status: "held", holder } };
      const record: StoredRecord = {
        v: 1,
        resource,
        state: "held",
        id,
        principal: req.principal,
        ...(req.reason ? { reason: req.reason } : {}),
        ttlMs: req.ttlMs,
        // A released or expired record still carries the counter: the next lease goes above it.
        fence: (snap.record?.fence ?? 0) + 1,
        writeId: newLeaseId(),
      };
      return { write: record, condition: conditionFor(snap), done: (lease) => lease };
    });
  }

  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    return this.#change<Lease | undefined>(resource, (snap) => {
      const live = liveLease(resource, snap);
      if (!live || !sameLeaseId(live.id, leaseId)) return { answer: undefined };
      const record = {
        ...snap.record!,
        ttlMs,
        createdAt: live.createdAt.toISOString(),
        writeId: newLeaseId(),
      };
      return { write: record, condition: conditionFor(snap), done: (lease) => lease };
    });
  }

  release(resource: string, leaseId: string): Promise<boolean> {
    return this.#end(resource, (live) => sameLeaseId(live.id, leaseId));
  }

  forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    return this.#end(
      resource,
      (live) => onlyLeaseId === undefined || sameLeaseId(live.id, onlyLeaseId),
    );
  }

  async current(resource: string): Promise<Lease | undefined> {
    return liveLease(
      resource,
      await this.#store.read(resourceKey(this.#prefix, resource), this.#deadline()),
    );
  }

  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    return sameLeaseId((await this.current(resource))?.id, leaseId);
  }

  async *list(prefix = ""): AsyncIterable<Lease> {
    const keyPrefix = listKeyPrefix(this.#prefix, prefix);
    let token: string | undefined;
    do {
      const page = await this.#store.list(keyPrefix, token, this.#deadline());
      const wanted = page.keys.flatMap((key) => {
        const resource = resourceOfKey(this.#prefix, key);
        return resource?.startsWith(prefix) ? [{ key, resource }] : [];
      });
      for (let i = 0; i < wanted.length; i += LIST_CONCURRENCY) {
        const batch = wanted.slice(i, i + LIST_CONCURRENCY);
        const snaps = await Promise.all(
          batch.map((w) => this.#store.read(w.key, this.#deadline())),
        );
        for (const [j, snap] of snaps.entries()) {
          const lease = liveLease(batch[j]!.resource, snap);
          if (lease) yield lease;
        }
      }
      token = page.next;
    } while (token);
  }

  waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    // Nothing can be pushed from S3: poll with backoff, waking at the holder's expiry.
    return pollUntilChanged(() => this.current(resource), untilMs, signal);
  }

  async doctor(): Promise<DoctorCheck[]> {
    return doctorChecks(this.#store, this.#prefix, this.#deadline());
  }

  async close(): Promise<void> {
    this.#store.client.destroy();
  }

  /** Release and force-release: write a "released" record (keeping the fence) over a live lease. */
  #end(resource: string, matches: (live: Lease) => boolean): Promise<boolean> {
    return this.#change<boolean>(resource, (snap) => {
      const live = liveLease(resource, snap);
      if (!live || !matches(live)) return { answer: false };
      const record: StoredRecord = { ...snap.record!, state: "released", writeId: newLeaseId() };
      return { write: record, condition: conditionFor(snap), done: () => true };
    });
  }

  /**
   * The one read-decide-write loop. Reads the object (alongside the once-per-process
   * conditional-write check), asks `plan` what to do, and writes conditionally. A lost race
   * (412/409) or an unknown outcome (5xx, lost reply) re-reads: if our write is there it
   * landed; otherwise `plan` decides again on what the winner wrote.
   */
  async #change<T>(resource: string, plan: (snap: Snapshot) => Plan<T>): Promise<T> {
    const key = resourceKey(this.#prefix, resource);
    const signal = this.#deadline();
    let [snap] = await Promise.all([this.#store.read(key, signal), this.#verify(signal)]);
    let requoted = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const step = plan(snap);
      if ("answer" in step) return step.answer;
      const out = await this.#store.write(key, step.write, step.condition, signal);
      // The write's reply Date stands in for its Last-Modified (the same second, bar a
      // boundary crossed while replying); time left counts from the latest the write can be.
      if (typeof out === "object" && !Number.isNaN(out.serverNowMs)) {
        return step.done(
          toLease(resource, step.write, out.serverNowMs, out.serverNowMs + SKEW_MARGIN_MS),
        );
      }
      const before = snap.etag;
      snap = await this.#store.read(key, signal);
      if (snap.record?.writeId === step.write.writeId) {
        return step.done(
          toLease(resource, snap.record, snap.lastModifiedMs, snap.serverNowMs + SKEW_MARGIN_MS),
        );
      }
      if (out === "conflict" && before !== undefined && snap.etag === before) {
        // Refused although nothing changed: the server wants the other If-Match form.
        if (requoted) throw this.#ifMatchRefused();
        this.#store.quoteIfMatch = !this.#store.quoteIfMatch;
        requoted = true;
      }
    }
    throw new BackendUnavailableError(
      `s3 backend "${this.#store.config.backend}": ${resource} kept changing under ${MAX_ROUNDS} conditional writes`,
      {
        hint: "another client is writing this resource in a tight loop; retry",
      },
    );
  }

  #verify(signal: AbortSignal): Promise<void> {
    this.#verified ??= ensureConditionalWrites(this.#store, this.#prefix, signal).catch(
      (e: unknown) => {
        this.#verified = undefined;
        throw e;
      },
    );
    return this.#verified;
  }

  #ifMatchRefused(): BackendUnavailableError {
    const { backend, bucket } = this.#store.config;
    return new BackendUnavailableError(
      `s3 backend "${backend}" (bucket ${bucket}): the server refuses If-Match with the object's current ETag`,
      {
        hint: "the server's conditional writes do not work as S3's do; run leasehold doctor",
      },
    );
  }

  /** One bound for a whole operation, all its round trips included. */
  #deadline(): AbortSignal {
    return AbortSignal.timeout(this.#timeoutMs);
  }
}

/** Create-only for a never-used resource; otherwise replace exactly the version just read. */
function conditionFor(snap: Snapshot): WriteCondition {
  return snap.etag === undefined ? { ifNoneMatch: true } : { ifMatch: snap.etag };
}
