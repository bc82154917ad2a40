import { create } from "../../src/backends/redis/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { type RedisCluster, startRedisCluster } from "../support/redis.js";

/**
 * The shared contract against a Redis Cluster of three primaries on loopback: the scripts touch
 * only one hash slot each (lease and fence share a hash tag), `list` scans every primary, and
 * pub/sub reaches a subscriber on another node.
 */
describeBackendContract("redis (cluster of 3 primaries)", async () => {
  const cluster: RedisCluster = await startRedisCluster(3);
  return {
    backendName: "redis-cluster",
    ini: `[backend.redis-cluster]\ntype = redis\ncluster = ${cluster.seeds}\n`,
    makeBackend: () =>
      create({
        name: "redis-cluster",
        options: { cluster: cluster.seeds.split(","), prefix: "leasehold:" },
        timeoutMs: 10_000,
      }),
    teardown: () => cluster.destroy(),
  };
});
