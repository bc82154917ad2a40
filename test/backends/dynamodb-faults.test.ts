import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/dynamodb/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { runCli, writeConfig } from "../support/cli.js";
import { type DynaliteServer, startDynalite } from "../support/dynamodb.js";
import { uniqueName } from "../support/names.js";
import { failure, timed } from "../support/timing.js";

// Bounds are the configured timeout plus room for starting Node and importing the AWS SDK on a
// busy machine: the point is "bounded, not a hang", not a benchmark. Unloaded, each command
// takes 3.4-3.6 s here; at load average 16 (other suites in parallel) one took 13 s, so the
// CLI slack is generous and the tight bound is asserted in-process (LIB_TIMEOUT_MS + 1.5 s).
const CLI_TIMEOUT_MS = 3_000;
const LIB_TIMEOUT_MS = 2_000;
const CLI_SLACK_MS = 20_000;

let server: DynaliteServer;
let config: string;
beforeAll(async () => {
  server = await startDynalite();
  config = writeConfig(
    `dynamodb-faults-${process.pid}.ini`,
    `[default]\nbackend = dynamodb\nttl = 60s\n\n${server.ini("dynamodb", "timeout = 3s\n")}`,
  );
});
afterAll(async () => {
  await server?.destroy();
});

/** Runs every lease command against the broken server: each must exit 3, quietly, in time. */
async function expectAllExit3(
  r: string,
  id: string,
  why: RegExp,
  opts: { release: boolean },
): Promise<void> {
  const commands = [
    ["acquire", r],
    ["is-held", r, id],
    ["current", r],
    ["renew", r, id],
    ["acquire", uniqueName("fresh")],
  ];
  if (opts.release) commands.push(["release", r, id]);
  for (const args of commands) {
    const { value: res, ms } = await timed(() => runCli(["-c", config, ...args]));
    expect(res.code, `${args[0]}: ${res.stderr}`).toBe(3);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(why);
    expect(res.stderr).toContain("[backend.dynamodb]");
    expect(res.stderr).not.toContain("leasehold-test-secret");
    expect(ms).toBeLessThan(CLI_TIMEOUT_MS + CLI_SLACK_MS);
  }
}

describe("dynamodb faults (timeout = 3s)", () => {
  it("a frozen server (SIGSTOP) makes every command exit 3 within the timeout, and the lease survives the thaw", async () => {
    const r = uniqueName("frozen");
    const first = await runCli(["-c", config, "acquire", r]);
    expect(first.code, first.stderr).toBe(0);
    const id = first.stdout.trim();
    server.freeze();
    try {
      // No release here: a frozen server still queues the request and applies it at the thaw
      // (the outcome of a timed-out write is unknown, exit 3 says so).
      await expectAllExit3(
        r,
        id,
        /dynamodb backend "dynamodb" \(table leasehold\): no answer within 3s/,
        { release: false },
      );
    } finally {
      server.thaw();
    }
    expect((await runCli(["-c", config, "is-held", r, id])).code).toBe(0);
    expect((await runCli(["-c", config, "acquire", r])).code).toBe(1);
  }, 120_000);

  it("a frozen server makes library calls throw BackendUnavailableError within the timeout", async () => {
    const backend: Backend = await create({
      name: "dynamodb",
      timeoutMs: LIB_TIMEOUT_MS,
      options: server.options(),
    });
    const r = uniqueName("lib-frozen");
    await backend.acquire(r, { principal: "alice@test", ttlMs: 60_000 });
    server.freeze();
    try {
      for (const op of [
        () => backend.current(r),
        () => backend.acquire(r, { principal: "bob@test", ttlMs: 60_000 }),
        () => backend.forceRelease(r),
      ]) {
        const { error, ms } = await failure(op);
        expect(error).toBeInstanceOf(BackendUnavailableError);
        expect(ms).toBeLessThan(LIB_TIMEOUT_MS + 1_500);
      }
    } finally {
      server.thaw();
      await backend.close();
    }
  }, 60_000);

  it("a stopped server makes every command exit 3 within the timeout", async () => {
    const r = uniqueName("stopped");
    const first = await runCli(["-c", config, "acquire", r]);
    expect(first.code, first.stderr).toBe(0);
    await server.stop();
    await expectAllExit3(
      r,
      first.stdout.trim(),
      /dynamodb backend "dynamodb" \(table leasehold\): (cannot connect \(ECONNREFUSED\)|no answer within 3s)/,
      { release: true },
    );
    const doctor = await runCli(["-c", config, "doctor"]);
    expect(doctor.code).not.toBe(0);
    expect(doctor.stderr + doctor.stdout).toMatch(/ECONNREFUSED|no answer/);
  }, 120_000);
});
