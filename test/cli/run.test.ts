import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, runCli, sandboxEnv } from "../support/cli.js";
import { readLineWhenWritten } from "../support/files.js";
import { uniqueName } from "../support/names.js";

const LH = `${process.execPath} ${BIN}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("leasehold run", () => {
  it("gives the child the lease in its environment, holds it while the child runs, releases after", async () => {
    const r = uniqueName("run-env");
    const script = `echo "$LEASEHOLD_RESOURCE|$LEASEHOLD_FENCE|$LEASEHOLD_EXPIRES_AT|$LEASEHOLD_LEASE_ID"; ${LH} is-held "$LEASEHOLD_RESOURCE" "$LEASEHOLD_LEASE_ID" && echo held-inside`;
    const res = await runCli(["run", r, "--ttl", "5m", "--", "sh", "-c", script]);
    expect(res.code).toBe(0);
    const [resource, fence, expires, id] = res.stdout.split("\n")[0]!.split("|");
    expect(resource).toBe(r);
    expect(Number(fence)).toBeGreaterThan(0);
    expect(Date.parse(expires!) - Date.now()).toBeGreaterThan(200_000);
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(res.stdout).toContain("held-inside");
    expect((await runCli(["current", r])).code).toBe(1);
    expect((await runCli(["is-held", r, id!])).code).toBe(1);
  }, 60_000);

  it.each([
    [["sh", "-c", "exit 0"], 0],
    [["sh", "-c", "exit 1"], 1],
    [["sh", "-c", "exit 42"], 42],
    [["sh", "-c", "kill -KILL $$"], 137],
    [["sh", "-c", "kill -TERM $$"], 143],
    [["sh", "-c", "kill -INT $$"], 130],
    [["/"], 126],
    [["leasehold-no-such-command-xyz"], 127],
  ])(
    "exits with the child's status: %j → %d",
    async (command, status) => {
      const r = uniqueName("run-status");
      const res = await runCli(["run", r, "--", ...(command as string[])]);
      expect(res.code).toBe(status);
      expect((await runCli(["current", r])).code).toBe(1);
    },
    60_000,
  );

  it("exits 125 (or --conflict-exit-code) without starting the command when the resource is held", async () => {
    const r = uniqueName("run-held");
    const dir = mkdtempSync(join(tmpdir(), "lh-run-"));
    const marker = join(dir, "ran");
    await runCli(["acquire", r]);
    const res = await runCli(["run", r, "--", "touch", marker]);
    expect(res.code).toBe(125);
    expect(res.stderr).toMatch(/is held by .*not running the command/);
    expect(
      (await runCli(["run", r, "--conflict-exit-code", "0", "--", "touch", marker])).code,
    ).toBe(0);
    expect(existsSync(marker)).toBe(false);
    // Usage errors are 125 for run too: 2 could be the child's own status.
    const badFlag = await runCli(["run", r, "--conflict-exit-code", "300", "--", "touch", marker]);
    expect(badFlag.code).toBe(125);
    expect(badFlag.stderr).toMatch(/--conflict-exit-code must be a whole number from 0 to 255/);
    expect((await runCli(["run", r, "--bogus-flag", "--", "true"])).code).toBe(125);
    expect((await runCli(["run", "", "--", "true"])).code).toBe(125);
    expect((await runCli(["run", r, "--ttl", "0", "--", "true"])).code).toBe(125);
  }, 60_000);

  it("stops the child and its grandchildren with SIGTERM and exits 124 when the lease is broken", async () => {
    const r = uniqueName("run-lost");
    const dir = mkdtempSync(join(tmpdir(), "lh-run-"));
    const script = `sleep 300 & echo $! > ${dir}/grandchild; trap 'echo term > ${dir}/child-term; kill $!; exit 143' TERM; echo "$LEASEHOLD_LEASE_ID" > ${dir}/id; wait`;
    const running = runCli(["run", r, "--ttl", "3s", "--", "sh", "-c", script]);
    const id = await readLineWhenWritten(join(dir, "id"));
    const grandchild = Number(readFileSync(join(dir, "grandchild"), "utf8"));
    expect(alive(grandchild)).toBe(true);
    expect((await runCli(["release", r, id])).code).toBe(0);
    const res = await running;
    expect(res.code).toBe(124);
    expect(res.stderr).toMatch(/lost the lease on .* stopping the command/);
    expect(readFileSync(join(dir, "child-term"), "utf8")).toContain("term");
    await sleep(200);
    expect(alive(grandchild)).toBe(false);
  }, 60_000);

  it("kills a child that ignores SIGTERM after kill_grace", async () => {
    const r = uniqueName("run-grace");
    const dir = mkdtempSync(join(tmpdir(), "lh-run-"));
    const cfg = join(dir, "c.ini");
    writeFileSync(cfg, `[${r}]\nkill_grace = 1s\nttl = 3s\n`);
    const script = `trap '' TERM; echo "$LEASEHOLD_LEASE_ID" > ${dir}/id; sleep 120; echo survived > ${dir}/survived`;
    const running = runCli(["-c", cfg, "run", r, "--", "sh", "-c", script]);
    await runCli(["-c", cfg, "release", r, await readLineWhenWritten(join(dir, "id"))]);
    const res = await running;
    expect(res.code).toBe(124);
    expect(existsSync(join(dir, "survived"))).toBe(false);
  }, 60_000);

  it("renews while the child runs longer than the TTL", async () => {
    const r = uniqueName("run-renew");
    const res = await runCli([
      "run",
      r,
      "--ttl",
      "2s",
      "--",
      "sh",
      "-c",
      `sleep 4; ${LH} is-held "$LEASEHOLD_RESOURCE" "$LEASEHOLD_LEASE_ID"`,
    ]);
    expect(res.code).toBe(0);
  }, 60_000);

  it("leaves the lease to expire when leasehold run is killed with SIGKILL", async () => {
    const r = uniqueName("run-kill9");
    const child = spawn(process.execPath, [BIN, "run", r, "--ttl", "2s", "--", "sleep", "30"], {
      env: sandboxEnv(),
      detached: true,
    });
    let held = false;
    for (let i = 0; i < 100 && !held; i++) {
      await sleep(100);
      held = (await runCli(["current", r])).code === 0;
    }
    expect(held).toBe(true);
    child.kill("SIGKILL");
    process.kill(-child.pid!, "SIGKILL");
    expect((await runCli(["acquire", r])).code).toBe(1);
    await sleep(2500);
    expect((await runCli(["acquire", r])).code).toBe(0);
  }, 60_000);
});

describe("waiting", () => {
  it("hands the resource to each of 10 waiters exactly once, never two at a time", async () => {
    const r = uniqueName("handoff");
    const dir = mkdtempSync(join(tmpdir(), "lh-wait-"));
    const script = `mkdir ${dir}/inside 2>/dev/null || echo OVERLAP >> ${dir}/log; echo "$LEASEHOLD_FENCE" >> ${dir}/log; sleep 0.2; rmdir ${dir}/inside`;
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runCli(["run", r, "--ttl", "30s", "--wait", "2m", "--", "sh", "-c", script], {
          timeoutMs: 120_000,
        }),
      ),
    );
    expect(runs.map((x) => x.code)).toEqual(Array(10).fill(0));
    const log = readFileSync(join(dir, "log"), "utf8").trim().split("\n");
    expect(log).not.toContain("OVERLAP");
    expect(log).toHaveLength(10);
    const fences = log.map(Number);
    for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
  }, 150_000);

  it("acquire --wait takes over when the holder releases, and gives up with exit 1 at its limit", async () => {
    const r = uniqueName("wait-acq");
    const id = (await runCli(["acquire", r])).stdout.trim();
    const limited = await runCli(["acquire", r, "--wait", "1s"]);
    expect(limited.code).toBe(1);
    expect(limited.stdout).toBe("");
    expect(limited.stderr).toMatch(/gave up waiting/);
    const waiting = runCli(["acquire", "--wait", r]);
    await sleep(1500);
    await runCli(["release", r, id]);
    const got = await waiting;
    expect(got.code).toBe(0);
    expect(got.stdout.trim()).not.toBe(id);
    expect((await runCli(["current", "--id-only", r])).stdout.trim()).toBe(got.stdout.trim());
  }, 60_000);

  it("leasehold wait blocks until free without taking it, and exits 1 on timeout", async () => {
    const r = uniqueName("wait-cmd");
    expect((await runCli(["wait", r])).code).toBe(0);
    // Long enough to outlive a slow CLI start on a loaded machine, short enough to wait out.
    const id = (await runCli(["acquire", r, "--ttl", "8s"])).stdout.trim();
    const timedOut = await runCli(["wait", r, "--timeout", "500ms"]);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toMatch(/gave up waiting/);
    expect(timedOut.stderr).toMatch(/hint: wait longer with a larger --timeout/);
    const res = await runCli(["wait", r, "--timeout", "30s"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("");
    expect((await runCli(["current", r])).code).toBe(1);
    expect((await runCli(["is-held", r, id])).code).toBe(1);
  }, 60_000);
});
