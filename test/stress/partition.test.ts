import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeConfig } from "../support/cli.js";
import { readLineWhenWritten } from "../support/files.js";
import { uniqueName } from "../support/names.js";
import { type RedisServer, startRedis } from "../support/redis.js";
import { type FaultProxy, startProxy } from "./proxy.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL_MS = 6000;

// A partition, not a dead server: the holder reaches Redis through a proxy that goes silent or
// resets, while another client still reaches Redis directly and takes the lease once it lapses.
describe("redis partition through a fault proxy", () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  let viaProxy: string;
  let direct: string;
  let dir: string;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startProxy(server.port);
    dir = mkdtempSync(join(tmpdir(), "leasehold-partition-"));
    const section = (port: number) =>
      `[default]\nbackend = redis\nttl = ${TTL_MS}ms\nkill_grace = 1s\n\n[backend.redis]\nurl = redis://127.0.0.1:${port}\ntimeout = 1s\n`;
    viaProxy = writeConfig(`partition-proxy-${process.pid}.ini`, section(proxy.port));
    direct = writeConfig(`partition-direct-${process.pid}.ini`, section(server.port));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a cut-off `run` stops its child before the other side of the partition is granted the lease", async () => {
    const r = uniqueName("partition");
    const script = `trap 'date +%s%3N > ${dir}/term; exit 143' TERM; echo "$LEASEHOLD_FENCE" > ${dir}/fence; sleep 120 & wait`;
    const running = runCli(["-c", viaProxy, "run", r, "--", "sh", "-c", script], {
      timeoutMs: 120_000,
    });
    await readLineWhenWritten(join(dir, "fence"));
    await sleep(TTL_MS / 3 + 500);
    proxy.stall();
    const other = await runCli(["-c", direct, "acquire", "--json", "--wait", "30s", r], {
      timeoutMs: 120_000,
    });
    const res = await running;
    proxy.heal();
    expect(other.code, other.stderr).toBe(0);
    const granted = JSON.parse(other.stdout) as { createdAt: string; fence: number };
    const termAt = Number(readFileSync(join(dir, "term"), "utf8"));
    const grantedAt = Date.parse(granted.createdAt);
    console.log(
      `FAULT partition (stalling proxy) redis: holder's child SIGTERMed ${grantedAt - termAt} ms before the other side was granted the lease (fence ${granted.fence}); run exited ${res.code}`,
    );
    expect(termAt).toBeLessThan(grantedAt);
    expect(res.code).toBe(124);
    expect(granted.fence).toBeGreaterThan(Number(readFileSync(join(dir, "fence"), "utf8")));
  }, 180_000);

  it("connections reset by the proxy give exit 3 with a message, never 'not held'; after healing the lease is intact", async () => {
    const r = uniqueName("partition-drop");
    const taken = await runCli(["-c", direct, "acquire", "--ttl", "60s", r]);
    expect(taken.code, taken.stderr).toBe(0);
    const id = taken.stdout.trim();
    proxy.drop();
    for (const args of [
      ["is-held", r, id],
      ["current", r],
      ["renew", r, id],
      ["acquire", r],
    ]) {
      const res = await runCli(["-c", viaProxy, ...args]);
      expect(res.code, `${args.join(" ")}: ${res.stderr}`).toBe(3);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/redis backend/);
    }
    proxy.heal();
    expect((await runCli(["-c", viaProxy, "is-held", r, id])).code).toBe(0);
    console.log(
      "FAULT partition (resetting proxy) redis: is-held, current, renew, acquire all exit 3; lease intact after healing",
    );
  }, 180_000);
});
