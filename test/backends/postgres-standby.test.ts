import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/postgres/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { isHeld } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

const req = { principal: "alice@test", ttlMs: 60_000 };

describe.skipIf(process.env.LEASEHOLD_TEST_POSTGRES_URL)(
  "postgres backend pointed at a hot standby",
  () => {
    let primary: PostgresServer;
    let standby: PostgresServer;
    const opened: Backend[] = [];
    const open = async (url: string) => {
      const b = await create({
        name: "postgres",
        options: { url, schema: "public", table: "leasehold_leases" },
        timeoutMs: 5_000,
      });
      opened.push(b);
      return b;
    };

    beforeAll(async () => {
      primary = await startPostgres();
      const first = await open(primary.url);
      // The table exists before the backup, so the standby has it too.
      expect(isHeld(await first.acquire(uniqueName("before-backup"), req))).toBe(false);
      standby = await startPostgres({ standbyOf: primary.url });
    });

    afterAll(async () => {
      for (const b of opened) await b.close();
      await standby?.destroy();
      await primary?.destroy();
    });

    it("refuses to grant on a standby, as a backend error that says to use the primary", async () => {
      const onStandby = await open(standby.url);
      const refused = await onStandby.acquire(uniqueName("standby"), req).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(BackendUnavailableError);
      expect((refused as BackendUnavailableError).hint).toMatch(/read-only standby.*primary/);
    });

    it("exits 3 through the CLI and prints nothing on stdout", async () => {
      const config = writeConfig(
        `pg-standby-${process.pid}.ini`,
        `[backend.postgres]\nurl = ${standby.url}\n`,
      );
      const res = await runCli([
        "-c",
        config,
        "--backend",
        "postgres",
        "acquire",
        uniqueName("standby-cli"),
      ]);
      expect(res.code, res.stderr).toBe(3);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/primary/);
    }, 60_000);
  },
);
