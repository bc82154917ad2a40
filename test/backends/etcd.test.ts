import { create } from "../../src/backends/etcd/index.js";
import type { Backend } from "../../src/backends/types.js";
import { describeBackendContract } from "../contract/contract.js";
import { startEtcd } from "../support/etcd.js";

/** A backend client as the registry would build it from `[backend.etcd] endpoints = …`. */
export function etcdClient(endpoints: string, timeoutMs = 10_000): Promise<Backend> {
  return create({
    name: "etcd",
    options: { endpoints: endpoints.split(","), prefix: "/leasehold-test/", dial_timeout: 2000, command_timeout: 5000 },
    timeoutMs,
  });
}

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
