import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { type Held, isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { type EtcdCluster, etcdClient, startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";

function leaseOf(r: Lease | Held): Lease {
  if (isHeld(r)) throw new Error(`expected a lease, held by ${r.holder.principal}`);
  return r;
}

const req = (ttlMs: number) => ({ principal: "alice@test", ttlMs });

// Properties specific to etcd that the shared contract cannot see: which etcd leases exist,
// how keys are laid out, what the CLI accepts as configuration.
describe("etcd backend specifics", () => {
  let cluster: EtcdCluster;
  let raw: Etcd3;
  let b: Backend;
  const recordKey = (r: string) => Buffer.from(`/leasehold-test/${r}\0d`);
  const etcdLeaseOf = async (r: string) =>
    (await raw.kv.range({ key: recordKey(r) })).kvs[0]?.lease;
  const ttlOf = async (id: string) =>
    Number((await raw.leaseClient.leaseTimeToLive({ ID: id })).TTL);
  const leaseCount = async () =>
    ((await raw.leaseClient.leaseLeases()) as unknown as { leases: unknown[] }).leases.length;

  beforeAll(async () => {
    cluster = await startEtcd(1);
    raw = new Etcd3({ hosts: cluster.endpoints });
    b = await etcdClient(cluster.endpoints);
  });

  afterAll(async () => {
    await b?.close();
    raw?.close();
    await cluster?.destroy();
  });

  it("rounds a sub-second TTL up to whole seconds and reports time left from etcd", async () => {
    const r = uniqueName("round-up");
    const lease = leaseOf(await b.acquire(r, req(600)));
    // etcd grants at least 1 s (more if its minimum TTL is higher); never less than asked.
    expect(lease.remainingMs).toBeGreaterThanOrEqual(1000);
    expect(lease.expiresAt.getTime() - lease.createdAt.getTime()).toBe(lease.remainingMs);
    const id = await etcdLeaseOf(r);
    expect(await ttlOf(id!)).toBeGreaterThanOrEqual(0);
    const seen = await b.current(r);
    expect(seen!.remainingMs).toBeLessThanOrEqual(lease.remainingMs);
  });

  it("renew moves the keys to a new etcd lease, revokes the old one and keeps the fence", async () => {
    const r = uniqueName("renew-move");
    const lease = leaseOf(await b.acquire(r, req(60_000)));
    const before = await etcdLeaseOf(r);
    const renewed = await b.renew(r, lease.id, 300_000);
    const after = await etcdLeaseOf(r);
    expect(after).not.toBe(before);
    expect(await ttlOf(before!)).toBe(-1);
    expect(await ttlOf(after!)).toBeGreaterThan(290);
    expect(renewed).toMatchObject({ id: lease.id, fence: lease.fence, principal: "alice@test" });
    expect(renewed!.createdAt.getTime()).toBe(lease.createdAt.getTime());
  });

  it("leaves no etcd lease behind after release, a lost acquire, a refused renew or force-release", async () => {
    const r = uniqueName("no-leak");
    const start = await leaseCount();
    const lease = leaseOf(await b.acquire(r, req(60_000)));
    expect(isHeld(await b.acquire(r, req(60_000)))).toBe(true);
    expect(await b.renew(r, "wrong-id-wrong-id-wrong-", 60_000)).toBeUndefined();
    expect(await leaseCount()).toBe(start + 1);
    expect(await b.release(r, lease.id)).toBe(true);
    expect(await leaseCount()).toBe(start);
    leaseOf(await b.acquire(r, req(60_000)));
    expect(await b.forceRelease(r)).toBe(true);
    expect(await leaseCount()).toBe(start);
  });

  it("fails loudly on a foreign value under its prefix instead of misreading it", async () => {
    const r = uniqueName("foreign");
    await raw.put(recordKey(r)).value("not json");
    await expect(b.current(r)).rejects.toBeInstanceOf(BackendUnavailableError);
    await raw.delete().key(recordKey(r));
  });

  describe("configuration through the CLI", () => {
    const run = (ini: string, args: string[]) =>
      runCli(["-c", writeConfig(`etcd-cfg-${uniqueName("c")}.ini`, ini), ...args]);

    it("works with --backend etcd and only endpoints configured", async () => {
      const r = uniqueName("only-endpoints");
      const res = await run(`[backend.etcd]\nendpoints = ${cluster.endpoints}\n`, [
        "--backend",
        "etcd",
        "acquire",
        r,
      ]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    });

    it("accepts type = etcd3 and stormlock's host = HOST:PORT", async () => {
      const host = cluster.endpoints.replace("http://", "");
      const res = await run(`[backend.locks]\ntype = etcd3\nhost = ${host}\n`, [
        "--backend",
        "locks",
        "acquire",
        uniqueName("alias"),
      ]);
      expect(res.code, res.stderr).toBe(0);
    });

    it("refuses an endpoint that is not http(s) with exit 2", async () => {
      const res = await run("[backend.etcd]\nendpoints = unix:///run/etcd.sock\n", [
        "--backend",
        "etcd",
        "current",
        "x",
      ]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/endpoints/);
    });
  });
});
