import { startRedis } from "../support/redis.js";
import { describeRace } from "./describe-race.js";

// Grant and expiry stamps come from Redis itself (TIME inside the script, PEXPIREAT).
describeRace("stress: redis", {
  start: () => startRedis(),
  stop: (server) => server.destroy(),
  options: (server) => ({
    label: "redis",
    backend: "redis",
    ini: `[backend.redis]\nurl = ${server.url}\n`,
    model: "exact",
    target: 500,
    seconds: 20,
    ttlMs: 800,
  }),
  minLeases: 100,
});
