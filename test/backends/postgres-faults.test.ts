import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/postgres/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

const TIMEOUT_MS = 2_000;
// A spawned CLI's wall time on this shared two-core runner is mostly start-up (node, config, pg),
// and the load swings widely. So each timed call runs next to a control call that starts the same
// way but fails at once (connection refused on port 1): the call under test may take at most the
// timeout plus twice the control's time (and at least 3 s of slack). A hang would instead run
// into runCli's kill; the frozen case also proves by its message that our deadline ended it.
const CONTROL_CONFIG =
  "[backend.postgres]\nurl = postgres://postgres@127.0.0.1:1/postgres\ntimeout = 2s\n";
const req = { principal: "alice@test", ttlMs: 120_000 };

async function timed<T>(work: Promise<T>): Promise<{ ms: number; result: T }> {
  const started = Date.now();
  const result = await work;
  return { ms: Date.now() - started, result };
}

/** Runs the CLI with `args` and, at the same time, the control call; see CONTROL_CONFIG. */
async function timedCli(args: string[], control: string) {
  const [subject, reference] = await Promise.all([
    timed(runCli(args, { timeoutMs: 30_000 })),
    timed(runCli(["-c", control, "--backend", "postgres", "current", "control"])),
  ]);
  expect(reference.result.code, reference.result.stderr).toBe(3);
  const bound = TIMEOUT_MS + Math.max(3_000, 2 * reference.ms);
  return { ...subject, bound, why: `took ${subject.ms} ms, control ${reference.ms} ms` };
}

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}

function leaseOf(r: Lease | { status: "held" }): Lease {
  if (isHeld(r as Lease)) throw new Error("expected a lease, the resource was held");
  return r as Lease;
}

describe.skipIf(process.env.LEASEHOLD_TEST_POSTGRES_URL)(
  "postgres backend faults (local cluster)",
  () => {
    let server: PostgresServer;
    let config: string;
    let control: string;
    const opened: Backend[] = [];
    const open = async (timeoutMs = TIMEOUT_MS) => {
      const b = await create({
        name: "postgres",
        options: { url: server.url, schema: "public", table: "leasehold_leases" },
        timeoutMs,
      });
      opened.push(b);
      return b;
    };

    beforeAll(async () => {
      server = await startPostgres();
      // A password in the URL (ignored by trust auth) must never reach a message.
      const url = server.url.replace("postgres@", "postgres:s3cret-pw@");
      config = writeConfig(
        `pg-faults-${process.pid}.ini`,
        `[default]\nbackend = postgres\nttl = 60s\n\n[backend.postgres]\nurl = ${url}\ntimeout = 2s\n`,
      );
      control = writeConfig(`pg-faults-control-${process.pid}.ini`, CONTROL_CONFIG);
    });

    afterAll(async () => {
      for (const b of opened) await b.close();
      await server?.destroy();
    });

    it("exits 3 within the timeout while the server is stopped, then recovers with the old lease intact", async () => {
      const r = uniqueName("outage");
      const before = await runCli(["-c", config, "acquire", r]);
      expect(before.code).toBe(0);
      const id = before.stdout.trim();
      await server.stop();
      try {
        for (const args of [
          ["acquire", uniqueName("during")],
          ["is-held", r, id],
          ["current", r],
          ["release", r, id],
        ]) {
          const { ms, result, bound, why } = await timedCli(["-c", config, ...args], control);
          expect(result.code, `${args[0]}: ${result.stderr}`).toBe(3);
          expect(result.stdout).toBe("");
          expect(result.stderr).toMatch(/postgres/);
          expect(result.stderr).not.toContain("s3cret-pw");
          expect(ms, `${args[0]} ${why}`).toBeLessThan(bound);
        }
      } finally {
        await server.start();
      }
      expect((await runCli(["-c", config, "is-held", r, id])).code).toBe(0);
      expect((await runCli(["-c", config, "acquire", r])).code).toBe(1);
      expect((await runCli(["-c", config, "acquire", uniqueName("after")])).code).toBe(0);
    }, 120_000);

    it("exits 3 within the timeout when the server is frozen, instead of hanging", async () => {
      const r = uniqueName("frozen");
      server.freeze();
      try {
        const { ms, result, bound, why } = await timedCli(["-c", config, "acquire", r], control);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(/postgres backend postgres .*no answer within 2000 ms/);
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
        expect(ms, why).toBeLessThan(bound);
      } finally {
        server.thaw();
      }
      expect((await runCli(["-c", config, "acquire", r])).code).toBe(0);
    }, 120_000);

    it("fails each call within the timeout on a connection that froze mid-session, closes at once, and recovers", async () => {
      const b = await open(1_500);
      const r = uniqueName("midsession");
      const lease = leaseOf(await b.acquire(r, req));
      server.freeze();
      try {
        const { ms, result } = await timed(rejection(b.renew(r, lease.id, 120_000)));
        expect(result).toBeInstanceOf(BackendUnavailableError);
        expect((result as BackendUnavailableError).hint).toMatch(/timeout/);
        // In-process timers on a loaded runner fire late, but not by seconds.
        expect(ms).toBeLessThan(1_500 + 2_000);
        const second = await timed(rejection(b.isHeld(r, lease.id)));
        expect(second.result).toBeInstanceOf(BackendUnavailableError);
        expect(second.ms).toBeLessThan(1_500 + 2_000);
        const closing = await timed(b.close());
        expect(closing.ms).toBeLessThan(1_000);
      } finally {
        server.thaw();
      }
      const fresh = await open();
      expect(await fresh.isHeld(r, lease.id)).toBe(true);
    }, 120_000);

    it("reconnects on the next call after a restart cut its connection", async () => {
      const b = await open();
      const r = uniqueName("restart");
      const lease = leaseOf(await b.acquire(r, req));
      await server.stop();
      try {
        const { ms, result } = await timed(rejection(b.current(r)));
        expect(result).toBeInstanceOf(BackendUnavailableError);
        expect((result as Error).message).toMatch(
          /^postgres backend postgres \(127\.0\.0\.1:\d+\/postgres\)/,
        );
        expect(ms).toBeLessThan(TIMEOUT_MS + 2_000);
      } finally {
        await server.start();
      }
      expect((await b.current(r))?.id).toBe(lease.id);
      expect(await b.release(r, lease.id)).toBe(true);
    }, 120_000);

    it("wakes a waiter when the server goes away, and the retry reports the outage", async () => {
      const a = await open();
      const b = await open();
      const r = uniqueName("wait-outage");
      leaseOf(await a.acquire(r, req));
      const started = Date.now();
      const waiting = b.waitForChange(r, started + 60_000, new AbortController().signal);
      await new Promise((done) => setTimeout(done, 300));
      await server.stop();
      try {
        await waiting;
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(await rejection(b.acquire(r, req))).toBeInstanceOf(BackendUnavailableError);
      } finally {
        await server.start();
      }
      expect(isHeld(await b.acquire(r, req))).toBe(true);
    }, 120_000);
  },
);
