import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backends/types.js";
import { type Held, isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";

/** What a backend's test file hands the contract suite. */
export interface ContractTarget {
  /** A new, independent client of the same store (a second operator's machine). */
  makeBackend(): Promise<Backend>;
  /** INI text with this backend's `[backend.NAME]` section, for the CLI-level tests. */
  readonly ini: string;
  /** The NAME of that section. */
  readonly backendName: string;
  /**
   * How far two reads of one lease's expiresAt may differ, in ms (default 0). S3 stamps whole
   * seconds: a write's reply Date can fall one second after the object's Last-Modified.
   */
  readonly timeResolutionMs?: number;
  /** A TTL the backend honours reliably that is short enough to wait out (default 800 ms). */
  readonly shortTtlMs?: number;
  /** Stops servers started for the suite. */
  teardown?(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const req = (ttlMs: number, extra: { principal?: string; reason?: string } = {}) => ({
  principal: extra.principal ?? "alice@test",
  ttlMs,
  ...(extra.reason ? { reason: extra.reason } : {}),
});

/** Equal instants, up to the backend's stated time resolution. */
function expectSameInstant(a: Date, b: Date, resolutionMs = 0): void {
  expect(Math.abs(a.getTime() - b.getTime())).toBeLessThanOrEqual(resolutionMs);
}

function leaseOf(r: Lease | Held): Lease {
  if (isHeld(r))
    throw new Error(`expected a lease, the resource was held by ${r.holder.principal}`);
  return r;
}

/**
 * The executable spec every backend must pass (DESIGN.md, "Backend contract"). Two independent
 * clients, A and B, act like two operators; each test uses its own resource names.
 */
export function describeBackendContract(label: string, setup: () => Promise<ContractTarget>): void {
  describe(`backend contract: ${label}`, () => {
    let target: ContractTarget;
    let a: Backend;
    let b: Backend;
    let short = 800;

    beforeAll(async () => {
      target = await setup();
      a = await target.makeBackend();
      b = await target.makeBackend();
      short = target.shortTtlMs ?? 800;
    }, 120_000);

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await target?.teardown?.();
    }, 60_000);

    it("grants a free resource and reports it through current and isHeld on another client", async () => {
      const r = uniqueName("grant");
      const lease = leaseOf(await a.acquire(r, req(60_000, { reason: "INC-1 failover" })));
      expect(lease.resource).toBe(r);
      expect(lease.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(lease.principal).toBe("alice@test");
      expect(lease.reason).toBe("INC-1 failover");
      expect(lease.expiresAt.getTime() - lease.createdAt.getTime()).toBeGreaterThanOrEqual(59_000);
      expect(lease.expiresAt.getTime() - lease.createdAt.getTime()).toBeLessThanOrEqual(61_000);
      expect(lease.remainingMs).toBeGreaterThan(50_000);
      const seen = await b.current(r);
      expect(seen).toMatchObject({
        resource: r,
        id: lease.id,
        principal: "alice@test",
        reason: "INC-1 failover",
        fence: lease.fence,
      });
      expect(await b.isHeld(r, lease.id)).toBe(true);
    });

    it("refuses a held resource and names the holder, reason and expiry", async () => {
      const r = uniqueName("held");
      const lease = leaseOf(await a.acquire(r, req(60_000, { reason: "deploy" })));
      const second = await b.acquire(r, req(60_000, { principal: "bob@test" }));
      expect(isHeld(second)).toBe(true);
      const holder = (second as Held).holder;
      expect(holder).toMatchObject({
        id: lease.id,
        principal: "alice@test",
        reason: "deploy",
        fence: lease.fence,
      });
      expectSameInstant(holder.expiresAt, lease.expiresAt, target.timeResolutionMs);
      expect((await a.current(r))?.id).toBe(lease.id);
    });

    it("releases with the right id, after which the resource is free and the id is dead", async () => {
      const r = uniqueName("release");
      const lease = leaseOf(await a.acquire(r, req(60_000)));
      expect(await b.release(r, lease.id)).toBe(true);
      expect(await a.current(r)).toBeUndefined();
      expect(await a.isHeld(r, lease.id)).toBe(false);
      expect(await a.release(r, lease.id)).toBe(false);
      expect(await a.renew(r, lease.id, 60_000)).toBeUndefined();
      leaseOf(await b.acquire(r, req(60_000)));
    });

    it("leaves the lease untouched when release, renew or isHeld get a wrong id", async () => {
      const r = uniqueName("wrongid");
      const lease = leaseOf(await a.acquire(r, req(60_000)));
      const wrong = `${lease.id.slice(0, -2)}xx`;
      expect(await b.release(r, wrong)).toBe(false);
      expect(await b.renew(r, wrong, 600_000)).toBeUndefined();
      expect(await b.isHeld(r, wrong)).toBe(false);
      expect(await b.release(r, "not-a-lease")).toBe(false);
      const after = await a.current(r);
      expect(after).toMatchObject({ id: lease.id, fence: lease.fence, principal: lease.principal });
      expectSameInstant(after!.expiresAt, lease.expiresAt, target.timeResolutionMs);
    });

    it("answers release, renew and isHeld on a never-used resource with no", async () => {
      const r = uniqueName("never");
      expect(await a.current(r)).toBeUndefined();
      expect(await a.release(r, "abcdefghijklmnopqrstuvwx")).toBe(false);
      expect(await a.renew(r, "abcdefghijklmnopqrstuvwx", 60_000)).toBeUndefined();
      expect(await a.isHeld(r, "abcdefghijklmnopqrstuvwx")).toBe(false);
      expect(await a.forceRelease(r)).toBe(false);
    });

    it("renew extends a lease and can also shorten it", async () => {
      const r = uniqueName("renew");
      const lease = leaseOf(await a.acquire(r, req(60_000)));
      const longer = await b.renew(r, lease.id, 600_000);
      expect(longer).toMatchObject({ id: lease.id, fence: lease.fence, resource: r });
      expect(longer!.remainingMs).toBeGreaterThan(500_000);
      expectSameInstant(
        (await a.current(r))!.expiresAt,
        longer!.expiresAt,
        target.timeResolutionMs,
      );
      const shorter = await a.renew(r, lease.id, 30_000);
      expect(shorter!.remainingMs).toBeLessThanOrEqual(31_000);
      expect(shorter!.remainingMs).toBeGreaterThan(20_000);
      // Another client reads the expiry through the backend's clock: on S3 the whole-second
      // Last-Modified and Date can put it up to one resolution step further away.
      expect((await b.current(r))!.remainingMs).toBeLessThanOrEqual(
        31_000 + (target.timeResolutionMs ?? 0),
      );
    });

    it("lets a lease expire, then another client takes over and the old id is dead", async () => {
      const r = uniqueName("expire");
      const old = leaseOf(await a.acquire(r, req(short)));
      expect(isHeld(await b.acquire(r, req(60_000)))).toBe(true);
      await sleep(short + 1200);
      expect(await b.current(r)).toBeUndefined();
      expect(await b.isHeld(r, old.id)).toBe(false);
      const next = leaseOf(await b.acquire(r, req(60_000, { principal: "bob@test" })));
      expect(next.id).not.toBe(old.id);
      expect(next.fence).toBeGreaterThan(old.fence);
      expect(await a.release(r, old.id)).toBe(false);
      expect(await a.renew(r, old.id, 60_000)).toBeUndefined();
      expect(await a.isHeld(r, old.id)).toBe(false);
      expect(await a.current(r)).toMatchObject({ id: next.id, principal: "bob@test" });
    }, 30_000);

    it("cannot renew a lease that has already expired", async () => {
      const r = uniqueName("late-renew");
      const old = leaseOf(await a.acquire(r, req(short)));
      await sleep(short + 1200);
      expect(await a.renew(r, old.id, 60_000)).toBeUndefined();
      expect(await a.current(r)).toBeUndefined();
    }, 30_000);

    it("increases the fence across acquire, release, takeover and force-release", async () => {
      const r = uniqueName("fence");
      const fences: number[] = [];
      const l1 = leaseOf(await a.acquire(r, req(60_000)));
      fences.push(l1.fence);
      await a.release(r, l1.id);
      const l2 = leaseOf(await b.acquire(r, req(short)));
      fences.push(l2.fence);
      await sleep(short + 1200);
      const l3 = leaseOf(await a.acquire(r, req(60_000)));
      fences.push(l3.fence);
      expect(await b.forceRelease(r)).toBe(true);
      const l4 = leaseOf(await b.acquire(r, req(60_000)));
      fences.push(l4.fence);
      const renewed = await b.renew(r, l4.id, 120_000);
      expect(renewed!.fence).toBe(l4.fence);
      for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
    }, 30_000);

    it("force-release breaks any live lease, or only the named one", async () => {
      const r = uniqueName("force");
      const lease = leaseOf(await a.acquire(r, req(60_000)));
      expect(await b.forceRelease(r, "someone-elses-lease-id0")).toBe(false);
      expect((await a.current(r))?.id).toBe(lease.id);
      expect(await b.forceRelease(r, lease.id)).toBe(true);
      expect(await a.current(r)).toBeUndefined();
      expect(await a.release(r, lease.id)).toBe(false);
      expect(await b.forceRelease(r)).toBe(false);
      const again = leaseOf(await a.acquire(r, req(60_000)));
      expect(await b.forceRelease(r)).toBe(true);
      expect(await a.isHeld(r, again.id)).toBe(false);
    });

    it("keeps names that look alike apart", async () => {
      const base = uniqueName("names");
      const names = [
        `${base}/a/b`,
        `${base}/a%2Fb`,
        `${base}/a%252Fb`,
        `${base}/../a`,
        `${base}/./a`,
        `${base}/a b`,
        `${base}/a+b`,
        `${base}/A/B`,
        `${base}/ünïcødé/日本/🔒`,
        `${base}/quote'"\``,
        `${base}/back\\slash`,
        `${base}/a:b*c?d`,
        `${base}/tab\tnl\n`,
        `${base}/${"x".repeat(512 - Buffer.byteLength(base) - 1)}`,
      ];
      expect(Buffer.byteLength(names.at(-1)!)).toBe(512);
      const leases = new Map<string, Lease>();
      for (const n of names) leases.set(n, leaseOf(await a.acquire(n, req(60_000))));
      expect(new Set([...leases.values()].map((l) => l.id)).size).toBe(names.length);
      for (const n of names) {
        const cur = await b.current(n);
        expect(cur?.resource).toBe(n);
        expect(cur?.id).toBe(leases.get(n)!.id);
      }
      expect(await b.release(names[0]!, leases.get(names[0]!)!.id)).toBe(true);
      for (const n of names.slice(1)) expect(await b.isHeld(n, leases.get(n)!.id)).toBe(true);
      const listed = new Set<string>();
      for await (const l of b.list(`${base}/`)) listed.add(l.resource);
      expect(listed).toEqual(new Set(names.slice(1)));
    }, 60_000);

    it("lists live leases, filtered by prefix, skipping released and expired ones", async () => {
      const p = uniqueName("list");
      const l1 = leaseOf(await a.acquire(`${p}/one`, req(60_000, { reason: "r1" })));
      leaseOf(await a.acquire(`${p}/two`, req(60_000)));
      const gone = leaseOf(await a.acquire(`${p}/three`, req(60_000)));
      await a.release(`${p}/three`, gone.id);
      leaseOf(await a.acquire(`${p}/short`, req(short)));
      leaseOf(await a.acquire(`${p}x/other`, req(60_000)));
      await sleep(short + 1200);
      const got: Lease[] = [];
      for await (const l of b.list(`${p}/`)) got.push(l);
      expect(got.map((l) => l.resource).sort()).toEqual([`${p}/one`, `${p}/two`]);
      expect(got.find((l) => l.resource === `${p}/one`)).toMatchObject({
        id: l1.id,
        reason: "r1",
        principal: "alice@test",
      });
      const all = new Set<string>();
      for await (const l of b.list()) all.add(l.resource);
      for (const n of [`${p}/one`, `${p}/two`, `${p}x/other`]) expect(all.has(n)).toBe(true);
      expect(all.has(`${p}/three`)).toBe(false);
    }, 30_000);

    it("gives exactly one lease to 20 concurrent acquires from 4 clients", async () => {
      const r = uniqueName("race-inproc");
      const clients = [a, b, await target.makeBackend(), await target.makeBackend()];
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            clients[i % 4]!.acquire(r, req(60_000, { principal: `p${i}@test` })),
          ),
        );
        const winners = results.filter((x) => !isHeld(x)) as Lease[];
        expect(winners).toHaveLength(1);
        for (const x of results) if (isHeld(x)) expect(x.holder.id).toBe(winners[0]!.id);
      } finally {
        await clients[2]!.close();
        await clients[3]!.close();
      }
    });

    it("wakes a waiter when the lease is released", async () => {
      const r = uniqueName("wake-release");
      const lease = leaseOf(await a.acquire(r, req(120_000)));
      const started = Date.now();
      const waiting = b.waitForChange(r, started + 60_000, new AbortController().signal);
      await sleep(300);
      await a.release(r, lease.id);
      await waiting;
      expect(Date.now() - started).toBeLessThan(5_000);
      leaseOf(await b.acquire(r, req(60_000)));
    }, 30_000);

    it("wakes a waiter when the lease expires", async () => {
      const r = uniqueName("wake-expiry");
      leaseOf(await a.acquire(r, req(short)));
      const started = Date.now();
      await b.waitForChange(r, started + 60_000, new AbortController().signal);
      expect(Date.now() - started).toBeLessThan(short + 5_000);
      leaseOf(await b.acquire(r, req(60_000)));
    }, 30_000);

    it("returns from waiting at the deadline, and at once when aborted or already free", async () => {
      const r = uniqueName("wake-deadline");
      leaseOf(await a.acquire(r, req(120_000)));
      let started = Date.now();
      await b.waitForChange(r, started + 700, new AbortController().signal);
      expect(Date.now() - started).toBeLessThan(5_000);
      const ac = new AbortController();
      started = Date.now();
      setTimeout(() => ac.abort(), 200);
      await b.waitForChange(r, started + 60_000, ac.signal);
      expect(Date.now() - started).toBeLessThan(5_000);
      started = Date.now();
      await b.waitForChange(uniqueName("free"), started + 60_000, new AbortController().signal);
      expect(Date.now() - started).toBeLessThan(5_000);
    }, 30_000);

    describe("through the CLI", () => {
      let config: string;
      beforeAll(() => {
        config = writeConfig(
          `contract-${target.backendName}-${process.pid}.ini`,
          `[default]\nbackend = ${target.backendName}\nttl = 60s\n\n${target.ini}\n`,
        );
      });

      it("20 separate processes racing on one free resource give exactly one winner", async () => {
        const r = uniqueName("race-cli");
        const runs = await Promise.all(
          // 20 cold CLI starts at once on 2 cores can take minutes under load: bound generously.
          Array.from({ length: 20 }, () =>
            runCli(["-c", config, "acquire", r], { timeoutMs: 180_000 }),
          ),
        );
        // Anything but "won" or "held" (a timeout, a crash) fails with its reason.
        expect(
          runs
            .filter((x) => x.code !== 0 && x.code !== 1)
            .map((x) => `${x.code} ${x.signal} ${x.stderr}`),
        ).toEqual([]);
        const winners = runs.filter((x) => x.code === 0);
        expect(winners).toHaveLength(1);
        expect(runs.filter((x) => x.code === 1)).toHaveLength(19);
        const id = winners[0]!.stdout.trim();
        for (const x of runs) if (x.code === 1) expect(x.stdout).toBe("");
        expect((await runCli(["-c", config, "is-held", r, id])).code).toBe(0);
      }, 240_000);

      it("refuses empty and over-long names with exit 2 and changes nothing", async () => {
        // NUL cannot travel in argv; the library-level refusal is a unit test.
        for (const bad of ["", "y".repeat(513), "é".repeat(257)]) {
          const res = await runCli(["-c", config, "acquire", bad]);
          expect(res.code).toBe(2);
          expect(res.stdout).toBe("");
          expect(res.stderr).toMatch(/resource name/);
        }
      }, 60_000);
    });
  });
}
