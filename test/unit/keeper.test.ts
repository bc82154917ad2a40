import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { LeaseKeeper, type RenewTarget } from "../../src/lease/keeper.js";
import type { Lease } from "../../src/lease/lease.js";

const lease: Lease = {
  resource: "r",
  id: "id",
  principal: "p",
  createdAt: new Date(0),
  expiresAt: new Date(60_000),
  fence: 1,
  remainingMs: 60_000,
};

describe("LeaseKeeper (fake clock)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => vi.useRealTimers());

  it("renews every ttl/3 while renewals succeed, and never declares a loss", async () => {
    const calls: number[] = [];
    const target: RenewTarget = {
      renew: async () => {
        calls.push(performance.now());
        return lease;
      },
    };
    const k = new LeaseKeeper(target, lease, { ttlMs: 60_000 });
    await vi.advanceTimersByTimeAsync(200_000);
    expect(calls.length).toBeGreaterThanOrEqual(9);
    expect(calls[0]).toBeCloseTo(20_000, -2);
    expect(k.signal.aborted).toBe(false);
    k.stop();
  });

  it("declares the lease lost at last successful renewal + ttl − margin when renewals keep failing", async () => {
    let fail = false;
    const target: RenewTarget = {
      renew: async () => {
        if (fail) throw new BackendUnavailableError("down");
        return lease;
      },
    };
    const k = new LeaseKeeper(target, lease, { ttlMs: 60_000, marginMs: 5_000 });
    await vi.advanceTimersByTimeAsync(20_000); // first renewal succeeds at t=20s
    fail = true;
    await vi.advanceTimersByTimeAsync(54_000); // t=74s: 20 + 60 - 5 = 75s not reached yet
    expect(k.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100); // t=75.1s
    expect(k.signal.aborted).toBe(true);
    expect(k.signal.reason).toBe("deadline");
  });

  it("declares the lease lost at once when the backend says it is no longer held", async () => {
    const k = new LeaseKeeper({ renew: async () => undefined }, lease, { ttlMs: 60_000 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(k.signal.aborted).toBe(true);
    expect(k.signal.reason).toBe("not-held");
  });

  it("treats a renewal that hangs as failed and keeps the deadline", async () => {
    const k = new LeaseKeeper({ renew: () => new Promise(() => {}) }, lease, {
      ttlMs: 30_000,
      marginMs: 3_000,
    });
    await vi.advanceTimersByTimeAsync(26_900);
    expect(k.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(k.signal.aborted).toBe(true);
  });
});
