import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, sandboxDir, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";

describe("list", () => {
  it("prints one tab-separated line per live lease, sorted, with ISO times, filtered by prefix", async () => {
    const p = uniqueName("list");
    await runCli(["acquire", `${p}/b`, "--reason", "second"]);
    await runCli(["acquire", `${p}/a`, "--principal", "alice@ops"]);
    const gone = (await runCli(["acquire", `${p}/c`])).stdout.trim();
    await runCli(["release", `${p}/c`, gone]);
    await runCli(["acquire", `${p}/tab\there`]);
    const res = await runCli(["list", `${p}/`]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split("\t")[0])).toEqual([`${p}/a`, `${p}/b`, `${p}/tab\\there`]);
    const [resource, principal, created, expires, fence, reason] = lines[1]!.split("\t");
    expect(resource).toBe(`${p}/b`);
    expect(principal).toMatch(/@/);
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(expires!) - Date.parse(created!)).toBe(3_600_000);
    expect(Number(fence)).toBeGreaterThan(0);
    expect(reason).toBe("second");
    expect(lines[0]!.split("\t")[1]).toBe("alice@ops");
  }, 60_000);

  it("--json prints one array, empty when nothing matches", async () => {
    const p = uniqueName("listjson");
    expect(JSON.parse((await runCli(["list", `${p}/`, "--json"])).stdout)).toEqual([]);
    await runCli(["acquire", `${p}/x`, "--reason", "r"]);
    const arr = JSON.parse((await runCli(["list", `${p}/`, "--json"])).stdout);
    expect(arr).toHaveLength(1);
    expect(arr[0]).toMatchObject({ resource: `${p}/x`, reason: "r" });
  }, 60_000);
});

describe("force-release", () => {
  it("refuses without a terminal unless --yes, then breaks the lease and says whose", async () => {
    const r = uniqueName("force");
    const id = (
      await runCli(["acquire", r, "--principal", "bob@laptop", "--reason", "INC-7"])
    ).stdout.trim();
    const refused = await runCli(["force-release", r]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bob@laptop.*INC-7/);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await runCli(["is-held", r, id])).code).toBe(0);
    const broke = await runCli(["force-release", r, "--yes"]);
    expect(broke.code).toBe(0);
    expect(broke.stdout).toBe("");
    expect(broke.stderr).toMatch(/broke bob@laptop's lease on .*INC-7/);
    expect((await runCli(["is-held", r, id])).code).toBe(1);
    expect((await runCli(["force-release", r, "--yes"])).code).toBe(1);
  }, 60_000);

  it("with --lease breaks only that lease, never a newer holder's, and the fence still rises", async () => {
    const r = uniqueName("force-lease");
    const first = JSON.parse((await runCli(["acquire", r, "--json"])).stdout);
    await runCli(["release", r, first.id]);
    const second = JSON.parse((await runCli(["acquire", r, "--json"])).stdout);
    const stale = await runCli(["force-release", r, "--lease", first.id, "--yes"]);
    expect(stale.code).toBe(1);
    expect((await runCli(["is-held", r, second.id])).code).toBe(0);
    expect((await runCli(["force-release", r, "--lease", second.id, "--yes"])).code).toBe(0);
    const third = JSON.parse((await runCli(["acquire", r, "--json"])).stdout);
    expect(third.fence).toBeGreaterThan(second.fence);
  }, 60_000);
});

describe("doctor", () => {
  it("shows the config file, where each value came from, masks secrets, and exits 0 when healthy", async () => {
    const r = uniqueName("doc");
    const cfg = writeConfig(
      "doctor.ini",
      `[default]\nttl = 20m\n\n[${r}]\nbackend = local\n\n[backend.local]\ntype = sqlite\ntimeout = 3s\n`,
    );
    const res = await runCli(["-c", cfg, "doctor", r]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`config file: ${cfg}`);
    expect(res.stdout).toMatch(new RegExp(`ttl\\s+20m\\s+${cfg}:2`));
    expect(res.stdout).toMatch(new RegExp(`backend\\s+local\\s+${cfg}:5`));
    expect(res.stdout).toMatch(/backend local \(type sqlite\)/);
    expect(res.stdout).toMatch(/reachable: round trip/);
    expect(res.stdout).toMatch(/healthy/);
  }, 60_000);

  it("prints nothing on stdout when the config is wrong", async () => {
    const cfg = writeConfig("doctor-badkey.ini", "[a]\npath = /x.db\n");
    const res = await runCli(["-c", cfg, "doctor"]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/unknown key "path" in \[a\]/);
  }, 60_000);

  it("exits 3 with a fix when the backend cannot be reached", async () => {
    const cfg = writeConfig("doctor-bad.ini", "[backend.sqlite]\npath = /etc/hostname/x.db\n");
    const res = await runCli(["-c", cfg, "doctor"]);
    expect(res.code).toBe(3);
    expect(res.stderr + res.stdout).toMatch(/sqlite backend/);
  }, 60_000);
});

describe("large output", () => {
  it("prints every line of a long list before exiting, even into a slow pipe", async () => {
    const p = uniqueName("biglist");
    const cfg = writeConfig(
      `big-${p}.ini`,
      `[backend.sqlite]\npath = ${join(sandboxDir(), `${p}.db`)}\n`,
    );
    const { create } = await import("../../src/backends/sqlite/index.js");
    const b = await create({
      name: "sqlite",
      options: { path: join(sandboxDir(), `${p}.db`) },
      timeoutMs: 10_000,
    });
    for (let i = 0; i < 3000; i++)
      await b.acquire(`${p}/${i}`, {
        principal: `someone-with-a-long-principal-name-${i}@host.example`,
        ttlMs: 600_000,
      });
    await b.close();
    const res = await runCli(["-c", cfg, "list", `${p}/`]);
    expect(res.code).toBe(0);
    expect(res.stdout.trimEnd().split("\n")).toHaveLength(3000);
  }, 60_000);
});
