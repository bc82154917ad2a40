import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerClock } from "../../src/backends/dynamodb/clock.js";
import { create } from "../../src/backends/dynamodb/index.js";
import { BackendUnavailableError, ConfigError } from "../../src/lease/errors.js";
import { isHeld, type Lease } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";
import { type DynaliteServer, startDynalite } from "../support/dynamodb.js";
import { uniqueName } from "../support/names.js";

describe("ServerClock", () => {
  it("brackets the server's time by the Date header's second and the request's flight", () => {
    const clock = new ServerClock();
    expect(clock.known).toBe(false);
    expect(clock.lowerMs()).toBeNaN();
    const sent = performance.now();
    clock.observe("Sun, 29 Nov 2026 19:00:00 GMT", sent, sent + 40);
    const server = Date.parse("Sun, 29 Nov 2026 19:00:00 GMT");
    // Bracketed by readings of our own clock taken just before and after, so a descheduled test
    // process cannot make the check fail; the bounds are rounded outwards to whole ms.
    const before = performance.now() - (sent + 40);
    const lower = clock.lowerMs();
    const upper = clock.upperMs();
    const after = performance.now() - (sent + 40);
    expect(clock.known).toBe(true);
    expect(lower).toBeGreaterThanOrEqual(Math.floor(server + before));
    expect(lower).toBeLessThanOrEqual(server + after);
    expect(upper).toBeGreaterThanOrEqual(server + 1040 + before);
    expect(upper).toBeLessThanOrEqual(Math.ceil(server + 1040 + after));
  });

  it("narrows with each response and resets when the server's clock is stepped", () => {
    const clock = new ServerClock();
    const t = performance.now();
    clock.observe("Sun, 29 Nov 2026 19:00:00 GMT", t - 2000, t - 1990);
    const first = clock.upperMs() - clock.lowerMs();
    // A second later by our clock, the server said the next second already: the lower bound rises.
    clock.observe("Sun, 29 Nov 2026 19:00:01 GMT", t - 1200, t - 1190);
    expect(clock.upperMs() - clock.lowerMs()).toBeLessThan(first);
    clock.observe("Sun, 29 Nov 2026 21:00:00 GMT", t - 10, t);
    expect(clock.lowerMs()).toBeGreaterThanOrEqual(Date.parse("Sun, 29 Nov 2026 21:00:00 GMT"));
    clock.observe(undefined, t, t);
    clock.observe("not a date", t, t);
    expect(clock.known).toBe(true);
  });
});

describe("dynamodb options", () => {
  const make = (options: Record<string, string | number | boolean>) =>
    create({ name: "ddb", timeoutMs: 1000, options });

  it("refuses a bad table name, half a key pair, and profile plus keys", async () => {
    await expect(make({ table: "a/b" })).rejects.toBeInstanceOf(ConfigError);
    await expect(make({ access_key_id: "x" })).rejects.toThrow(/must be set together/);
    await expect(
      make({ access_key_id: "x", secret_access_key: "y", profile: "p" }),
    ).rejects.toThrow(/not both/);
  });
});

describe("dynamodb table handling", () => {
  let server: DynaliteServer;
  beforeAll(async () => {
    server = await startDynalite();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("without create_table, a missing table is exit 3 with the create-table command, and doctor says so", async () => {
    const config = writeConfig(
      `dynamodb-notable-${process.pid}.ini`,
      `[default]\nbackend = dynamodb\n\n${server.ini("dynamodb", "table = missing-table\ncreate_table = false\n")}`,
    );
    const res = await runCli(["-c", config, "acquire", "r"]);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain("table missing-table does not exist");
    expect(res.stderr).toContain("aws dynamodb create-table --table-name missing-table");
    const doctor = await runCli(["-c", config, "doctor"]);
    expect(doctor.code).toBe(3);
    expect(doctor.stdout + doctor.stderr).toContain("create-table");
    expect(doctor.stdout + doctor.stderr).not.toContain("leasehold-test-secret");
  }, 60_000);

  it("creates the table on first use with create_table, and doctor reports its key", async () => {
    const config = writeConfig(
      `dynamodb-create-${process.pid}.ini`,
      `[default]\nbackend = dynamodb\n\n${server.ini("dynamodb", "table = made-on-demand\n")}`,
    );
    expect((await runCli(["-c", config, "acquire", "r"])).code).toBe(0);
    const doctor = await runCli(["-c", config, "doctor"]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain("table made-on-demand is ACTIVE, keyed on resource (HASH)");
  }, 60_000);

  it("refuses (exit 3) an item leasehold did not write, and leaves it alone", async () => {
    const r = uniqueName("foreign");
    const backend = await create({ name: "dynamodb", timeoutMs: 5000, options: server.options() });
    await backend.current("warm-up"); // creates the table
    const raw = new DynamoDBClient({
      endpoint: server.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    });
    try {
      await raw.send(
        new PutItemCommand({
          TableName: "leasehold",
          Item: { resource: { S: r }, owner: { S: "someone else" } },
        }),
      );
      await expect(backend.current(r)).rejects.toBeInstanceOf(BackendUnavailableError);
      await expect(backend.acquire(r, { principal: "a@b", ttlMs: 60_000 })).rejects.toThrow(
        /not a leasehold lease record/,
      );
    } finally {
      raw.destroy();
      await backend.close();
    }
  }, 30_000);

  it("keeps the fence increasing even when TTL housekeeping deletes a released item", async () => {
    const r = uniqueName("ttl-deleted");
    const backend = await create({ name: "dynamodb", timeoutMs: 5000, options: server.options() });
    const raw = new DynamoDBClient({
      endpoint: server.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    });
    try {
      const first = (await backend.acquire(r, { principal: "a@b", ttlMs: 60_000 })) as Lease;
      expect(isHeld(first)).toBe(false);
      expect(await backend.release(r, first.id)).toBe(true);
      await raw.send(
        new DeleteItemCommand({ TableName: "leasehold", Key: { resource: { S: r } } }),
      );
      await new Promise((done) => setTimeout(done, 5));
      const next = (await backend.acquire(r, { principal: "a@b", ttlMs: 60_000 })) as Lease;
      expect(isHeld(next)).toBe(false);
      expect(next.fence).toBeGreaterThan(first.fence);
    } finally {
      raw.destroy();
      await backend.close();
    }
  }, 30_000);
});
