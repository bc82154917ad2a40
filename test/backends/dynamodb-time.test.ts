import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { create } from "../../src/backends/dynamodb/index.js";
import type { Backend } from "../../src/backends/types.js";
import { type Held, isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { type DynaliteServer, startDynalite } from "../support/dynamodb.js";
import { uniqueName } from "../support/names.js";

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Loaded with `node --import` into a CLI process: that process's wall clock (Date.now and
// new Date()) reads OFFSET ms away from the machine's, like a host whose clock is wrong.
const SHIFT_CLOCK = `
const offset = Number(process.env.LEASEHOLD_TEST_CLOCK_OFFSET_MS);
const Real = Date;
class Shifted extends Real {
  constructor(...args) { if (args.length === 0) super(Real.now() + offset); else super(...args); }
  static now() { return Real.now() + offset; }
}
globalThis.Date = Shifted;
`;

let server: DynaliteServer;
let config: string;
let shiftClock: string;
let a: Backend;
beforeAll(async () => {
  server = await startDynalite();
  config = writeConfig(
    `dynamodb-time-${process.pid}.ini`,
    `[default]\nbackend = dynamodb\nttl = 60s\n\n${server.ini("dynamodb")}`,
  );
  shiftClock = writeConfig(`shift-clock-${process.pid}.mjs`, SHIFT_CLOCK);
  a = await create({ name: "dynamodb", timeoutMs: 10_000, options: server.options() });
}, 60_000);
afterAll(async () => {
  await a?.close();
  await server?.destroy();
});

/** Runs the CLI in a process whose wall clock is `offsetMs` off. */
function cliWithClock(offsetMs: number, args: string[]) {
  return runCli(["-c", config, ...args], {
    env: {
      NODE_OPTIONS: `--import=${shiftClock}`,
      LEASEHOLD_TEST_CLOCK_OFFSET_MS: String(offsetMs),
    },
  });
}

function leaseOf(r: Lease | Held): Lease {
  if (isHeld(r)) throw new Error("expected a lease, the resource was held");
  return r;
}

describe("dynamodb expiry is judged by DynamoDB's clock, not the client's", () => {
  it("the shifted-clock preload really moves a CLI process's wall clock by an hour", async () => {
    expect((await cliWithClock(HOUR, ["--version"])).code).toBe(0);
    const { spawnSync } = await import("node:child_process");
    const out = spawnSync(
      process.execPath,
      [`--import=${shiftClock}`, "-e", "process.stdout.write(String(Date.now()))"],
      { env: { ...process.env, LEASEHOLD_TEST_CLOCK_OFFSET_MS: String(HOUR) }, encoding: "utf8" },
    );
    expect(Number(out.stdout) - Date.now()).toBeGreaterThan(HOUR - 5_000);
  });

  it("a CLI whose clock is an hour fast cannot take a live lease (a client-clock scheme would)", async () => {
    const r = uniqueName("fast-cli");
    const lease = leaseOf(await a.acquire(r, { principal: "alice@test", ttlMs: 60_000 }));
    // By the fast clock this lease lapsed 59 minutes ago: only the server's clock keeps it.
    expect(lease.expiresAt.getTime()).toBeLessThan(Date.now() + HOUR);
    const taken = await cliWithClock(HOUR, ["acquire", r]);
    expect(taken.code, taken.stderr).toBe(1);
    expect(taken.stdout).toBe("");
    expect((await cliWithClock(HOUR, ["current", "--id-only", r])).stdout.trim()).toBe(lease.id);
    expect((await cliWithClock(HOUR, ["is-held", r, lease.id])).code).toBe(0);
    expect((await cliWithClock(HOUR, ["acquire", "--wait", "2s", r])).code).toBe(1);
    expect(await a.isHeld(r, lease.id)).toBe(true);
  }, 60_000);

  it("a library client created while the process clock is an hour fast cannot take a live lease", async () => {
    const r = uniqueName("fast-lib");
    const lease = leaseOf(await a.acquire(r, { principal: "alice@test", ttlMs: 30_000 }));
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + HOUR });
    const fast = await create({ name: "dynamodb", timeoutMs: 10_000, options: server.options() });
    try {
      const second = await fast.acquire(r, { principal: "mallory@test", ttlMs: 60_000 });
      expect(isHeld(second)).toBe(true);
      expect((await fast.current(r))?.id).toBe(lease.id);
      expect(await fast.forceRelease(r, "not-the-id")).toBe(false);
      const remaining = (await fast.current(r))!.remainingMs;
      expect(remaining).toBeGreaterThan(20_000);
      expect(remaining).toBeLessThanOrEqual(30_000);
    } finally {
      vi.useRealTimers();
      await fast.close();
    }
    expect(await a.isHeld(r, lease.id)).toBe(true);
  }, 30_000);

  it("a CLI whose clock is an hour slow cannot renew a lease that has lapsed", async () => {
    const r = uniqueName("slow-cli");
    const lease = leaseOf(await a.acquire(r, { principal: "alice@test", ttlMs: 1_000 }));
    await sleep(1_000 + 1_000 + 1_500);
    const renewed = await cliWithClock(-HOUR, ["renew", r, lease.id]);
    expect(renewed.code, renewed.stderr).toBe(1);
    expect((await cliWithClock(-HOUR, ["current", r])).code).toBe(1);
    const next = await runCli(["-c", config, "acquire", r]);
    expect(next.code, next.stderr).toBe(0);
  }, 30_000);

  it("with the default 1 s skew_margin nobody takes over before the holder's remainingMs has run out", async () => {
    const r = uniqueName("margin");
    const b = await create({ name: "dynamodb", timeoutMs: 10_000, options: server.options() });
    try {
      const lease = leaseOf(await a.acquire(r, { principal: "alice@test", ttlMs: 2_000 }));
      const holderDeadline = performance.now() + lease.remainingMs;
      let tookOverAt: number | undefined;
      while (tookOverAt === undefined) {
        const sentAt = performance.now();
        const got = await b.acquire(r, { principal: "bob@test", ttlMs: 60_000 });
        if (!isHeld(got)) {
          tookOverAt = sentAt;
          expect(got.fence).toBeGreaterThan(lease.fence);
        } else await sleep(50);
      }
      // Safety: the holder's own deadline had passed, by the margin, before the winning request left.
      expect(tookOverAt - holderDeadline).toBeGreaterThan(1_000);
      // Liveness: within ttl + margin + the Date header's 1 s resolution, plus slack.
      expect(tookOverAt - (holderDeadline - lease.remainingMs)).toBeLessThan(2_000 + 1_000 + 2_500);
    } finally {
      await b.close();
    }
  }, 30_000);
});
