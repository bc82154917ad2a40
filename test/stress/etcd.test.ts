import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EtcdCluster, startEtcd } from "../support/etcd.js";
import { race } from "./race.js";

// etcd grants whole-second leases and keeps time itself; the stored createdAt is stamped by the
// client just before the granting transaction, so the checker bounds the grant by the reply.
describe("stress: etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd(1);
  });
  afterAll(() => cluster?.destroy());

  it("16 processes racing on 4 resources: no two leases overlap, fences rise in grant order", async () => {
    const r = await race({
      label: "etcd",
      backend: "etcd",
      ini: `[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-stress/\n`,
      model: "stamped-before-grant",
      target: 400,
      seconds: 25,
      ttlMs: 1000,
    });
    expect(r.violations).toEqual([]);
    expect(r.workerFailures).toBe(0);
    expect(r.leases).toBeGreaterThan(80);
  }, 300_000);
});
