import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "../../src/backends/postgres/index.js";
import type { Backend } from "../../src/backends/types.js";
import { BackendUnavailableError } from "../../src/lease/errors.js";
import { isHeld } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

const req = { principal: "alice@test", ttlMs: 60_000 };

describe("postgres backend over TLS (server accepts only hostssl)", () => {
  let server: PostgresServer;
  let otherCa: string;
  let scratch: string;
  const opened: Backend[] = [];
  const open = async (options: Record<string, string>) => {
    const b = await create({
      name: "postgres",
      options: { url: server.url, schema: "public", table: "leasehold_leases", ...options },
      timeoutMs: 5_000,
    });
    opened.push(b);
    return b;
  };
  const failure = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (e: unknown) => e,
    );

  beforeAll(async () => {
    server = await startPostgres({ tls: true });
    scratch = mkdtempSync(join(tmpdir(), "leasehold-pg-tls-"));
    otherCa = join(scratch, "other.crt");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(scratch, "other.key"),
        "-out",
        otherCa,
      ],
      { stdio: "ignore" },
    );
  });

  afterAll(async () => {
    for (const b of opened) await b.close();
    await server?.destroy();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("connects with sslmode require, and with verify-full or verify-ca against the server's CA", async () => {
    for (const options of [
      { sslmode: "require" },
      { sslmode: "verify-full", ssl_ca: server.caFile! },
      { ssl_ca: server.caFile! },
      { sslmode: "verify-ca", ssl_ca: server.caFile! },
    ]) {
      const b = await open(options);
      const r = uniqueName("tls");
      expect(isHeld(await b.acquire(r, req)), JSON.stringify(options)).toBe(false);
    }
  });

  it("refuses a server whose certificate does not verify, as a backend error with a TLS hint", async () => {
    const bad = await failure(
      (await open({ sslmode: "verify-full", ssl_ca: otherCa })).acquire(uniqueName("tls-bad"), req),
    );
    expect(bad).toBeInstanceOf(BackendUnavailableError);
    expect((bad as BackendUnavailableError).hint).toMatch(/ssl_ca/);
  });

  it("reports the refused plain-text login with a hint at sslmode", async () => {
    const plain = await failure((await open({ sslmode: "disable" })).current(uniqueName("plain")));
    expect(plain).toBeInstanceOf(BackendUnavailableError);
    expect((plain as BackendUnavailableError).hint).toMatch(/sslmode/);
  });

  it("through the CLI: TLS works, a bad sslmode or unreadable ssl_ca is exit 2, a bad CA exit 3", async () => {
    const ini = (extra: string) =>
      writeConfig(
        `pg-tls-${process.pid}.ini`,
        `[backend.postgres]\nurl = ${server.url}\n${extra}\n`,
      );
    const acquire = (config: string) =>
      runCli(["-c", config, "--backend", "postgres", "acquire", uniqueName("tls-cli")]);
    expect((await acquire(ini(`sslmode = verify-full\nssl_ca = ${server.caFile}`))).code).toBe(0);
    const badMode = await acquire(ini("sslmode = sometimes"));
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/sslmode/);
    const missing = await acquire(ini(`ssl_ca = ${join(scratch, "nope.pem")}`));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ssl_ca/);
    const wrongCa = await acquire(ini(`ssl_ca = ${otherCa}`));
    expect(wrongCa.code).toBe(3);
    expect(wrongCa.stdout).toBe("");
  }, 60_000);
});
