import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { race } from "./race.js";

// Expiry is the database's now() + ttl inside one statement; now() is the statement's start, which can
// precede the grant by a row-lock wait, so the grant is bounded by the reply instead.
describe("stress: postgres", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.destroy());

  it("16 processes racing on 4 resources: no two leases overlap, fences rise in grant order", async () => {
    const r = await race({
      label: "postgres",
      backend: "postgres",
      ini: `[backend.postgres]\nurl = ${server.url}\n`,
      model: "statement-start",
      target: 500,
      seconds: 20,
      ttlMs: 800,
    });
    expect(r.violations).toEqual([]);
    expect(r.workerFailures).toBe(0);
    expect(r.leases).toBeGreaterThan(100);
  }, 300_000);
});
