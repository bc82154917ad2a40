import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { type Held, isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { cliAcquire, type EtcdCluster, etcdClient, startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";

/** The timeout the outage checks run with. */
const TIMEOUT_MS = 2000;
/**
 * The timeout for healthy steps (taking a lease before an outage, checking it after) and for the
 * library clients: generous, because the shared CI machine can starve a process for seconds,
 * and these steps are not what is being measured.
 */
const HEALTHY_TIMEOUT = "30s";
const LIBRARY_TIMEOUT_MS = 8000;

function leaseOf(r: Lease | Held): Lease {
  if (isHeld(r)) throw new Error(`expected a lease, held by ${r.holder.principal}`);
  return r;
}

/** Runs the CLI and measures how long the whole process took. */
async function timed(args: string[]) {
  const started = Date.now();
  const res = await runCli(args);
  return { ...res, tookMs: Date.now() - started };
}

describe("etcd faults", () => {
  let cluster: EtcdCluster;
  let config: string;
  let healthy: string;
  // What a healthy CLI run costs on this machine (node start-up, imports, one round trip);
  // a failing run may take that plus the configured timeout, never more than a little slack.
  let baselineMs = 0;
  const bound = () => TIMEOUT_MS + Math.max(3000, 2 * baselineMs);

  beforeAll(async () => {
    cluster = await startEtcd(1);
    const ini = (timeout: string) =>
      `[default]\nbackend = etcd\nttl = 60s\n\n[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-faults/\ntimeout = ${timeout}\n`;
    config = writeConfig(`etcd-faults-${process.pid}.ini`, ini("2s"));
    healthy = writeConfig(`etcd-faults-healthy-${process.pid}.ini`, ini(HEALTHY_TIMEOUT));
    const probe = await timed(["-c", healthy, "current", uniqueName("warm")]);
    expect(probe.code, probe.stderr).toBe(1);
    baselineMs = probe.tookMs;
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it("exits 3 within the timeout while etcd is stopped, then serves the same lease once it is back", async () => {
    const { resource: r, id } = await cliAcquire(healthy, "stopped");
    await cluster.members[0]!.stop();
    try {
      for (const args of [
        ["acquire", uniqueName("other")],
        ["is-held", r, id],
        ["current", r],
        ["renew", r, id],
        ["release", r, id],
      ]) {
        const res = await timed(["-c", config, ...args]);
        expect(res.code, `${args[0]}: ${res.stderr}`).toBe(3);
        expect(res.stdout).toBe("");
        expect(res.stderr).toMatch(/etcd/);
        expect(res.stderr).toMatch(/\[backend\.etcd\]/);
        expect(res.tookMs).toBeLessThan(bound());
      }
    } finally {
      await cluster.members[0]!.start();
    }
    expect((await runCli(["-c", healthy, "is-held", r, id])).code).toBe(0);
    expect((await runCli(["-c", healthy, "release", r, id])).code).toBe(0);
    expect((await runCli(["-c", healthy, "is-held", r, id])).code).toBe(1);
  }, 120_000);

  it("exits 3 within the timeout while etcd is frozen (connections accepted, never answered)", async () => {
    const { resource: r, id } = await cliAcquire(healthy, "frozen");
    cluster.members[0]!.freeze();
    try {
      for (const args of [
        ["acquire", r],
        ["is-held", r, id],
      ]) {
        const res = await timed(["-c", config, ...args]);
        expect(res.code, `${args[0]}: ${res.stderr}`).toBe(3);
        expect(res.stdout).toBe("");
        expect(res.stderr).toMatch(/timed out/);
        expect(res.tookMs).toBeLessThan(bound());
      }
    } finally {
      cluster.members[0]!.thaw();
    }
    expect((await runCli(["-c", healthy, "is-held", r, id])).code).toBe(0);
  }, 120_000);

  it("a long-lived client throws BackendUnavailableError during an outage and recovers without being recreated", async () => {
    const b = await etcdClient(cluster.endpoints, LIBRARY_TIMEOUT_MS);
    try {
      const r = uniqueName("lib-outage");
      const lease = leaseOf(await b.acquire(r, { principal: "alice@test", ttlMs: 60_000 }));
      await cluster.members[0]!.stop();
      try {
        await expect(b.isHeld(r, lease.id)).rejects.toBeInstanceOf(BackendUnavailableError);
        await expect(
          b.acquire(uniqueName("x"), { principal: "alice@test", ttlMs: 60_000 }),
        ).rejects.toBeInstanceOf(BackendUnavailableError);
        await expect(b.renew(r, lease.id, 60_000)).rejects.toBeInstanceOf(BackendUnavailableError);
      } finally {
        await cluster.members[0]!.start();
      }
      expect(await b.isHeld(r, lease.id)).toBe(true);
      expect((await b.renew(r, lease.id, 30_000))?.fence).toBe(lease.fence);
      expect(await b.release(r, lease.id)).toBe(true);
    } finally {
      await b.close();
    }
  }, 60_000);

  it("a long-lived client times out while etcd is frozen and works again once it thaws", async () => {
    const b = await etcdClient(cluster.endpoints, LIBRARY_TIMEOUT_MS);
    try {
      const r = uniqueName("lib-freeze");
      const lease = leaseOf(await b.acquire(r, { principal: "alice@test", ttlMs: 60_000 }));
      cluster.members[0]!.freeze();
      try {
        const started = Date.now();
        await expect(b.isHeld(r, lease.id)).rejects.toBeInstanceOf(BackendUnavailableError);
        expect(Date.now() - started).toBeLessThan(2 * LIBRARY_TIMEOUT_MS);
      } finally {
        cluster.members[0]!.thaw();
      }
      expect(await b.isHeld(r, lease.id)).toBe(true);
      expect(await b.release(r, lease.id)).toBe(true);
    } finally {
      await b.close();
    }
  }, 60_000);

  it("a waiter returns instead of hanging when etcd goes away, and close() ends a pending wait at once", async () => {
    const a = await etcdClient(cluster.endpoints, LIBRARY_TIMEOUT_MS);
    const b = await etcdClient(cluster.endpoints, LIBRARY_TIMEOUT_MS);
    try {
      const r = uniqueName("wait-outage");
      leaseOf(await a.acquire(r, { principal: "alice@test", ttlMs: 60_000 }));
      const started = Date.now();
      const waiting = b
        .waitForChange(r, started + 60_000, new AbortController().signal)
        .catch((e: unknown) => e);
      await new Promise((done) => setTimeout(done, 300));
      await cluster.members[0]!.stop();
      const outcome = await waiting;
      // Either answer is fine (woken early, or told the backend is gone); hanging is not.
      if (outcome !== undefined) expect(outcome).toBeInstanceOf(BackendUnavailableError);
      expect(Date.now() - started).toBeLessThan(10_000);
      await cluster.members[0]!.start();

      const pending = b.waitForChange(r, Date.now() + 60_000, new AbortController().signal);
      await new Promise((done) => setTimeout(done, 300));
      const closing = Date.now();
      await b.close();
      await pending;
      expect(Date.now() - closing).toBeLessThan(1000);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
