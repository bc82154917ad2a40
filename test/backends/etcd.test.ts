import { describeBackendContract } from "../contract/contract.js";
import { etcdClient, startEtcd } from "../support/etcd.js";

describeBackendContract("etcd (single member)", async () => {
  const cluster = await startEtcd(1);
  return {
    makeBackend: () => etcdClient(cluster.endpoints),
    backendName: "etcd",
    // 20 CLI processes start at once on a shared CI machine; a slow start is not what the
    // race test is about, so its operations get more than the default 10 s.
    ini: `[backend.etcd]\nendpoints = ${cluster.endpoints}\nprefix = /leasehold-test/\ntimeout = 30s\n`,
    // etcd's lessor never grants less than ~2 s with default heartbeat settings (1.5 election ticks × 3/2).
    shortTtlMs: 2000,
    teardown: () => cluster.destroy(),
  };
});
