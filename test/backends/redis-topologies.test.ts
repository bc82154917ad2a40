import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/redis/index.js";
import type { Backend, OptionValues } from "../../src/backends/types.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import {
  makeTlsFiles,
  type RedisServer,
  startRedis,
  startSentinel,
  type TlsFiles,
} from "../support/redis.js";

const req = { principal: "alice@test", ttlMs: 60_000 };

/**
 * A short tour of the contract through one topology: two clients, contention, renew, list,
 * a waiter woken by release (the subscriber connection goes through the same topology).
 */
async function tour(options: OptionValues): Promise<void> {
  const make = () =>
    create({ name: "redis", options: { prefix: "leasehold:", ...options }, timeoutMs: 5_000 });
  const [a, b]: Backend[] = [await make(), await make()];
  try {
    const r = uniqueName("tour");
    const lease = (await a.acquire(r, req)) as Lease;
    expect(isHeld(lease)).toBe(false);
    const second = await b.acquire(r, { ...req, principal: "bob@test" });
    expect(isHeld(second) && second.holder.id).toBe(lease.id);
    expect((await b.renew(r, lease.id, 120_000))?.remainingMs).toBeGreaterThan(100_000);
    const listed: string[] = [];
    for await (const l of b.list(r)) listed.push(l.id);
    expect(listed).toEqual([lease.id]);
    const waiting = b.waitForChange(r, Date.now() + 30_000, new AbortController().signal);
    setTimeout(() => void a.release(r, lease.id), 200);
    await waiting;
    expect(isHeld(await b.acquire(r, req))).toBe(false);
  } finally {
    await a.close();
    await b.close();
  }
}

describe("redis through Sentinel", () => {
  let primary: RedisServer;
  let sentinel: RedisServer;
  beforeAll(async () => {
    primary = await startRedis();
    sentinel = await startSentinel(primary.port);
  });
  afterAll(async () => {
    await sentinel?.destroy();
    await primary?.destroy();
  });

  it("finds the primary through the sentinel and keeps the contract", async () => {
    await tour({ sentinels: [`127.0.0.1:${sentinel.port}`], sentinel_name: "mymaster" });
  }, 30_000);

  it("works from the CLI with sentinels and sentinel_name", async () => {
    const config = writeConfig(
      `redis-sentinel-${process.pid}.ini`,
      `[backend.redis]\nsentinels = 127.0.0.1:${sentinel.port}\nsentinel_name = mymaster\n`,
    );
    const res = await runCli([
      "-c",
      config,
      "--backend",
      "redis",
      "acquire",
      uniqueName("sentinel"),
    ]);
    expect(res.code, res.stderr).toBe(0);
  }, 30_000);
});

describe("redis over TLS", () => {
  let tls: TlsFiles;
  let server: RedisServer;
  beforeAll(async () => {
    tls = await makeTlsFiles();
    server = await startRedis({ tls });
  });
  afterAll(async () => {
    await server?.destroy();
    tls?.remove();
  });

  it("keeps the contract over rediss:// with tls_ca", async () => {
    await tour({ url: `rediss://localhost:${server.port}`, tls_ca: tls.ca });
  }, 30_000);

  it("refuses a server whose certificate does not verify: exit 3 naming the certificate problem", async () => {
    const config = writeConfig(
      `redis-tls-bad-${process.pid}.ini`,
      `[backend.redis]\nurl = rediss://localhost:${server.port}\ntimeout = 2s\n`,
    );
    const res = await runCli(["-c", config, "--backend", "redis", "acquire", uniqueName("tls")]);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/certificate/i);
  }, 30_000);

  it("connects without a CA when tls_reject_unauthorized = false", async () => {
    const config = writeConfig(
      `redis-tls-insecure-${process.pid}.ini`,
      `[backend.redis]\nurl = rediss://localhost:${server.port}\ntls_reject_unauthorized = false\n`,
    );
    const res = await runCli(["-c", config, "--backend", "redis", "acquire", uniqueName("tls")]);
    expect(res.code, res.stderr).toBe(0);
  }, 30_000);
});

describe("redis doctor", () => {
  it("names the server and warns when it keeps no append-only file, but not when it does", async () => {
    const plain = await startRedis();
    const durable = await startRedis({ args: ["--appendonly", "yes", "--appendfsync", "always"] });
    try {
      for (const [server, aof] of [
        [plain, false],
        [durable, true],
      ] as const) {
        const b = await create({
          name: "redis",
          options: { url: server.url, prefix: "leasehold:" },
          timeoutMs: 5_000,
        });
        try {
          const checks = await b.doctor!();
          expect(checks.find((c) => c.name === "server")).toMatchObject({
            ok: true,
            detail: expect.stringMatching(/^Redis 7\.\d+\.\d+ \(standalone\) at 127\.0\.0\.1:\d+$/),
          });
          const persistence = checks.find((c) => c.name === "persistence")!;
          expect(persistence.ok).toBe(aof);
          if (!aof) expect(persistence.fix).toMatch(/appendfsync always/);
        } finally {
          await b.close();
        }
      }
    } finally {
      await plain.destroy();
      await durable.destroy();
    }
  }, 30_000);
});
