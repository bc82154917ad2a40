import { describeBackendContract } from "../contract/contract.js";
import { etcdClient, startEtcd } from "../support/etcd.js";

// Three members on loopback; the leader is killed before the suite starts, so every operation
// runs while one configured endpoint refuses connections and after a leader election.
describeBackendContract("etcd (3-member cluster, leader stopped)", async () => {
  const cluster = await startEtcd(3);
  await (await cluster.leader()).stop();
  return {
    makeBackend: () => etcdClient(cluster.endpoints),
    backendName: "etcd",
    ini: `[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-test/\n`,
    shortTtlMs: 2000,
    teardown: () => cluster.destroy(),
  };
});
