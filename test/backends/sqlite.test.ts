import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "../../src/backends/sqlite/index.js";
import { describeBackendContract } from "../contract/contract.js";

describeBackendContract("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "leasehold-sqlite-"));
  const path = join(dir, "leases.db");
  return {
    makeBackend: () => create({ name: "sqlite", options: { path }, timeoutMs: 10_000 }),
    backendName: "sqlite",
    ini: `[backend.sqlite]\npath = ${path}\n`,
    shortTtlMs: 400,
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
