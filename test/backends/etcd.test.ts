import { describeBackendContract } from "../contract/contract.js";
import { etcdClient, startEtcd } from "../support/etcd.js";

describeBackendContract("etcd (single member)", async () => {
  const cluster = await startEtcd(1);
  return {
    makeBackend: () => etcdClient(cluster.endpoints),
    backendName: "etcd",
    ini: `[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-test/\n`,
    // etcd's lessor never grants less than ~2 s with default heartbeat settings (1.5 election ticks × 3/2).
    shortTtlMs: 2000,
    teardown: () => cluster.destroy(),
  };
});
