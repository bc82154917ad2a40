import { resolve } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/s3/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { type Held, isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type S3Proxy, startS3Proxy } from "../support/rgw/proxy.js";
import { type RgwServer, startRgw } from "../support/s3.js";

const SHIFTED_CLOCK = resolve(import.meta.dirname, "../support/rgw/shifted-clock.mjs");
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const req = (ttlMs: number, principal = "alice@test") => ({ principal, ttlMs });

function leaseOf(r: Lease | Held): Lease {
  if (isHeld(r)) throw new Error(`expected a lease, held by ${r.holder.principal}`);
  return r;
}

let rgw: RgwServer;
let a: Backend;
let config: string;
const opened: Backend[] = [];
async function backend(options: Record<string, string | number | boolean> = {}): Promise<Backend> {
  const b = await create({ name: "s3", timeoutMs: 10_000, options: rgw.options(options) });
  opened.push(b);
  return b;
}

beforeAll(async () => {
  rgw = await startRgw();
  a = await backend();
  // A generous timeout: 20 processes importing the AWS SDK at once can starve a small machine
  // for seconds, and these tests are about exclusion, not bounds (s3-faults.test.ts does those).
  config = writeConfig(
    `s3-semantics-${process.pid}.ini`,
    `[default]\nbackend = s3\nttl = 60s\n\n${rgw.ini("s3", "timeout = 60s\n")}`,
  );
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await rgw?.destroy();
});

describe("s3 races", () => {
  it("20 processes racing to take over one expired lease give exactly one winner, with the next fence", async () => {
    const r = uniqueName("takeover-cli");
    const old = leaseOf(await a.acquire(r, req(1000)));
    await sleep(3200); // 1 s ttl + 1 s margin for whole-second Last-Modified + rounding
    expect(await a.current(r)).toBeUndefined();
    // Generous kill timer: 20 processes importing the AWS SDK at once on a small, shared machine.
    const runs = await Promise.all(
      Array.from({ length: 20 }, () =>
        runCli(["-c", config, "acquire", r], { timeoutMs: 170_000 }),
      ),
    );
    const winners = runs.filter((x) => x.code === 0);
    expect(winners, runs.map((x) => x.stderr).join("\n")).toHaveLength(1);
    expect(
      runs.filter((x) => x.code === 1),
      runs
        .filter((x) => x.code !== 0 && x.code !== 1)
        .map((x) => `${x.code}: ${x.stderr}`)
        .join("\n"),
    ).toHaveLength(19);
    for (const x of runs) if (x.code === 1) expect(x.stdout).toBe("");
    const now = await a.current(r);
    expect(now?.id).toBe(winners[0]!.stdout.trim());
    expect(now?.fence).toBe(old.fence + 1);
  }, 200_000);

  it("20 in-process acquires from 4 clients on an expired lease give one winner; losers see it as holder", async () => {
    const r = uniqueName("takeover-lib");
    const old = leaseOf(await a.acquire(r, req(1000)));
    const clients = [a, await backend(), await backend(), await backend()];
    await sleep(3200);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => clients[i % 4]!.acquire(r, req(60_000, `p${i}@test`))),
    );
    const winners = results.filter((x) => !isHeld(x)) as Lease[];
    expect(winners).toHaveLength(1);
    expect(winners[0]!.fence).toBe(old.fence + 1);
    for (const x of results) if (isHeld(x)) expect(x.holder.id).toBe(winners[0]!.id);
  }, 60_000);

  it("racing renew and release by the holder end released, never resurrected", async () => {
    const r = uniqueName("renew-release");
    const lease = leaseOf(await a.acquire(r, req(60_000)));
    const b = await backend();
    const [released] = await Promise.all([b.release(r, lease.id), a.renew(r, lease.id, 120_000)]);
    expect(released).toBe(true);
    expect(await a.current(r)).toBeUndefined();
  });
});

describe("s3 server clock", () => {
  const shifted = (offsetMs: number) => ({
    env: {
      NODE_OPTIONS: `--import ${SHIFTED_CLOCK}`,
      LEASEHOLD_TEST_CLOCK_OFFSET_MS: String(offsetMs),
    },
  });

  it("a client whose clock is an hour fast cannot take a live lease, and sees it as live", async () => {
    const r = uniqueName("fast-clock");
    const lease = leaseOf(await a.acquire(r, req(60_000)));
    const res = await runCli(["-c", config, "acquire", r], shifted(HOUR));
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toBe("");
    expect((await runCli(["-c", config, "is-held", r, lease.id], shifted(HOUR))).code).toBe(0);
    expect((await a.current(r))?.id).toBe(lease.id);
  }, 60_000);

  it("a client whose clock is an hour fast gets lease times from the server, not from its own clock", async () => {
    const r = uniqueName("fast-clock-times");
    const res = await runCli(["-c", config, "acquire", "--json", r], shifted(HOUR));
    expect(res.code, res.stderr).toBe(0);
    const printed = JSON.parse(res.stdout) as { expiresAt: string; createdAt: string };
    expect(Math.abs(Date.parse(printed.createdAt) - Date.now())).toBeLessThan(30_000);
    expect(Math.abs(Date.parse(printed.expiresAt) - (Date.now() + 60_000))).toBeLessThan(30_000);
    expect(isHeld(await a.acquire(r, req(60_000)))).toBe(true);
  }, 60_000);

  it("explains a clock too far off to sign when the SDK may not retry (max_attempts = 1)", async () => {
    const one = writeConfig(
      `s3-one-attempt-${process.pid}.ini`,
      `[default]\nbackend = s3\n\n${rgw.ini("s3", "max_attempts = 1\ntimeout = 60s\n")}`,
    );
    const res = await runCli(["-c", one, "current", uniqueName("skewed")], shifted(HOUR));
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/clock is too far from the server's/);
    expect(res.stderr).toMatch(/max_attempts/);
  }, 60_000);

  it("a client whose clock is an hour slow cannot keep or renew a lease that has expired", async () => {
    const r = uniqueName("slow-clock");
    const lease = leaseOf(await a.acquire(r, req(1000)));
    await sleep(3200);
    expect((await runCli(["-c", config, "is-held", r, lease.id], shifted(-HOUR))).code).toBe(1);
    expect((await runCli(["-c", config, "renew", r, lease.id], shifted(-HOUR))).code).toBe(1);
    expect((await runCli(["-c", config, "acquire", r], shifted(-HOUR))).code).toBe(0);
  }, 60_000);
});

describe("s3 conditional-write safety", () => {
  let proxy: S3Proxy;
  beforeAll(async () => {
    proxy = await startS3Proxy(rgw.endpoint);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it("refuses a server that ignores conditional writes, writes no lease, and doctor says why", async () => {
    const prefix = `${uniqueName("ignoring")}/`;
    proxy.mode = "ignore-conditions";
    const bad = await backend({ endpoint: proxy.endpoint, prefix, max_attempts: 1 });
    await expect(bad.acquire("x", req(60_000))).rejects.toThrow(
      /the server (ignores|creates a missing object on) If-.*so leases would not exclude each other/,
    );
    await expect(bad.acquire("x", req(60_000))).rejects.toBeInstanceOf(BackendUnavailableError);
    const checks = await bad.doctor!();
    expect(checks.find((c) => c.name === "conditional writes")).toMatchObject({ ok: false });
    const direct = await backend({ prefix });
    expect(await direct.current("x")).toBeUndefined();
    const left: Lease[] = [];
    for await (const l of direct.list()) left.push(l);
    expect(left).toEqual([]);
    expect((await direct.doctor!()).every((c) => c.ok)).toBe(true);
  });

  it("a conditional PUT whose reply is lost (5xx after it landed) is recognised as ours on re-read", async () => {
    const prefix = `${uniqueName("lost-reply")}/`;
    const direct = await backend({ prefix });
    const r = uniqueName("lost");
    await direct.forceRelease(r); // runs the conditional-write check through RGW itself
    proxy.mode = "lose-conditional-replies";
    const lossy = await backend({ endpoint: proxy.endpoint, prefix, max_attempts: 1 });
    const lease = leaseOf(await lossy.acquire(r, req(60_000)));
    expect((await direct.current(r))?.id).toBe(lease.id);
    const renewed = await lossy.renew(r, lease.id, 120_000);
    expect(renewed?.id).toBe(lease.id);
    expect(await lossy.release(r, lease.id)).toBe(true);
    expect(await direct.current(r)).toBeUndefined();
    proxy.mode = "pass";
  });

  it("treats 409 ConditionalRequestConflict as contention: 20 racing acquires give one winner, no errors", async () => {
    const prefix = `${uniqueName("conflict-409")}/`;
    await (await backend({ prefix })).forceRelease("warm"); // the probe runs through RGW itself
    proxy.mode = "conflict-as-409";
    const clients = await Promise.all(
      [1, 2, 3, 4].map(() => backend({ endpoint: proxy.endpoint, prefix })),
    );
    for (const r of [uniqueName("fresh"), uniqueName("released")]) {
      if (r.includes("released")) {
        const old = leaseOf(await clients[0]!.acquire(r, req(1000)));
        await clients[0]!.release(r, old.id);
      }
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => clients[i % 4]!.acquire(r, req(60_000, `p${i}@test`))),
      );
      const winners = results.filter((x) => !isHeld(x)) as Lease[];
      expect(winners).toHaveLength(1);
      for (const x of results) if (isHeld(x)) expect(x.holder.id).toBe(winners[0]!.id);
    }
    proxy.mode = "pass";
  });

  it("recovers when the marker records the wrong If-Match form (RGW wants the ETag unquoted)", async () => {
    const prefix = `${uniqueName("stale-marker")}/`;
    const s3 = new S3Client({
      endpoint: rgw.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: rgw.bucket,
        Key: `${prefix}.leasehold/conditional-writes`,
        Body: JSON.stringify({ leasehold: "conditional writes verified", quoteIfMatch: true }),
      }),
    );
    s3.destroy();
    const b = await backend({ prefix });
    const r = uniqueName("requote");
    const lease = leaseOf(await b.acquire(r, req(60_000)));
    expect(await b.release(r, lease.id)).toBe(true);
    const next = leaseOf(await b.acquire(r, req(60_000)));
    expect(next.fence).toBe(lease.fence + 1);
  });

  it("keeps the lease objects under the configured prefix only", async () => {
    const prefix = `${uniqueName("prefix")}/`;
    const b = await backend({ prefix });
    const r = uniqueName("scoped");
    leaseOf(await b.acquire(r, req(60_000)));
    expect(await a.current(r)).toBeUndefined();
    expect((await b.current(r))?.resource).toBe(r);
  });
});
