import { startEtcd } from "../support/etcd.js";
import { describeRace } from "./describe-race.js";

// etcd grants whole-second leases and keeps time itself; the stored createdAt is stamped by the
// client just before the granting transaction, so the checker bounds the grant by the reply.
describeRace("stress: etcd", {
  start: () => startEtcd(1),
  stop: (cluster) => cluster.destroy(),
  options: (cluster) => ({
    label: "etcd",
    backend: "etcd",
    ini: `[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-stress/\n`,
    model: "stamped-before-grant",
    target: 400,
    seconds: 25,
    ttlMs: 1000,
  }),
  minLeases: 80,
});
