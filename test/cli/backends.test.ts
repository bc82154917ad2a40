import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, writeConfig } from "../support/cli.js";
import { startEtcd } from "../support/etcd.js";
import { readLineWhenWritten } from "../support/files.js";
import { uniqueName } from "../support/names.js";
import { startPostgres } from "../support/postgres.js";
import { startRedis } from "../support/redis.js";
import { startRgw } from "../support/s3.js";

/** A server-backed backend for the CLI: its INI section and how to stop it. */
interface Served {
  ini: string;
  destroy(): Promise<void>;
}

const SERVERS: Record<string, () => Promise<Served>> = {
  redis: async () => {
    const s = await startRedis();
    return { ini: `[backend.redis]\nurl = ${s.url}\n`, destroy: () => s.destroy() };
  },
  postgres: async () => {
    const s = await startPostgres();
    return { ini: `[backend.postgres]\nurl = ${s.url}\n`, destroy: () => s.destroy() };
  },
  etcd: async () => {
    const c = await startEtcd(1);
    return {
      ini: `[backend.etcd]\nendpoints = ${c.endpoints}\ntimeout = 30s\n`,
      destroy: () => c.destroy(),
    };
  },
  s3: async () => {
    const r = await startRgw();
    return { ini: r.ini("s3", "timeout = 60s\n"), destroy: () => r.destroy() };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// run, waiting, list, force-release and doctor on every server backend (sqlite: run.test.ts,
// operator.test.ts). Each backend gets its own server and config.
describe.each(Object.keys(SERVERS))("CLI on %s", (kind) => {
  let served: Served;
  let cfg: string;
  const cli = (args: string[], timeoutMs = 120_000) => runCli(["-c", cfg, ...args], { timeoutMs });

  beforeAll(async () => {
    served = await SERVERS[kind]!();
    cfg = writeConfig(
      `cli-${kind}-${process.pid}.ini`,
      `[default]\nbackend = ${kind}\n\n${served.ini}`,
    );
  }, 120_000);
  afterAll(async () => served?.destroy(), 60_000);

  it("run gives the child the lease, holds it while the child runs, and releases it after", async () => {
    const r = uniqueName(`run-${kind}`);
    const script = `echo "$LEASEHOLD_FENCE|$LEASEHOLD_LEASE_ID"; ${process.execPath} ${BIN} -c ${cfg} is-held "$LEASEHOLD_RESOURCE" "$LEASEHOLD_LEASE_ID" && echo held-inside; exit 3`;
    const res = await cli(["run", r, "--ttl", "1m", "--", "sh", "-c", script]);
    expect(res.code).toBe(3);
    expect(res.stdout).toContain("held-inside");
    const id = res.stdout.split("\n")[0]!.split("|")[1]!;
    expect((await cli(["is-held", r, id])).code).toBe(1);
    expect((await cli(["current", r])).code).toBe(1);
  }, 180_000);

  it("run stops the child and exits 124 when another process force-releases the lease", async () => {
    const r = uniqueName(`lost-${kind}`);
    const dir = mkdtempSync(join(tmpdir(), "lh-lost-"));
    const running = cli([
      "run",
      r,
      "--ttl",
      "6s",
      "--",
      "sh",
      "-c",
      `echo started > ${dir}/started; sleep 120`,
    ]);
    await readLineWhenWritten(join(dir, "started"));
    const broke = await cli(["force-release", r, "--yes"]);
    expect(broke.code).toBe(0);
    expect(broke.stderr).toMatch(/broke .*'s lease/);
    const res = await running;
    expect(res.code).toBe(124);
    expect(res.stderr).toMatch(/lost the lease/);
  }, 180_000);

  it("hands the resource to each of 4 waiting runs exactly once, one at a time", async () => {
    const r = uniqueName(`handoff-${kind}`);
    const dir = mkdtempSync(join(tmpdir(), "lh-handoff-"));
    const script = `mkdir ${dir}/inside 2>/dev/null || echo OVERLAP >> ${dir}/log; echo "$LEASEHOLD_FENCE" >> ${dir}/log; sleep 0.3; rmdir ${dir}/inside`;
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        cli(["run", r, "--ttl", "30s", "--wait", "3m", "--", "sh", "-c", script], 240_000),
      ),
    );
    expect(runs.map((x) => x.code)).toEqual([0, 0, 0, 0]);
    const log = readFileSync(join(dir, "log"), "utf8").trim().split("\n");
    expect(log).not.toContain("OVERLAP");
    expect(log).toHaveLength(4);
    const fences = log.map(Number);
    for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
  }, 300_000);

  it("list shows live leases, wait returns once the resource is free, doctor is healthy", async () => {
    const p = uniqueName(`ops-${kind}`);
    const id = (
      await cli(["acquire", `${p}/a`, "--reason", "INC-42", "--ttl", "1m"])
    ).stdout.trim();
    await cli(["acquire", `${p}/b`, "--ttl", "1m"]);
    const list = await cli(["list", `${p}/`]);
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows.map((x) => x[0])).toEqual([`${p}/a`, `${p}/b`]);
    expect(rows[0]![5]).toBe("INC-42");
    const json = JSON.parse((await cli(["list", `${p}/`, "--json"])).stdout);
    expect(json.map((l: { id: string }) => l.id)).toContain(id);
    const waiting = cli(["wait", `${p}/a`, "--timeout", "2m"]);
    await sleep(1000);
    expect((await cli(["release", `${p}/a`, id])).code).toBe(0);
    expect((await waiting).code).toBe(0);
    const doctor = await cli(["doctor", `${p}/b`]);
    expect(doctor.stdout).toMatch(/reachable: round trip/);
    expect(doctor.stdout).toMatch(new RegExp(`backend ${kind} \\(type ${kind}\\)`));
    if (kind !== "redis")
      expect(doctor.code).toBe(0); // the test Redis has no AOF: doctor rightly says so
    else expect(doctor.stdout).toMatch(/persistence/);
  }, 240_000);
});
