import { chmodSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, writeConfig } from "../support/cli.js";
import { type EtcdCluster, startEtcd } from "../support/etcd.js";
import { freePort } from "../support/free-port.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { type RedisServer, startRedis } from "../support/redis.js";
import { type RgwServer, startRgw } from "../support/s3.js";

// Secrets (passwords in options or inside URLs, secret keys, tokens) must never be printed:
// not in an error, not by doctor, not in --json, not even with LEASEHOLD_DEBUG=1 (its causes and
// stacks go to people's terminals and bug reports too). Each backend is tried with a wrong
// secret where it checks one, so the failure paths, where SDK messages get quoted, are covered.
const WRONG = "Wr0ngSekr1tQz";

/** Every command a user might run against a misconfigured backend, with and without debug. */
function commands(config: string): string[][] {
  return [
    ["-c", config, "acquire", "sec-r"],
    ["-c", config, "is-held", "sec-r", "AAAAAAAAAAAAAAAAAAAAAAAA"],
    ["-c", config, "current", "--json", "sec-r"],
    ["-c", config, "list", "--json"],
    ["-c", config, "doctor"],
    ["-c", config, "doctor", "sec-r"],
  ];
}

interface Outcome {
  readonly args: string[];
  readonly debug: boolean;
  readonly res: CliResult;
}

async function runAll(config: string): Promise<Outcome[]> {
  chmodSync(config, 0o600); // the permission warning is tested elsewhere
  const jobs = commands(config).flatMap((args) =>
    [false, true].map(async (debug) => ({
      args,
      debug,
      res: await runCli(args, { env: debug ? { LEASEHOLD_DEBUG: "1" } : {}, timeoutMs: 90_000 }),
    })),
  );
  return Promise.all(jobs);
}

function expectNoSecret(outcomes: Outcome[], secrets: string[]): void {
  const sample = outcomes
    .find((o) => o.args[2] === "acquire" && !o.debug)
    ?.res.stderr.split("\n")[0];
  console.log(
    `SECURITY ${outcomes[0]?.args[1]?.replace(/.*\//, "")}: ${outcomes.length} CLI runs (half with LEASEHOLD_DEBUG=1), ${secrets.length} secrets searched, 0 printed; acquire said: ${sample}`,
  );
  for (const { args, debug, res } of outcomes) {
    const all = `${res.stdout}\n${res.stderr}`;
    for (const secret of secrets) {
      expect(
        all,
        `${args.slice(2).join(" ")}${debug ? " (debug)" : ""} printed a secret:\n${all}`,
      ).not.toContain(secret);
    }
    expect(res.signal).toBeNull();
  }
}

/** The data commands of a backend we cannot use must say so (3), never "held"/"not held" (1). */
function expectUnavailable(outcomes: Outcome[]): void {
  for (const { args, res } of outcomes) {
    if (args[2] === "doctor") continue;
    expect(res.code, `${args.join(" ")}\n${res.stderr}`).toBe(3);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/\S/);
  }
}

describe("secrets never printed", () => {
  let redis: RedisServer;
  let etcd: EtcdCluster;
  let pg: PostgresServer;
  let rgw: RgwServer;
  beforeAll(async () => {
    [redis, etcd, pg, rgw] = await Promise.all([
      startRedis({ password: "the-right-password" }),
      startEtcd(1),
      startPostgres(),
      startRgw(),
    ]);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([redis?.destroy(), etcd?.destroy(), pg?.destroy(), rgw?.destroy()]);
  });

  it("redis: a wrong password in the option and in the url is exit 3, never shown", async () => {
    const inOption = writeConfig(
      "sec-redis-1.ini",
      `[default]\nbackend = redis\n[backend.redis]\nurl = ${redis.url}\npassword = ${WRONG}\ntimeout = 5s\n`,
    );
    const inUrl = writeConfig(
      "sec-redis-2.ini",
      `[default]\nbackend = redis\n[backend.redis]\nurl = redis://default:${WRONG}@127.0.0.1:${redis.port}\ntimeout = 5s\n`,
    );
    for (const config of [inOption, inUrl]) {
      const outcomes = await runAll(config);
      expectNoSecret(outcomes, [WRONG, "the-right-password"]);
      expectUnavailable(outcomes);
    }
  }, 240_000);

  it("etcd: a password for a cluster that refuses it is exit 3, never shown", async () => {
    const config = writeConfig(
      "sec-etcd.ini",
      `[default]\nbackend = etcd\n[backend.etcd]\nendpoints = ${etcd.endpoints}\nusername = someone\npassword = ${WRONG}\ntimeout = 5s\n`,
    );
    const outcomes = await runAll(config);
    expectNoSecret(outcomes, [WRONG]);
    expectUnavailable(outcomes);
  }, 240_000);

  it("postgres: a password in the url or option is masked by doctor and absent from errors", async () => {
    // The test cluster trusts local connections, so the password is not checked: this proves
    // the masking on the success path, and on a server that is not there.
    const { hostname, port } = new URL(pg.url);
    const reachable = writeConfig(
      "sec-pg-1.ini",
      `[default]\nbackend = postgres\n[backend.postgres]\nurl = postgres://postgres:${WRONG}@${hostname}:${port}/postgres\ntimeout = 10s\n`,
    );
    const ok = await runAll(reachable);
    expectNoSecret(ok, [WRONG]);
    const doctor = ok.find((o) => o.args[2] === "doctor" && !o.debug)!.res;
    expect(doctor.stdout + doctor.stderr).toMatch(/\*\*\*\*/);
    const gone = writeConfig(
      "sec-pg-2.ini",
      `[default]\nbackend = postgres\n[backend.postgres]\nurl = postgres://postgres@127.0.0.1:${await freePort()}/postgres\npassword = ${WRONG}\ntimeout = 5s\n`,
    );
    const down = await runAll(gone);
    expectNoSecret(down, [WRONG]);
    expectUnavailable(down);
  }, 240_000);

  it("s3: a wrong secret key and a session token are exit 3, never shown", async () => {
    const text = rgw
      .ini("s3", `session_token = Tok3nSekr1tQz\ntimeout = 10s\n`)
      .replace(/secret_access_key = .*/, `secret_access_key = ${WRONG}`);
    const config = writeConfig("sec-s3.ini", `[default]\nbackend = s3\n${text}`);
    const outcomes = await runAll(config);
    expectNoSecret(outcomes, [WRONG, "Tok3nSekr1tQz", rgw.secretAccessKey]);
    expectUnavailable(outcomes);
  }, 240_000);
});
