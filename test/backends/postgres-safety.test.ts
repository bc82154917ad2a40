import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/postgres/index.js";
import { tableDdl, tableNames } from "../../src/backends/postgres/schema.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError, ConfigError } from "../../src/lease/errors.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

const req = (principal = "alice@test") => ({ principal, ttlMs: 120_000 });

function leaseOf(r: Lease | { status: "held" }): Lease {
  if (isHeld(r as Lease)) throw new Error("expected a lease, the resource was held");
  return r as Lease;
}

async function listed(b: Backend, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of b.list(prefix)) out.push(l.resource);
  return out.sort();
}

describe("postgres backend: names, schemas, first use, privileges", () => {
  let server: PostgresServer;
  let admin: pg.Client;
  const opened: Backend[] = [];
  const open = async (options: Record<string, string> = {}, url = server.url) => {
    const b = await create({
      name: "postgres",
      options: { url, schema: "public", table: "leasehold_leases", ...options },
      timeoutMs: 10_000,
    });
    opened.push(b);
    return b;
  };

  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });

  afterAll(async () => {
    for (const b of opened) await b.close();
    await admin?.end();
    await server?.destroy();
  });

  it("stores resource names full of SQL and LIKE syntax as plain data, and lists prefixes exactly", async () => {
    const a = await open();
    const base = uniqueName("inject");
    const evil = [
      `${base}/x'); DROP TABLE leasehold_leases; --`,
      `${base}/"; DELETE FROM leasehold_leases; --`,
      `${base}/%`,
      `${base}/_`,
      `${base}/\\`,
      `${base}/!`,
      `${base}/!%`,
      `${base}/a%b`,
      `${base}/a_b`,
      `${base}/axb`,
      `${base}/$1`,
    ];
    const ids = new Map<string, string>();
    for (const n of evil) ids.set(n, leaseOf(await a.acquire(n, req())).id);
    for (const n of evil) expect((await a.current(n))?.id).toBe(ids.get(n));
    expect(await listed(a, `${base}/`)).toEqual([...evil].sort());
    // Wildcards in a prefix match only themselves.
    expect(await listed(a, `${base}/%`)).toEqual([`${base}/%`]);
    expect(await listed(a, `${base}/a%`)).toEqual([`${base}/a%b`]);
    expect(await listed(a, `${base}/a_`)).toEqual([`${base}/a_b`]);
    expect(await listed(a, `${base}/\\`)).toEqual([`${base}/\\`]);
    expect(await listed(a, `${base}/!`)).toEqual([`${base}/!`, `${base}/!%`]);
    expect(await listed(a, `${base}/!%`)).toEqual([`${base}/!%`]);
    const { rows } = await admin.query(
      "SELECT count(*)::int AS n FROM public.leasehold_leases WHERE resource LIKE $1",
      [`${base}/%`],
    );
    expect(rows[0].n).toBe(evil.length);
  });

  it("refuses schema and table names that are not plain identifiers, through the library and the CLI (exit 2), losing nothing", async () => {
    const a = await open();
    const r = uniqueName("keep");
    const lease = leaseOf(await a.acquire(r, req()));
    const bad = [
      { table: 'leases"; DROP TABLE leasehold_leases; --' },
      { table: "leasehold_leases WHERE true" },
      { schema: "public.leasehold_leases" },
      { schema: 'public"' },
      { table: "9lives" },
      { table: "x".repeat(58) },
      { table: "" },
      { schema: "sch\u00e9ma" },
    ];
    for (const options of bad) await expect(open(options)).rejects.toBeInstanceOf(ConfigError);
    const badIni = [
      "table = leasehold_leases--",
      "table = a b",
      "schema = public.x",
      "table = `x`",
      "schema = pg'catalog",
    ];
    for (const line of badIni) {
      const config = writeConfig(
        `pg-bad-${process.pid}.ini`,
        `[backend.postgres]\nurl = ${server.url}\n${line}\n`,
      );
      const res = await runCli(["-c", config, "--backend", "postgres", "acquire", uniqueName("x")]);
      expect(res.code, `${line}: ${res.stderr}`).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/schema|table/);
    }
    expect(await a.isHeld(r, lease.id)).toBe(true);
    const { rows } = await admin.query(
      "SELECT to_regclass('public.leasehold_leases') IS NOT NULL AS ok",
    );
    expect(rows[0].ok).toBe(true);
  }, 60_000);

  it("keeps the case of quoted table names: Leases and leases are different tables", async () => {
    const upper = await open({ table: "Leases" });
    const lower = await open({ table: "leases" });
    const r = uniqueName("case");
    leaseOf(await upper.acquire(r, req()));
    leaseOf(await lower.acquire(r, req("bob@test")));
    expect((await upper.current(r))?.principal).toBe("alice@test");
    expect((await lower.current(r))?.principal).toBe("bob@test");
  });

  it("gives two schemas on one database separate leases, listings and wake-ups", async () => {
    const teamA = await open({ schema: "team_a" });
    const teamB = await open({ schema: "team_b" });
    const r = uniqueName("schemas");
    const inA = leaseOf(await teamA.acquire(r, req("alice@a")));
    const inB = leaseOf(await teamB.acquire(r, req("bob@b")));
    expect((await teamA.current(r))?.id).toBe(inA.id);
    expect((await teamB.current(r))?.id).toBe(inB.id);
    expect(await teamA.isHeld(r, inB.id)).toBe(false);
    expect(await teamA.release(r, inB.id)).toBe(false);
    expect(await listed(teamA, r)).toEqual([r]);
    // A release in team_b must not wake a waiter on team_a's lease.
    const started = Date.now();
    const waiting = teamA.waitForChange(r, started + 1_500, new AbortController().signal);
    await new Promise((done) => setTimeout(done, 200));
    expect(await teamB.release(r, inB.id)).toBe(true);
    await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect((await teamA.current(r))?.id).toBe(inA.id);
    // And the CLI with `schema` set sees only its own.
    const config = writeConfig(
      `pg-schema-${process.pid}.ini`,
      `[backend.postgres]\nurl = ${server.url}\nschema = team_b\n`,
    );
    const res = await runCli(["-c", config, "--backend", "postgres", "acquire", r]);
    expect(res.code, res.stderr).toBe(0);
  }, 30_000);

  it("creates schema, table and sequence once when many clients start at once, with timestamptz columns", async () => {
    const options = { schema: "fresh_schema", table: "fresh_leases" };
    const clients = await Promise.all(Array.from({ length: 10 }, () => open(options)));
    const r = uniqueName("first-use");
    const results = await Promise.all(clients.map((c, i) => c.acquire(r, req(`p${i}@test`))));
    expect(results.filter((x) => !isHeld(x))).toHaveLength(1);
    const { rows } = await admin.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'fresh_schema' AND table_name = 'fresh_leases' AND column_name LIKE '%_at'",
    );
    expect(rows.map((x) => x.data_type)).toEqual([
      "timestamp with time zone",
      "timestamp with time zone",
    ]);
    const seq = await admin.query(
      "SELECT to_regclass('fresh_schema.fresh_leases_fence') IS NOT NULL AS ok",
    );
    expect(seq.rows[0].ok).toBe(true);
  });

  it("works for a role that may not run DDL once the table is made by hand with the documented SQL, whatever its TimeZone", async () => {
    await admin.query(
      "CREATE ROLE app LOGIN; CREATE SCHEMA locked; ALTER ROLE app SET TimeZone = 'Pacific/Kiritimati'",
    );
    const appUrl = server.url.replace("postgres@", "app@");
    const app = await open({ schema: "locked" }, appUrl);
    const r = uniqueName("no-ddl");
    const refused = await app.acquire(r, req()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(BackendUnavailableError);
    expect((refused as BackendUnavailableError).hint).toMatch(/docs\/backends\/postgres\.md/);
    const names = tableNames("postgres", "locked", "leasehold_leases");
    await admin.query(`${tableDdl(names)}
      GRANT USAGE ON SCHEMA locked TO app;
      GRANT SELECT, INSERT, UPDATE ON ${names.table} TO app;
      GRANT USAGE ON SEQUENCE ${names.sequence} TO app;`);
    const lease = leaseOf(await app.acquire(r, req()));
    const owner = await open({ schema: "locked" });
    const seen = await owner.current(r);
    expect(seen?.id).toBe(lease.id);
    expect(seen!.expiresAt.getTime()).toBe(lease.expiresAt.getTime());
    expect(seen!.remainingMs).toBeGreaterThan(110_000);
    expect(seen!.remainingMs).toBeLessThanOrEqual(120_000);
    expect(await owner.forceRelease(r)).toBe(true);
    expect(isHeld(await app.acquire(r, req()))).toBe(false);
  });

  it("answers reads on a table that does not exist yet without creating it", async () => {
    const b = await open({ schema: "nowhere", table: "not_yet" });
    const r = uniqueName("no-table");
    expect(await b.current(r)).toBeUndefined();
    expect(await b.isHeld(r, "abcdefghijklmnopqrstuvwx")).toBe(false);
    expect(await b.release(r, "abcdefghijklmnopqrstuvwx")).toBe(false);
    expect(await b.renew(r, "abcdefghijklmnopqrstuvwx", 60_000)).toBeUndefined();
    expect(await b.forceRelease(r)).toBe(false);
    expect(await listed(b)).toEqual([]);
    const { rows } = await admin.query("SELECT to_regnamespace('nowhere') IS NULL AS absent");
    expect(rows[0].absent).toBe(true);
  });

  it("wakes a waiter when the holder shortens its lease, at the new expiry", async () => {
    const a = await open();
    const b = await open();
    const r = uniqueName("shortened");
    const lease = leaseOf(await a.acquire(r, req()));
    const started = Date.now();
    const waiting = b.waitForChange(r, started + 60_000, new AbortController().signal);
    await new Promise((done) => setTimeout(done, 300));
    expect(await a.renew(r, lease.id, 700)).toBeDefined();
    await waiting;
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5_000);
    expect(isHeld(await b.acquire(r, req("bob@test")))).toBe(false);
  }, 30_000);

  it("doctor reports the server, and whether the table exists or can be created", async () => {
    const fresh = await open({ schema: "Doctor_Fresh" });
    const checks = await fresh.doctor!();
    expect(checks[0]).toMatchObject({ name: "connection", ok: true });
    expect(checks[0]!.detail).toMatch(/PostgreSQL \d+/);
    expect(checks[1]).toMatchObject({
      name: "table",
      ok: true,
      detail: "Doctor_Fresh.leasehold_leases will be created on first use",
    });
    leaseOf(await fresh.acquire(uniqueName("doctor"), req()));
    expect((await fresh.doctor!())[1]).toMatchObject({
      ok: true,
      detail: "Doctor_Fresh.leasehold_leases exists",
    });
    await admin.query("CREATE ROLE reader LOGIN; CREATE SCHEMA doctor_locked");
    const reader = await open(
      { schema: "doctor_locked" },
      server.url.replace("postgres@", "reader@"),
    );
    const denied = (await reader.doctor!())[1]!;
    expect(denied.ok).toBe(false);
    expect(denied.fix).toMatch(/docs\/backends\/postgres\.md/);
    await admin.query(
      "CREATE SCHEMA doctor_hidden; REVOKE ALL ON SCHEMA doctor_hidden FROM PUBLIC",
    );
    const hidden = await open(
      { schema: "doctor_hidden" },
      server.url.replace("postgres@", "reader@"),
    );
    expect((await hidden.doctor!())[1]).toMatchObject({
      ok: false,
      detail: 'reader may not use schema "doctor_hidden"',
    });
    const names = tableNames("postgres", "doctor_locked", "leasehold_leases");
    await admin.query(
      `${tableDdl(names)} GRANT USAGE ON SCHEMA doctor_locked TO reader; GRANT SELECT ON ${names.table} TO reader;`,
    );
    expect((await reader.doctor!())[1]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/exists but reader lacks/),
    });
    const unreachable = await open({}, "postgres://postgres@127.0.0.1:1/postgres");
    const down = (await unreachable.doctor!())[0]!;
    expect(down).toMatchObject({ name: "connection", ok: false });
    expect(down.fix).toMatch(/\[backend\.postgres\]/);
  });
});
