import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHeld, LeaseHeldError, Leasehold, LeaseLostError } from "../../src/index.js";
import { uniqueName } from "../support/names.js";

describe("library: Leasehold over sqlite", () => {
  let lh: Leasehold;
  let other: Leasehold;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "lh-lib-"));
    const config = join(dir, "c.ini");
    writeFileSync(config, `[backend.sqlite]\npath = ${join(dir, "l.db")}\n`);
    lh = await Leasehold.open({ config, env: { USER: "lib" } });
    other = await Leasehold.open({ config, env: { USER: "other" } });
  });
  afterAll(async () => {
    await lh.close();
    await other.close();
  });

  it("acquires, reports held to another client, and releases", async () => {
    const r = uniqueName("lib");
    const lease = await lh.acquire(r, { ttl: "1m", reason: "test" });
    expect(lease.principal).toMatch(/^lib@/);
    const second = await other.tryAcquire(r);
    expect(isHeld(second) && second.holder.id).toBe(lease.id);
    await expect(other.acquire(r)).rejects.toBeInstanceOf(LeaseHeldError);
    expect(await other.isHeld(r, lease.id)).toBe(true);
    expect(await lh.release(r, lease.id)).toBe(true);
    expect(await other.current(r)).toBeUndefined();
  });

  it("withLease renews in the background beyond the TTL and releases afterwards", async () => {
    const r = uniqueName("with");
    const result = await lh.withLease(r, { ttl: 600 }, async (lease, signal) => {
      await new Promise((res) => setTimeout(res, 1500));
      expect(signal.aborted).toBe(false);
      expect(await other.isHeld(r, lease.id)).toBe(true);
      return lease.fence;
    });
    expect(result).toBeGreaterThan(0);
    expect(await other.current(r)).toBeUndefined();
  });

  it("withLease aborts the signal when the lease is broken and throws LeaseLostError", async () => {
    const r = uniqueName("lost");
    let aborted = false;
    const run = lh.withLease(r, { ttl: 900 }, async (_lease, signal) => {
      await other.forceRelease(r);
      await new Promise<void>((res) =>
        signal.addEventListener("abort", () => res(), { once: true }),
      );
      aborted = signal.aborted;
      return "done";
    });
    await expect(run).rejects.toBeInstanceOf(LeaseLostError);
    expect(aborted).toBe(true);
  });

  it("withLease waits for the holder when asked", async () => {
    const r = uniqueName("wait");
    const held = await other.acquire(r, { ttl: "1m" });
    setTimeout(() => void other.release(r, held.id), 300);
    const fence = await lh.withLease(r, { ttl: "1m", wait: "10s" }, async (lease) => lease.fence);
    expect(fence).toBeGreaterThan(held.fence);
  });
});
