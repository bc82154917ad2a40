import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/s3/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type RgwServer, startRgw } from "../support/s3.js";
import { failure, timed } from "../support/timing.js";

// Bounds are the configured timeout plus room for starting Node and importing the AWS SDK on a
// busy two-core machine: the point is "bounded, not a hang", not a benchmark.
const CLI_TIMEOUT_MS = 3_000;
const LIB_TIMEOUT_MS = 2_000;
const CLI_SLACK_MS = 10_000;
const req = { principal: "alice@test", ttlMs: 60_000 };

let rgw: RgwServer;
beforeAll(async () => {
  rgw = await startRgw();
});
afterAll(async () => {
  await rgw?.destroy();
});

describe("s3 faults through the CLI (timeout = 3s)", () => {
  let config: string;
  beforeAll(() => {
    config = writeConfig(
      `s3-faults-${process.pid}.ini`,
      `[default]\nbackend = s3\nttl = 60s\n\n${rgw.ini("s3", "timeout = 3s\n")}`,
    );
  });

  it("a stopped gateway makes acquire, is-held and current exit 3 within the timeout; after a restart the lease is still there", async () => {
    const r = uniqueName("stopped");
    const first = await runCli(["-c", config, "acquire", r]);
    expect(first.code, first.stderr).toBe(0);
    const id = first.stdout.trim();
    await rgw.stopGateway();
    try {
      for (const args of [
        ["acquire", r],
        ["is-held", r, id],
        ["current", r],
        ["acquire", uniqueName("stopped")],
      ]) {
        const { value: res, ms } = await timed(() => runCli(["-c", config, ...args]));
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout).toBe("");
        // Refused connections are retried; on a loaded machine the bound may come first.
        expect(res.stderr).toMatch(
          /s3 backend "s3" \(bucket leases\): (cannot connect \(ECONNREFUSED\)|no answer within 3s)/,
        );
        expect(res.stderr).toContain("[backend.s3]");
        expect(res.stderr).not.toContain(rgw.secretAccessKey);
        expect(ms).toBeLessThan(CLI_TIMEOUT_MS + CLI_SLACK_MS);
      }
    } finally {
      await rgw.startGateway();
    }
    // Objects live in the cluster, not the gateway: the lease survived and still excludes.
    expect((await runCli(["-c", config, "is-held", r, id])).code).toBe(0);
    const again = await runCli(["-c", config, "acquire", r]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect((await runCli(["-c", config, "release", r, id])).code).toBe(0);
    expect((await runCli(["-c", config, "acquire", r])).code).toBe(0);
  }, 90_000);

  it("a frozen gateway (SIGSTOP) makes acquire and is-held exit 3 at the timeout, not hang", async () => {
    const r = uniqueName("frozen");
    const first = await runCli(["-c", config, "acquire", r]);
    expect(first.code, first.stderr).toBe(0);
    rgw.freezeGateway();
    try {
      for (const args of [
        ["is-held", r, first.stdout.trim()],
        ["acquire", uniqueName("frozen")],
      ]) {
        const { value: res, ms } = await timed(() => runCli(["-c", config, ...args]));
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout).toBe("");
        expect(res.stderr).toMatch(/no answer within 3s/);
        expect(ms).toBeGreaterThanOrEqual(CLI_TIMEOUT_MS - 100);
        expect(ms).toBeLessThan(CLI_TIMEOUT_MS + CLI_SLACK_MS);
      }
    } finally {
      rgw.thawGateway();
    }
    expect((await runCli(["-c", config, "is-held", r, first.stdout.trim()])).code).toBe(0);
  }, 90_000);
});

describe("s3 faults through the library (timeoutMs = 2000)", () => {
  let backend: Backend;
  // Recovery steps use a client with room to spare: a just-thawed gateway on a loaded machine
  // may take longer than the tight bound under test.
  let patient: Backend;
  beforeAll(async () => {
    backend = await create({ name: "s3", timeoutMs: LIB_TIMEOUT_MS, options: rgw.options() });
    patient = await create({ name: "s3", timeoutMs: 30_000, options: rgw.options() });
  });
  afterAll(async () => {
    await backend?.close();
    await patient?.close();
  });

  it("every operation on a frozen gateway rejects with BackendUnavailableError within the timeout, then recovers", async () => {
    const r = uniqueName("lib-frozen");
    const lease = (await patient.acquire(r, req)) as Lease;
    expect(isHeld(lease)).toBe(false);
    rgw.freezeGateway();
    try {
      const ops: Array<() => Promise<unknown>> = [
        () => backend.acquire(uniqueName("lib-frozen"), req),
        () => backend.renew(r, lease.id, 60_000),
        () => backend.release(r, lease.id),
        () => backend.current(r),
        () => backend.isHeld(r, lease.id),
        () => backend.forceRelease(r),
      ];
      const results = await Promise.all(ops.map((op) => failure(op)));
      for (const { error, ms } of results) {
        expect(error).toBeInstanceOf(BackendUnavailableError);
        expect((error as Error).message).toMatch(/no answer within 2s/);
        expect(ms).toBeLessThan(LIB_TIMEOUT_MS + 1_500);
      }
    } finally {
      rgw.thawGateway();
    }
    // A renew or release whose outcome was unknown may or may not have landed; the lease is
    // still this one either way, and a fresh renew settles it.
    const renewed = await patient.renew(r, lease.id, 60_000);
    if (renewed) expect(renewed).toMatchObject({ id: lease.id, fence: lease.fence });
    else expect(await patient.current(r)).toBeUndefined();
  }, 60_000);

  it("a stopped gateway fails fast with connection refused; once it is back, old and new clients work", async () => {
    await rgw.stopGateway();
    try {
      const { error, ms } = await failure(() => backend.current(uniqueName("lib-stopped")));
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).hint).toContain("[backend.s3]");
      expect(ms).toBeLessThan(LIB_TIMEOUT_MS + 1_500);
    } finally {
      await rgw.startGateway();
    }
    const r = uniqueName("lib-stopped");
    expect(isHeld(await patient.acquire(r, req))).toBe(false);
    // The client that saw the gateway die keeps working once it is back.
    expect(await backend.isHeld(r, "no-such-lease-id-000000")).toBe(false);
  }, 60_000);

  it("request_timeout bounds each request below the operation timeout", async () => {
    const quick = await create({
      name: "s3",
      timeoutMs: 20_000,
      options: rgw.options({ request_timeout: 1_000, max_attempts: 1 }),
    });
    rgw.freezeGateway();
    try {
      const { error, ms } = await failure(() => quick.current(uniqueName("request-timeout")));
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(8_000);
    } finally {
      rgw.thawGateway();
      await quick.close();
    }
  }, 30_000);

  it("close() returns at once even while a request hangs on a frozen gateway", async () => {
    const other = await create({ name: "s3", timeoutMs: 30_000, options: rgw.options() });
    rgw.freezeGateway();
    try {
      const pending = other.current(uniqueName("close")).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      const { ms } = await timed(() => other.close());
      expect(ms).toBeLessThan(1_000);
      void pending;
    } finally {
      rgw.thawGateway();
    }
  }, 30_000);
});
