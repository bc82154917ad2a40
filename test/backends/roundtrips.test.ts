import { S3Client } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Backend } from "../../src/backends/types.js";
import { Leasehold } from "../../src/lease/client.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { writeConfig } from "../support/cli.js";
import { startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";
import { startPostgres } from "../support/postgres.js";
import { startRedis } from "../support/redis.js";
import { startRgw } from "../support/s3.js";

/**
 * Round trips per operation, proven by counting the requests each client library sends (not by
 * timing). Every counted method is the one place its SDK puts a request on the wire.
 */
interface Served {
  ini: string;
  metricsUrl?: string;
  destroy(): Promise<void>;
}
interface Case {
  start(): Promise<Served>;
  /** Returns a reader of "requests sent so far", from a spy or the server's own counters. */
  counter(server: Served): () => Promise<number>;
  /** Expected requests: acquire, release, renew, current, isHeld (DESIGN.md rule 2). */
  expected: Record<"acquire" | "release" | "renew" | "current" | "isHeld", number>;
  /** Whether waiting is pushed (pub/sub, LISTEN, watch) rather than polled. */
  pushes: boolean;
}

const CASES: Record<string, Case> = {
  redis: {
    start: async () => {
      const s = await startRedis();
      return { ini: `[backend.redis]\nurl = ${s.url}\n`, destroy: () => s.destroy() };
    },
    counter: () => spyCounter(vi.spyOn(Redis.prototype, "sendCommand")),
    expected: { acquire: 1, release: 1, renew: 1, current: 1, isHeld: 1 },
    pushes: true,
  },
  postgres: {
    start: async () => {
      const s = await startPostgres();
      return { ini: `[backend.postgres]\nurl = ${s.url}\n`, destroy: () => s.destroy() };
    },
    counter: () => spyCounter(vi.spyOn(pg.Client.prototype, "query")),
    expected: { acquire: 1, release: 1, renew: 1, current: 1, isHeld: 1 },
    pushes: true,
  },
  etcd: {
    start: async () => {
      const c = await startEtcd(1);
      return {
        ini: `[backend.etcd]\nendpoints = ${c.endpoints}\n`,
        metricsUrl: c.members[0]!.metricsUrl,
        destroy: () => c.destroy(),
      };
    },
    // grpc-js binds its request functions when etcd3 loads, so count on the server instead.
    counter: (server) => async () => {
      const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
      let total = 0;
      for (const m of text.matchAll(
        /^grpc_server_handled_total\{[^}]*grpc_type="unary"[^}]*\} (\d+)/gm,
      ))
        total += Number(m[1]);
      return total;
    },
    // acquire: grant + txn. release: txn, then revoke of the now keyless etcd lease (tidy-up).
    // renew: grant + txn + revoke of the old etcd lease. current: range + LeaseTimeToLive.
    expected: { acquire: 2, release: 2, renew: 3, current: 2, isHeld: 1 },
    pushes: true,
  },
  s3: {
    start: async () => {
      const r = await startRgw();
      return { ini: r.ini("s3", "timeout = 60s\n"), destroy: () => r.destroy() };
    },
    counter: () => spyCounter(vi.spyOn(S3Client.prototype, "send")),
    // Every change is GET + conditional PUT; reads are one GET.
    expected: { acquire: 2, release: 2, renew: 2, current: 1, isHeld: 1 },
    pushes: false,
  },
};

function spyCounter(spy: { mock: { calls: unknown[] } }): () => Promise<number> {
  return async () => spy.mock.calls.length;
}

describe.each(Object.keys(CASES))("round trips on %s", (kind) => {
  const c = CASES[kind]!;
  let server: Served;
  let lh: Leasehold;
  let backend: Backend;

  beforeAll(async () => {
    server = await c.start();
    const cfg = writeConfig(
      `rt-${kind}-${process.pid}.ini`,
      `[default]\nbackend = ${kind}\n\n${server.ini}`,
    );
    lh = await Leasehold.open({ config: cfg });
    backend = (await lh.openBackend(kind)).backend;
    // Warm up: connections, scripts, tables, probes all happen once before counting.
    const warm = uniqueName("warm");
    const l = (await backend.acquire(warm, { principal: "rt@test", ttlMs: 60_000 })) as Lease;
    await backend.renew(warm, l.id, 60_000);
    await backend.current(warm);
    await backend.isHeld(warm, l.id);
    await backend.release(warm, l.id);
  }, 180_000);
  afterAll(async () => {
    await lh?.close();
    await server?.destroy();
    vi.restoreAllMocks();
  }, 60_000);

  it("acquire, release, renew, current and is-held send no more requests than DESIGN.md allows", async () => {
    const sent = c.counter(server);
    const count = async (op: () => Promise<unknown>) => {
      const before = await sent();
      await op();
      return (await sent()) - before;
    };
    const r = uniqueName("rt");
    let lease: Lease | undefined;
    const acquire = await count(async () => {
      const res = await backend.acquire(r, { principal: "rt@test", ttlMs: 60_000 });
      if (isHeld(res)) throw new Error("held");
      lease = res;
    });
    const renew = await count(() => backend.renew(r, lease!.id, 90_000));
    const current = await count(() => backend.current(r));
    const held = await count(() => backend.isHeld(r, lease!.id));
    const release = await count(() => backend.release(r, lease!.id));
    expect({ acquire, release, renew, current, isHeld: held }).toEqual(c.expected);
  }, 60_000);

  it("waits by notification where the backend can push: the requests do not grow with the wait", async () => {
    const r = uniqueName("rt-wait");
    const holder = (await backend.acquire(r, { principal: "rt@test", ttlMs: 120_000 })) as Lease;
    const sent = c.counter(server);
    const requestsFor = async (ms: number) => {
      const before = await sent();
      await backend.waitForChange(r, Date.now() + ms, new AbortController().signal);
      return (await sent()) - before;
    };
    // A first wait opens the subscriber/listener connection; only later waits are compared, so
    // set-up cannot hide a poll loop.
    await requestsFor(300);
    const short = await requestsFor(500);
    const long = await requestsFor(3500);
    if (c.pushes) {
      // Subscribe/listen/watch set-up and one read, however long it waits.
      expect(long).toBeLessThanOrEqual(short);
    } else {
      // Nothing to subscribe to: polling with backoff, so a longer wait reads more.
      expect(long).toBeGreaterThan(short);
    }
    const woke = backend.waitForChange(r, Date.now() + 60_000, new AbortController().signal);
    await new Promise((res) => setTimeout(res, 300));
    await backend.release(r, holder.id);
    await woke;
  }, 90_000);
});
