import { create } from "../../src/backends/redis/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { type RedisServer, startRedis } from "../support/redis.js";

/** The shared contract against one real redis-server started for this file. */
describeBackendContract("redis (single node)", async () => {
  const server: RedisServer = await startRedis();
  return {
    backendName: "redis",
    ini: `[backend.redis]\nurl = ${server.url}\n`,
    makeBackend: () =>
      create({
        name: "redis",
        options: { url: server.url, prefix: "leasehold:" },
        timeoutMs: 10_000,
      }),
    teardown: () => server.destroy(),
  };
});
