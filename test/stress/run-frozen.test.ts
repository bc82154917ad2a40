import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeConfig } from "../support/cli.js";
import { readLineWhenWritten } from "../support/files.js";
import { uniqueName } from "../support/names.js";
import { type RedisServer, startRedis } from "../support/redis.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL_MS = 6000;

// Issue 9 item 2, the case the per-backend fault files leave out: `run` must stop its child
// before the server can hand the lease to someone else, even when the server is frozen (SIGSTOP:
// connections open, nothing answered) so renewals neither succeed nor fail quickly.
describe("leasehold run while the redis server is frozen", () => {
  let server: RedisServer;
  let config: string;
  let dir: string;
  beforeAll(async () => {
    server = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "leasehold-run-frozen-"));
    config = writeConfig(
      `run-frozen-${process.pid}.ini`,
      `[default]\nbackend = redis\nttl = ${TTL_MS}ms\nkill_grace = 1s\n\n[backend.redis]\nurl = ${server.url}\ntimeout = 1s\n`,
    );
  });
  afterAll(async () => {
    server?.resume();
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGTERMs the child before the lease can expire on the server, exits 124, and the lease is not duplicated after the thaw", async () => {
    const r = uniqueName("run-frozen");
    const script = [
      `echo "$LEASEHOLD_FENCE" > ${dir}/fence`,
      `trap 'date +%s%3N > ${dir}/term; exit 143' TERM`,
      `echo "$LEASEHOLD_LEASE_ID" > ${dir}/id`,
      "sleep 120 & wait",
      `echo survived > ${dir}/survived`,
    ].join("; ");
    const running = runCli(["-c", config, "run", r, "--", "sh", "-c", script], {
      timeoutMs: 120_000,
    });
    const id = await readLineWhenWritten(join(dir, "id"));
    // Let one renewal land, so the deadline counts from a renewal and not from the acquire.
    await sleep(TTL_MS / 3 + 500);
    server.pause();
    // Every renewal that succeeded was sent before this instant, so the server keeps the lease
    // at most until frozenAt + ttl: the child must be told to stop before then.
    const frozenAt = Date.now();
    const res = await running;
    server.resume();

    expect(res.code).toBe(124);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/lost the lease|lease on .* (lost|expired)/i);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const termAt = Number(readFileSync(join(dir, "term"), "utf8"));
    console.log(
      `FAULT run/frozen redis: child SIGTERMed ${termAt - frozenAt} ms after the freeze (server expiry at most ${TTL_MS} ms after it), exit ${res.code}: ${res.stderr.trim().split("\n")[0]}`,
    );
    expect(termAt).toBeLessThan(frozenAt + TTL_MS);
    expect(existsSync(join(dir, "survived"))).toBe(false);

    // After the thaw: the old lease is either still live (same id) or gone, never someone else's.
    // A renewal that timed out on our side sat in the server's socket buffer and may be applied
    // at the thaw, keeping the (now unattended) lease for up to one more ttl: that costs
    // availability, never exclusion. Once it has lapsed, the next holder gets a higher fence.
    const thawedAt = Date.now();
    let gone = false;
    while (!gone && Date.now() < thawedAt + TTL_MS + 15_000) {
      const now = await runCli(["-c", config, "current", "--id-only", r]);
      expect([0, 1]).toContain(now.code);
      if (now.code === 0) expect(now.stdout.trim()).toBe(id);
      gone = now.code === 1;
      if (!gone) await sleep(500);
    }
    expect(gone).toBe(true);
    const next = await runCli(["-c", config, "acquire", "--json", r]);
    expect(next.code).toBe(0);
    const fence = Number(readFileSync(join(dir, "fence"), "utf8"));
    expect((JSON.parse(next.stdout) as { fence: number }).fence).toBeGreaterThan(fence);
  }, 180_000);
});
