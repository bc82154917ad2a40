import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../support/redis.js";
import { race } from "./race.js";

// Grant and expiry stamps come from Redis itself (TIME inside the script, PEXPIREAT).
describe("stress: redis", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.destroy());

  it("16 processes racing on 4 resources: no two leases overlap, fences rise in grant order", async () => {
    const r = await race({
      label: "redis",
      backend: "redis",
      ini: `[backend.redis]\nurl = ${server.url}\n`,
      model: "exact",
      target: 500,
      seconds: 20,
      ttlMs: 800,
    });
    expect(r.violations).toEqual([]);
    expect(r.workerFailures).toBe(0);
    expect(r.leases).toBeGreaterThan(100);
  }, 300_000);
});
