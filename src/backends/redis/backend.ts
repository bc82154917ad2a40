import type { Cluster, Redis } from "ioredis";
import { type Held, type Lease, newLeaseId, sameLeaseId } from "../../lease/lease.js";
import { sleep } from "../poll.js";
import type { AcquireRequest, Backend, DoctorCheck } from "../types.js";
import { inspectServer } from "./doctor.js";
import { type FailureContext, RedisTimeoutError, translateRedisError } from "./errors.js";
import { KeySpace } from "./keys.js";
import { ReleaseListener } from "./listener.js";
import { scanLeaseKeys } from "./scan.js";
import { defineScripts, type ScriptedClient, toLease } from "./scripts.js";

/** Wake this long after Redis says the lease lapses, so the next acquire finds the key gone. */
const EXPIRY_MARGIN_MS = 5;

/**
 * Longest single sleep: Node fires a longer setTimeout after 1 ms instead, which would turn an
 * unlimited wait on a 30-day lease into a busy loop. Waking early is allowed; callers re-check.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Leases in Redis: one hash per resource that expires with the lease, one fence counter per
 * resource, one Lua script per write, PUBLISH on release so waiters wake at once.
 * Every call is bounded by the configured timeout and fails with BackendUnavailableError.
 */
export class RedisBackend implements Backend {
  readonly kind = "redis";
  readonly #client: Redis | Cluster;
  readonly #scripts: ScriptedClient;
  readonly #keys: KeySpace;
  readonly #listener: ReleaseListener;
  readonly #failure: { -readonly [K in keyof FailureContext]: FailureContext[K] };

  constructor(
    name: string,
    client: Redis | Cluster,
    target: string,
    prefix: string,
    timeoutMs: number,
  ) {
    this.#client = client;
    this.#scripts = defineScripts(client);
    this.#keys = new KeySpace(prefix);
    this.#listener = new ReleaseListener(client);
    this.#failure = { name, target, timeoutMs, lastConnectionError: undefined };
    // Connection errors also reject the pending command; keep the latest for a better message.
    client.on("error", (e: Error) => {
      this.#failure.lastConnectionError = e;
    });
    client.on("ready", () => {
      this.#failure.lastConnectionError = undefined;
    });
  }

  async acquire(resource: string, req: AcquireRequest): Promise<Lease | Held> {
    const k = this.#keys.of(resource);
    const id = newLeaseId();
    const [granted, ...lease] = await this.#run(() =>
      this.#scripts.leaseholdAcquire(
        k.lease,
        k.fence,
        id,
        req.principal,
        req.reason ?? "",
        req.ttlMs,
        resource,
      ),
    );
    return granted === 1 ? toLease(lease) : { status: "held", holder: toLease(lease) };
  }

  async release(resource: string, leaseId: string): Promise<boolean> {
    const k = this.#keys.of(resource);
    return (
      (await this.#run(() => this.#scripts.leaseholdRelease(k.lease, leaseId, k.channel))) === 1
    );
  }

  async renew(resource: string, leaseId: string, ttlMs: number): Promise<Lease | undefined> {
    const k = this.#keys.of(resource);
    const reply = await this.#run(() =>
      this.#scripts.leaseholdRenew(k.lease, leaseId, ttlMs, k.channel),
    );
    return reply ? toLease(reply) : undefined;
  }

  async current(resource: string): Promise<Lease | undefined> {
    const reply = await this.#run(() => this.#scripts.leaseholdRead(this.#keys.of(resource).lease));
    return reply ? toLease(reply) : undefined;
  }

  async isHeld(resource: string, leaseId: string): Promise<boolean> {
    // A plain read: Redis treats an expired key as absent, so the id matches only while live.
    return sameLeaseId(
      await this.#run(() => this.#client.hget(this.#keys.of(resource).lease, "id")),
      leaseId,
    );
  }

  async *list(prefix = ""): AsyncIterable<Lease> {
    const pattern = this.#keys.leasePattern(prefix);
    for await (const batch of scanLeaseKeys(this.#client, pattern, (work) => this.#run(work))) {
      // Each read is its own script (keys of a batch may live in different cluster slots);
      // ioredis writes them back to back, so a batch costs about one round trip per node.
      const replies = await this.#run(() =>
        Promise.all(batch.map((key) => this.#scripts.leaseholdRead(key))),
      );
      for (const reply of replies) {
        if (!reply) continue; // released or expired between SCAN and the read
        const lease = toLease(reply);
        if (lease.resource.startsWith(prefix)) yield lease;
      }
    }
  }

  async forceRelease(resource: string, onlyLeaseId?: string): Promise<boolean> {
    const k = this.#keys.of(resource);
    const mode = onlyLeaseId === undefined ? "any" : "only";
    return (
      (await this.#run(() =>
        this.#scripts.leaseholdForceRelease(k.lease, k.channel, mode, onlyLeaseId ?? ""),
      )) === 1
    );
  }

  /**
   * Subscribes to the resource's channel first and only then reads its PTTL: a release that
   * lands before the read is seen by the read (the key is gone), one after it is published to
   * the already confirmed subscription. Wakes on a message, at the lease's expiry (which Redis
   * does not publish), at `untilMs`, or on abort.
   */
  async waitForChange(resource: string, untilMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || Date.now() >= untilMs) return;
    const k = this.#keys.of(resource);
    const woken = new AbortController();
    const stop = await this.#run(() => this.#listener.listen(k.channel, () => woken.abort()));
    try {
      const pttl = await this.#run(() => this.#client.pttl(k.lease));
      if (pttl === -2 || woken.signal.aborted) return; // free already, or released meanwhile
      const untilExpiry = pttl >= 0 ? pttl + EXPIRY_MARGIN_MS : Number.POSITIVE_INFINITY;
      const ms = Math.min(untilExpiry, untilMs - Date.now(), MAX_TIMER_MS);
      await sleep(Math.max(0, ms), AbortSignal.any([signal, woken.signal]));
    } finally {
      await stop();
    }
  }

  async doctor(): Promise<DoctorCheck[]> {
    return inspectServer(this.#client, this.#failure.target, (work) => this.#run(work));
  }

  async close(): Promise<void> {
    // disconnect(), not quit(): never wait on a server that may be gone, nor on reconnect timers.
    this.#listener.close();
    this.#client.disconnect();
  }

  /** Runs one operation within the timeout and translates any failure, in one place. */
  async #run<T>(work: () => Promise<T>): Promise<T> {
    const ms = this.#failure.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      // setImmediate: on a starved machine the timer and the answer can become due together;
      // timers run before socket reads, so give a reply that already arrived one turn to win.
      const late = () => reject(new RedisTimeoutError(`no answer within ${ms} ms`));
      timer = setTimeout(() => setImmediate(late), ms);
    });
    try {
      return await Promise.race([work(), expired]);
    } catch (cause) {
      throw translateRedisError(this.#failure, cause);
    } finally {
      clearTimeout(timer);
    }
  }
}
