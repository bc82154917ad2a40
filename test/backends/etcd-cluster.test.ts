import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backends/types.js";
import { isHeld } from "../../src/lease/lease.js";
import { describeBackendContract } from "../contract/contract.js";
import { type EtcdCluster, etcdClient, startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";

// Three members on loopback; the leader is killed before the suite starts, so every operation
// runs while one configured endpoint refuses connections and after a leader election.
describeBackendContract("etcd (3-member cluster, leader stopped)", async () => {
  const cluster = await startEtcd(3);
  await (await cluster.leader()).stop();
  return {
    makeBackend: () => etcdClient(cluster.endpoints),
    backendName: "etcd",
    // 20 CLI processes start at once on a shared CI machine; a slow start is not what the
    // race test is about, so its operations get more than the default 10 s.
    ini: `[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-test/\ntimeout = 30s\n`,
    shortTtlMs: 2000,
    teardown: () => cluster.destroy(),
  };
});

describe("etcd 3-member cluster while members come and go", () => {
  let cluster: EtcdCluster;
  let a: Backend;
  let b: Backend;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    cluster = await startEtcd(3);
    a = await etcdClient(cluster.endpoints);
    b = await etcdClient(cluster.endpoints);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cluster?.destroy();
  });

  it("a waiter's watch survives losing whichever member served it, and wakes only on release", async () => {
    const r = uniqueName("watch-failover");
    const lease = await a.acquire(r, { principal: "alice@test", ttlMs: 120_000 });
    if (isHeld(lease)) throw new Error("expected to acquire");
    let woke = false;
    const waiting = b
      .waitForChange(r, Date.now() + 120_000, new AbortController().signal)
      .then(() => {
        woke = true;
      });
    for (const member of cluster.members) {
      await member.stop();
      await sleep(1000);
      expect(woke).toBe(false);
      await member.start();
    }
    expect(await a.release(r, lease.id)).toBe(true);
    const released = Date.now();
    await waiting;
    expect(Date.now() - released).toBeLessThan(5000);
  }, 120_000);

  it("serves acquire, renew, is-held and release without an error while the leader is killed", async () => {
    const stopAt = Date.now() + 1500;
    let killed = false;
    let rounds = 0;
    while (!killed || rounds < 20) {
      if (!killed && Date.now() >= stopAt) {
        await (await cluster.leader()).stop();
        killed = true;
      }
      const r = uniqueName("through-election");
      const lease = await a.acquire(r, { principal: "alice@test", ttlMs: 60_000 });
      if (isHeld(lease)) throw new Error("expected to acquire");
      expect((await b.renew(r, lease.id, 30_000))?.fence).toBe(lease.fence);
      expect(await b.isHeld(r, lease.id)).toBe(true);
      expect(await a.release(r, lease.id)).toBe(true);
      rounds++;
    }
  }, 120_000);

  it("doctor names the stopped member and still finds a leader seen by a majority", async () => {
    // The previous test left the old leader stopped.
    const checks = await a.doctor!();
    const members = checks.filter((c) => c.name.startsWith("member "));
    expect(members).toHaveLength(3);
    expect(members.filter((c) => !c.ok)).toHaveLength(1);
    expect(members.find((c) => !c.ok)?.fix).toMatch(/endpoints/);
    expect(checks.find((c) => c.name === "cluster")).toMatchObject({ ok: true });
  }, 60_000);
});
