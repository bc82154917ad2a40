import { describe, expect, it } from "vitest";
import { settingsFrom } from "../../src/backends/postgres/options.js";
import { firstUseScript, tableNames } from "../../src/backends/postgres/schema.js";
import { likePrefix, statementsFor } from "../../src/backends/postgres/statements.js";
import { ConfigError } from "../../src/lease/errors.js";

const ctx = (options: Record<string, string | number | undefined>, timeoutMs = 10_000) => ({
  name: "pg-eu",
  options,
  timeoutMs,
});

describe("postgres options, names and statements (no server)", () => {
  it("bounds connect and statement time by the timeout, narrowing but never widening it", () => {
    expect(settingsFrom(ctx({})).client).toMatchObject({
      connectionTimeoutMillis: 10_000,
      statement_timeout: 10_000,
      lock_timeout: 10_000,
    });
    expect(
      settingsFrom(ctx({ statement_timeout: 2_000, connect_timeout: 1_000 })).client,
    ).toMatchObject({ connectionTimeoutMillis: 1_000, statement_timeout: 2_000 });
    expect(settingsFrom(ctx({ statement_timeout: 60_000 }, 5_000)).client).toMatchObject({
      statement_timeout: 5_000,
    });
  });

  it("names the target without credentials", () => {
    expect(
      settingsFrom(ctx({ url: "postgres://u:hunter2@db.example:6543/ops?sslmode=disable" })).where,
    ).toBe("db.example:6543/ops");
    expect(
      settingsFrom(ctx({ host: "h", port: 5433, user: "u", password: "hunter2", database: "d" }))
        .where,
    ).toBe("h:5433/d");
    expect(
      JSON.stringify(settingsFrom(ctx({ url: "postgres://u:hunter2@db/ops" })).where),
    ).not.toContain("hunter2");
  });

  it("maps sslmode like libpq and refuses unknown modes", () => {
    expect(settingsFrom(ctx({ sslmode: "disable" })).client.ssl).toBe(false);
    expect(settingsFrom(ctx({ sslmode: "require" })).client.ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(settingsFrom(ctx({ sslmode: "verify-full" })).client.ssl).toEqual({
      rejectUnauthorized: true,
    });
    const ca = settingsFrom(ctx({ sslmode: "verify-ca" })).client.ssl as {
      rejectUnauthorized: boolean;
      checkServerIdentity: () => unknown;
    };
    expect(ca.rejectUnauthorized).toBe(true);
    expect(ca.checkServerIdentity()).toBeUndefined();
    expect(settingsFrom(ctx({})).client.ssl).toBeUndefined();
    expect(() => settingsFrom(ctx({ sslmode: "prefer" }))).toThrow(ConfigError);
    expect(() => settingsFrom(ctx({ ssl_ca: "/nonexistent/ca.pem" }))).toThrow(/ssl_ca/);
  });

  it("accepts plain identifiers only, quoting them and keeping case", () => {
    const n = tableNames("pg", "Ops_1", "Leases");
    expect(n.table).toBe('"Ops_1"."Leases"');
    expect(n.sequence).toBe('"Ops_1"."Leases_fence"');
    expect(n.channel).toMatch(/^leasehold_[0-9a-f]{20}$/);
    expect(tableNames("pg", "a", "b").channel).not.toBe(tableNames("pg", "a", "c").channel);
    for (const [schema, table] of [
      ["public", 'x"y'],
      ["a.b", "t"],
      ["public", "1t"],
      ["public", "t t"],
      ["", "t"],
      ["public", "x".repeat(58)],
      ["s".repeat(64), "t"],
    ]) {
      expect(() => tableNames("pg", schema!, table!), `${schema}.${table}`).toThrow(ConfigError);
    }
    expect(() => tableNames("pg", "s".repeat(63), "x".repeat(57))).not.toThrow();
  });

  it("escapes LIKE wildcards and the escape character in prefixes", () => {
    expect(likePrefix("")).toBe("%");
    expect(likePrefix("a%b_c!d\\e")).toBe("a!%b!_c!!d\\e%");
  });

  it("never splices values into SQL: every statement takes the resource as $1", () => {
    const sql = statementsFor(tableNames("pg", "public", "leasehold_leases"));
    for (const text of Object.values(sql)) expect(text).toContain("$1");
    expect(firstUseScript(tableNames("pg", "public", "t"), false)).not.toContain("CREATE SCHEMA");
    expect(firstUseScript(tableNames("pg", "ops", "t"), true)).toContain(
      'CREATE SCHEMA IF NOT EXISTS "ops"',
    );
  });
});
