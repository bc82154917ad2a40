import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeRace } from "./describe-race.js";

describeRace("stress: sqlite", {
  start: async () => mkdtempSync(join(tmpdir(), "leasehold-stress-sqlite-")),
  stop: (dir) => rmSync(dir, { recursive: true, force: true }),
  options: (dir) => ({
    label: "sqlite",
    backend: "sqlite",
    ini: `[backend.sqlite]\npath = ${join(dir, "leases.db")}\n`,
    model: "exact",
    target: 500,
    seconds: 25,
    ttlMs: 1000,
  }),
  minLeases: 100,
});
