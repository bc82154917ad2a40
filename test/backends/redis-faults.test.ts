import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/redis/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type RedisServer, startRedis } from "../support/redis.js";
import { failure, timed } from "../support/timing.js";

// Wall-clock bounds here prove "bounded by the configured timeout, not a hang"; they are not a
// benchmark. A CLI call includes starting Node, which on a loaded two-core machine has taken
// tens of seconds, so CLI calls get a loose bound (runCli itself kills at 60 s) and prove the
// timeout by its message; library calls, which start nothing, get a tight one.
const TIMEOUT_MS = 2_000;
const CLI_BOUND_MS = 30_000;
const LIBRARY_BOUND_MS = 2 * TIMEOUT_MS;
const req = { principal: "alice@test", ttlMs: 60_000 };

describe("redis faults through the CLI", () => {
  let server: RedisServer;
  let config: string;

  beforeAll(async () => {
    server = await startRedis();
    config = writeConfig(
      `redis-faults-${process.pid}.ini`,
      `[default]\nbackend = redis\nttl = 60s\n\n[backend.redis]\nurl = ${server.url}\ntimeout = 2s\n`,
    );
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("a stopped server makes is-held and acquire exit 3 within the timeout, and commands work again after a restart", async () => {
    const r = uniqueName("stopped");
    const first = await runCli(["-c", config, "acquire", r]);
    expect(first.code).toBe(0);
    const id = first.stdout.trim();
    await server.stop();
    try {
      for (const args of [
        ["is-held", r, id],
        ["acquire", uniqueName("stopped")],
        ["current", r],
      ]) {
        const { value: res, ms } = await timed(() => runCli(["-c", config, ...args]));
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout).toBe("");
        expect(res.stderr).toMatch(/redis backend "redis" \(127\.0\.0\.1:\d+\): cannot connect/);
        expect(res.stderr).toMatch(/ECONNREFUSED/);
        expect(res.stderr).toContain("[backend.redis]");
        expect(ms).toBeLessThan(CLI_BOUND_MS);
      }
    } finally {
      await server.start();
    }
    // The server ran without persistence, so the lease is gone: the durability truth in the docs.
    const again = await runCli(["-c", config, "acquire", r]);
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli(["-c", config, "is-held", r, again.stdout.trim()])).code).toBe(0);
  }, 120_000);

  it("a frozen server (SIGSTOP) makes is-held exit 3 with a timeout message, not a hang", async () => {
    const r = uniqueName("frozen");
    const first = await runCli(["-c", config, "acquire", r]);
    expect(first.code).toBe(0);
    server.pause();
    try {
      for (const args of [
        ["is-held", r, first.stdout.trim()],
        ["acquire", uniqueName("frozen")],
      ]) {
        const { value: res, ms } = await timed(() => runCli(["-c", config, ...args]));
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout).toBe("");
        expect(res.stderr).toMatch(/no answer within 2000 ms/);
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
        expect(ms).toBeLessThan(CLI_BOUND_MS);
      }
    } finally {
      server.resume();
    }
    expect((await runCli(["-c", config, "is-held", r, first.stdout.trim()])).code).toBe(0);
  }, 120_000);
});

describe("redis authentication through the CLI", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ password: "s3cret-pw" });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const ini = (auth: string) =>
    writeConfig(
      `redis-auth-${Math.random().toString(36).slice(2)}.ini`,
      `[default]\nbackend = redis\n\n[backend.redis]\nurl = ${server.url}\ntimeout = 2s\n${auth}`,
    );

  it("a wrong password is exit 3 'authentication failed', and the password never appears in the message", async () => {
    const res = await runCli(["-c", ini("password = wrong-pw\n"), "acquire", uniqueName("auth")]);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/authentication failed/);
    expect(res.stderr).not.toContain("wrong-pw");
  }, 30_000);

  it("a missing password is exit 3 'authentication failed'", async () => {
    const res = await runCli([
      "-c",
      ini(""),
      "is-held",
      uniqueName("auth"),
      "abcdefghijklmnopqrstuvwx",
    ]);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/authentication failed/);
  }, 30_000);

  it("the right password works, from the password option, from ${VAR}, or inside the url", async () => {
    expect(
      (await runCli(["-c", ini("password = s3cret-pw\n"), "acquire", uniqueName("auth")])).code,
    ).toBe(0);
    const viaEnv = await runCli(
      ["-c", ini("password = ${TEST_REDIS_PW}\n"), "acquire", uniqueName("auth")],
      { env: { TEST_REDIS_PW: "s3cret-pw" } },
    );
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const inUrl = writeConfig(
      `redis-auth-url-${process.pid}.ini`,
      `[backend.redis]\nurl = redis://:s3cret-pw@127.0.0.1:${server.port}/0\n`,
    );
    const res = await runCli(["-c", inUrl, "--backend", "redis", "acquire", uniqueName("auth")]);
    expect(res.code, res.stderr).toBe(0);
  }, 30_000);
});

describe("one long-lived redis client across an outage", () => {
  let server: RedisServer;
  let backend: Backend;
  beforeAll(async () => {
    server = await startRedis();
    backend = await create({
      name: "redis",
      options: { url: server.url, prefix: "leasehold:" },
      timeoutMs: TIMEOUT_MS,
    });
  });
  afterAll(async () => {
    await backend?.close();
    await server?.destroy();
  });

  it("fails every kind of call with BackendUnavailableError within the timeout while down, then recovers", async () => {
    const r = uniqueName("outage");
    const lease = (await backend.acquire(r, req)) as Lease;
    expect(isHeld(lease)).toBe(false);
    await server.stop();
    const calls: Array<() => Promise<unknown>> = [
      () => backend.acquire(uniqueName("outage"), req),
      () => backend.renew(r, lease.id, 60_000),
      () => backend.release(r, lease.id),
      () => backend.isHeld(r, lease.id),
      () => backend.current(r),
      async () => {
        for await (const _ of backend.list()) void _;
      },
      () => backend.forceRelease(r),
      () => backend.waitForChange(r, Date.now() + 60_000, new AbortController().signal),
    ];
    try {
      for (const call of calls) {
        const { error, ms } = await failure(call);
        expect(error).toBeInstanceOf(BackendUnavailableError);
        expect((error as Error).message).toMatch(/redis backend "redis"/);
        expect(ms).toBeLessThan(LIBRARY_BOUND_MS);
      }
    } finally {
      await server.start();
    }
    // ioredis reconnects in the background; give it a moment, then the same client works.
    let result: unknown;
    for (let i = 0; i < 50; i++) {
      try {
        result = await backend.acquire(r, req);
        break;
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    expect(result).toMatchObject({ resource: r });
  }, 60_000);

  it("a frozen server fails a call after the configured timeout, and the same client works once it thaws", async () => {
    const r = uniqueName("frozen-lib");
    const lease = (await backend.acquire(r, req)) as Lease;
    server.pause();
    try {
      const { error, ms } = await failure(() => backend.isHeld(r, lease.id));
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toMatch(/no answer within 2000 ms/);
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
      expect(ms).toBeLessThan(LIBRARY_BOUND_MS);
    } finally {
      server.resume();
    }
    // The late answer to the timed-out call must not be taken for the next call's answer.
    expect(await backend.isHeld(r, lease.id)).toBe(true);
    expect(await backend.isHeld(r, "abcdefghijklmnopqrstuvwx")).toBe(false);
    expect((await backend.current(r))?.id).toBe(lease.id);
  }, 30_000);

  it("a waiter whose server is frozen returns or fails within the timeout instead of hanging", async () => {
    const r = uniqueName("frozen-wait");
    const lease = (await backend.acquire(r, req)) as Lease;
    expect(lease.id).toBeDefined();
    server.pause();
    try {
      const started = Date.now();
      await backend
        .waitForChange(r, Date.now() + 60_000, new AbortController().signal)
        .catch((e) => {
          expect(e).toBeInstanceOf(BackendUnavailableError);
        });
      expect(Date.now() - started).toBeLessThan(2 * TIMEOUT_MS + LIBRARY_BOUND_MS);
    } finally {
      server.resume();
    }
  }, 30_000);
});

describe("closing a redis client", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    server?.resume();
    await server?.destroy();
  });

  it("lets the process exit promptly after close() even when the server is frozen", async () => {
    // A separate process, because the claim is about what keeps Node's event loop alive.
    const entry = resolve(import.meta.dirname, "../../dist/backends/redis/index.js");
    const script = `
      const { create } = await import(${JSON.stringify(entry)});
      const b = await create({ name: "redis", options: { url: ${JSON.stringify(server.url)}, prefix: "leasehold:" }, timeoutMs: 1000 });
      await b.acquire("close-test", { principal: "p", ttlMs: 60000 });
      process.stdout.write("ready\\n");
      await new Promise((r) => process.stdin.once("data", r));
      process.stdin.destroy();
      await b.isHeld("close-test", "x").catch(() => {});
      await b.waitForChange("close-test", Date.now() + 60000, new AbortController().signal).catch(() => {});
      const t = Date.now();
      await b.close();
      process.on("exit", () => process.stdout.write(String(Date.now() - t)));`;
    const child = execFile(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 30_000,
    });
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out === "ready\n") {
        server.pause();
        child.stdin!.end("go\n");
      }
    });
    const code = await new Promise((r) => child.on("exit", r));
    server.resume();
    expect(code).toBe(0);
    const closedForMs = Number(out.replace("ready\n", ""));
    // ioredis's default waits 2 s for a frozen server to close its end of each socket; we wait
    // 100 ms. The bound sits between the two, with room for a loaded machine's late timers.
    expect(closedForMs).toBeLessThan(1_900);
  }, 40_000);
});

describe("waiting on a very long lease", () => {
  let server: RedisServer;
  let backend: Backend;
  beforeAll(async () => {
    server = await startRedis();
    backend = await create({
      name: "redis",
      options: { url: server.url, prefix: "leasehold:" },
      timeoutMs: TIMEOUT_MS,
    });
  });
  afterAll(async () => {
    await backend?.close();
    await server?.destroy();
  });

  it("an unlimited wait on a 30-day lease sleeps instead of spinning (setTimeout caps at 24.8 days)", async () => {
    const r = uniqueName("long");
    const lease = (await backend.acquire(r, { ...req, ttlMs: 30 * 86_400_000 })) as Lease;
    const ac = new AbortController();
    let returned = false;
    const waiting = backend.waitForChange(r, Number.POSITIVE_INFINITY, ac.signal).then(() => {
      returned = true;
    });
    await new Promise((res) => setTimeout(res, 300));
    expect(returned).toBe(false);
    await backend.release(r, lease.id);
    await waiting;
    ac.abort();
  }, 30_000);
});
