import { create } from "../../src/backends/postgres/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

describeBackendContract("postgres", async () => {
  const server: PostgresServer = await startPostgres();
  const options = { url: server.url, schema: "public", table: "leasehold_leases" };
  return {
    makeBackend: () => create({ name: "postgres", options, timeoutMs: 10_000 }),
    ini: `[backend.postgres]\nurl = ${server.url}\n`,
    backendName: "postgres",
    teardown: () => server.destroy(),
  };
});
