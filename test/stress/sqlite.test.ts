import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { race } from "./race.js";

describe("stress: sqlite", () => {
  const dir = mkdtempSync(join(tmpdir(), "leasehold-stress-sqlite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("16 processes racing on 4 resources: no two leases overlap, fences rise in grant order", async () => {
    const r = await race({
      label: "sqlite",
      backend: "sqlite",
      ini: `[backend.sqlite]\npath = ${join(dir, "leases.db")}\n`,
      model: "exact",
      target: 500,
      seconds: 25,
      ttlMs: 1000,
    });
    expect(r.violations).toEqual([]);
    expect(r.workerFailures).toBe(0);
    expect(r.leases).toBeGreaterThan(100);
  }, 300_000);
});
