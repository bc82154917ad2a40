import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, runCli, sandboxEnv, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";

describe("with no config file anywhere (sqlite default)", () => {
  it("acquire prints an id; a second acquire exits 1 with nothing on stdout; is-held, release, current behave", async () => {
    const r = uniqueName("demo");
    const first = await runCli(["acquire", r]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{24}\n$/);
    const id = first.stdout.trim();

    const second = await runCli(["acquire", r]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toMatch(new RegExp(`${r} is held by .+@.+ expires in`));
    expect(second.stderr).toContain("--wait");

    expect(await runCli(["is-held", r, id])).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const cur = await runCli(["current", r]);
    expect(cur.code).toBe(0);
    expect(cur.stdout).toMatch(
      new RegExp(`^[^\\t]+@[^\\t]+\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\t${id}\\n$`),
    );
    expect((await runCli(["current", "--id-only", r])).stdout).toBe(`${id}\n`);

    expect(await runCli(["release", r, id])).toMatchObject({ code: 0, stdout: "" });
    const after = await runCli(["current", r]);
    expect(after).toMatchObject({ code: 1, stdout: "" });
    expect(after.stderr).toContain("is not held");
    expect((await runCli(["is-held", r, id])).code).toBe(1);
    expect((await runCli(["release", r, id])).code).toBe(1);
  }, 60_000);

  it("--json gives the whole lease on acquire, renew and current", async () => {
    const r = uniqueName("json");
    const acq = await runCli([
      "acquire",
      r,
      "--json",
      "--ttl",
      "90s",
      "--principal",
      "ops@bastion",
      "--reason",
      "INC-9 failover",
    ]);
    expect(acq.code).toBe(0);
    const lease = JSON.parse(acq.stdout);
    expect(Object.keys(lease).sort()).toEqual([
      "createdAt",
      "expiresAt",
      "fence",
      "id",
      "principal",
      "reason",
      "resource",
    ]);
    expect(lease).toMatchObject({
      resource: r,
      principal: "ops@bastion",
      reason: "INC-9 failover",
    });
    expect(Date.parse(lease.expiresAt) - Date.parse(lease.createdAt)).toBe(90_000);
    const ren = JSON.parse((await runCli(["renew", r, lease.id, "--ttl", "2h", "--json"])).stdout);
    expect(Date.parse(ren.expiresAt) - Date.now()).toBeGreaterThan(7_000_000);
    expect(ren.fence).toBe(lease.fence);
    const cur = JSON.parse((await runCli(["current", r, "--json"])).stdout);
    expect(cur).toEqual(ren);
  }, 60_000);

  it("renew without --json prints nothing on stdout, and exits 1 for a wrong id", async () => {
    const r = uniqueName("renew");
    const id = (await runCli(["acquire", r])).stdout.trim();
    expect(await runCli(["renew", r, id, "--ttl", "5m"])).toMatchObject({ code: 0, stdout: "" });
    const wrong = await runCli(["renew", r, "wrong-id-wrong-id-wrong0"]);
    expect(wrong).toMatchObject({ code: 1, stdout: "" });
    expect(wrong.stderr).toContain("not held by lease");
    expect((await runCli(["is-held", r, id])).code).toBe(0);
  }, 60_000);

  it("takes a resource name that starts with '-' after --, on the fast path and through yargs alike", async () => {
    const r = `-${uniqueName("dash")}`;
    const id = (await runCli(["acquire", "--", r])).stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // current is parsed by the fast path; wait only by yargs.
    const fast = await runCli(["current", "--json", "--", r]);
    const slow = await runCli(["wait", "--timeout", "100ms", "--", r]);
    expect(JSON.parse(fast.stdout)).toMatchObject({ resource: r, id });
    expect(slow.code).toBe(1);
    expect(slow.stderr).toContain(`${r} is held by`);
    expect((await runCli(["is-held", "--", r, id])).code).toBe(0);
    // After --, a flag-like word is a word: it cannot be taken for --json.
    const extra = await runCli(["current", "--", r, "--json"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("Unknown argument: --json");
    expect(extra.stderr).not.toContain("\u0000");
    expect((await runCli(["force-release", "--yes", "--", r])).code).toBe(0);
    expect((await runCli(["current", "--", r])).code).toBe(1);
  }, 60_000);
});

describe("exit statuses", () => {
  it.each([
    [
      ["acquire"],
      /missing arguments; usage: leasehold acquire <resource>\nhint: see leasehold acquire --help/,
    ],
    [["is-held", "x"], /usage: leasehold is-held <resource> <lease-id>/],
    [["aquire", "x"], /unknown command "aquire"; did you mean acquire\?/],
    [["acquire", "x", "--ttl", "0"], /invalid ttl "0": must be positive/],
    [["acquire", "x", "--ttl=-5m"], /invalid ttl "-5m"/],
    [
      ["acquire", "x", "--ttl", "soon"],
      /invalid ttl "soon"[\s\S]*hint: use a positive duration such as 90, 90s/,
    ],
    [["acquire", "x", "--wait", "5m", "--bogus"], /Unknown argument/i],
    [["frobnicate", "x"], /unknown command "frobnicate"\nhint: see leasehold --help/],
    [
      ["-c", "/nonexistent/leasehold.ini", "acquire", "x"],
      /cannot read config file \/nonexistent\/leasehold.ini/,
    ],
    [
      ["--backend", "mongodb", "acquire", "x"],
      /unknown backend type "mongodb"[\s\S]*known backends: sqlite/,
    ],
    [["release", "x", ""], /invalid lease id/],
    [["acquire", "x", "--reason", "a\tforged\tcolumn"], /the reason contains a control character/],
    [
      ["acquire", "x", "--principal", "evil\u001b[2J"],
      /the principal contains a control character/,
    ],
    [[], /name a command/],
  ])("exits 2 for %j with a message and nothing on stdout", async (args, message) => {
    const res = await runCli(args as string[]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 naming file, line and key for a bad config", async () => {
    const cfg = writeConfig(
      "bad-ttl.ini",
      "[default]\nbackend = sqlite\n\n[db]\nttl = eventually\n",
    );
    const res = await runCli(["-c", cfg, "acquire", "db"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${cfg}:5: ttl`);
    const unset = writeConfig(
      "unset-var.ini",
      "[backend.sqlite]\npath = ${LEASEHOLD_TEST_UNSET_VAR}/x.db\n",
    );
    const res2 = await runCli(["-c", unset, "acquire", "db"]);
    expect(res2.code).toBe(2);
    expect(res2.stderr).toMatch(
      /unset-var.ini:2: key "path" in \[backend.sqlite\] uses \$\{LEASEHOLD_TEST_UNSET_VAR\}/,
    );
  });

  it("uses $LEASEHOLD_CONFIG and ./.leasehold.ini", async () => {
    const cfg = writeConfig("envcfg.ini", "[default]\nprincipal = from-env-config\n");
    const r = uniqueName("envcfg");
    const res = await runCli(["acquire", r, "--json"], { env: { LEASEHOLD_CONFIG: cfg } });
    expect(JSON.parse(res.stdout).principal).toBe("from-env-config");
  });

  it("exits 3 when the backend cannot be used, naming it", async () => {
    const cfg = writeConfig("unwritable.ini", "[backend.sqlite]\npath = /etc/hostname/leases.db\n");
    const res = await runCli(["-c", cfg, "acquire", "x"]);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/sqlite backend \(\/etc\/hostname\/leases.db\)/);
    expect(res.stderr).toMatch(/hint: /);
  });

  it("exits 70 with one line asking for LEASEHOLD_DEBUG=1 when a bug surfaces, and shows the stack only then", async () => {
    writeConfig(
      "buggy-backend.mjs",
      "export const options = []; export async function create() { return { kind: 'buggy', acquire() { return null.boom; }, close: async () => {} }; }\n",
    );
    const cfg = writeConfig(
      "buggy.ini",
      "[default]\nbackend = buggy\n[backend.buggy]\ntype = ./buggy-backend.mjs\n",
    );
    const res = await runCli(["-c", cfg, "acquire", "x"]);
    expect(res.code).toBe(70);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/internal error.*\nhint: .*LEASEHOLD_DEBUG=1/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(["-c", cfg, "acquire", "x"], { env: { LEASEHOLD_DEBUG: "1" } });
    expect(debug.code).toBe(70);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("exits 130 when Ctrl-C interrupts a wait, leaving no lease behind", async () => {
    const r = uniqueName("sigint");
    const holder = (await runCli(["acquire", r])).stdout.trim();
    const child = spawn(process.execPath, [BIN, "acquire", "--wait", r], {
      env: sandboxEnv(),
      cwd: undefined,
    });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    // Long enough for the CLI to start and begin waiting, even on a loaded machine.
    await new Promise((r2) => setTimeout(r2, 3000));
    child.kill("SIGINT");
    const code = await new Promise((r2) => child.on("close", r2));
    expect(code).toBe(130);
    expect(stdout).toBe("");
    expect((await runCli(["current", "--id-only", r])).stdout.trim()).toBe(holder);
    await runCli(["release", r, holder]);
    expect((await runCli(["current", r])).code).toBe(1);
  }, 30_000);
});

describe("help", () => {
  it.each(["acquire", "release", "renew", "current", "is-held"])(
    "%s --help shows usage and an example",
    async (cmd) => {
      const res = await runCli([cmd, "--help"]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`leasehold ${cmd}`);
      expect(res.stdout).toMatch(/Examples:/);
    },
  );

  it("--version prints the version and completion prints a script", async () => {
    expect((await runCli(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const comp = await runCli(["completion"]);
    expect(comp.code).toBe(0);
    expect(comp.stdout).toContain("leasehold");
  });
});
