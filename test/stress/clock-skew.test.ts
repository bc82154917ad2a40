import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeConfig } from "../support/cli.js";
import { type EtcdCluster, startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { type RedisServer, startRedis } from "../support/redis.js";

// DESIGN.md rule 3 on the server backends whose suites do not already test it (s3-semantics
// does S3): a client whose wall clock is an hour off can neither take a live lease nor keep a
// dead one, because expiry is judged by the server. sqlite's server clock is the host's own.
const SHIFTED_CLOCK = resolve(import.meta.dirname, "../support/rgw/shifted-clock.mjs");
const HOUR = 3_600_000;
const shifted = (offsetMs: number) => ({
  env: {
    NODE_OPTIONS: `--import ${SHIFTED_CLOCK}`,
    LEASEHOLD_TEST_CLOCK_OFFSET_MS: String(offsetMs),
  },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("clock skew on redis, postgres and etcd", () => {
  let redis: RedisServer;
  let pg: PostgresServer;
  let etcd: EtcdCluster;
  const configs: Record<string, string> = {};
  beforeAll(async () => {
    [redis, pg, etcd] = await Promise.all([startRedis(), startPostgres(), startEtcd(1)]);
    configs.redis = writeConfig(
      "skew-redis.ini",
      `[default]\nbackend = redis\n[backend.redis]\nurl = ${redis.url}\n`,
    );
    configs.postgres = writeConfig(
      "skew-pg.ini",
      `[default]\nbackend = postgres\n[backend.postgres]\nurl = ${pg.url}\n`,
    );
    configs.etcd = writeConfig(
      "skew-etcd.ini",
      `[default]\nbackend = etcd\n[backend.etcd]\nendpoints = ${etcd.endpoints}\n`,
    );
  }, 240_000);
  afterAll(async () => {
    await Promise.all([redis?.destroy(), pg?.destroy(), etcd?.destroy()]);
  });

  for (const backend of ["redis", "postgres", "etcd"]) {
    it(`${backend}: an hour-fast client cannot take a live lease; an hour-slow one cannot keep or renew a lapsed one`, async () => {
      const config = configs[backend]!;
      const live = uniqueName("skew-live");
      const held = await runCli(["-c", config, "acquire", "--ttl", "60s", live]);
      expect(held.code, held.stderr).toBe(0);
      const fast = await runCli(["-c", config, "acquire", live], shifted(HOUR));
      expect(fast.code, fast.stderr).toBe(1);
      expect(fast.stdout).toBe("");
      expect(
        (await runCli(["-c", config, "is-held", live, held.stdout.trim()], shifted(HOUR))).code,
      ).toBe(0);

      const lapsing = uniqueName("skew-lapse");
      const short = await runCli(["-c", config, "acquire", "--ttl", "2s", lapsing]);
      expect(short.code, short.stderr).toBe(0);
      // etcd rounds up to whole seconds and its lessor checks every 500 ms: leave room.
      await sleep(backend === "etcd" ? 4_000 : 2_500);
      const id = short.stdout.trim();
      expect((await runCli(["-c", config, "renew", lapsing, id], shifted(-HOUR))).code).toBe(1);
      expect((await runCli(["-c", config, "is-held", lapsing, id], shifted(-HOUR))).code).toBe(1);
      const next = await runCli(["-c", config, "acquire", lapsing], shifted(-HOUR));
      expect(next.code, next.stderr).toBe(0);
    }, 120_000);
  }
});
