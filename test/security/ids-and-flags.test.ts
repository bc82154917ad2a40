import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { newLeaseId } from "../../src/lease/lease.js";
import { runCli, writeConfig } from "../support/cli.js";

const SRC = resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("lease ids", () => {
  it("are 24 URL-safe characters (144 bits) from node:crypto, and the only random source for ids", () => {
    const lease = readFileSync(join(SRC, "lease/lease.ts"), "utf8");
    expect(lease).toMatch(/import \{[^}]*\brandomBytes\b[^}]*\} from "node:crypto"/);
    expect(lease).toMatch(/randomBytes\(18\)\.toString\("base64url"\)/);
    // Every backend takes its ids from newLeaseId; nothing uses Math.random but the jitter of
    // poll.ts's sleeps.
    for (const kind of ["sqlite", "redis", "postgres", "etcd", "s3"]) {
      const texts = sourceFiles(join(SRC, "backends", kind)).map((f) => readFileSync(f, "utf8"));
      expect(
        texts.some((t) => /\bnewLeaseId\(\)/.test(t)),
        kind,
      ).toBe(true);
    }
    const weak = sourceFiles(SRC).filter(
      (f) => /Math\.random/.test(readFileSync(f, "utf8")) && !f.endsWith("backends/poll.ts"),
    );
    expect(weak).toEqual([]);
  });

  it("20 000 ids: all distinct, URL-safe, never starting with '-', every bit position about half set", () => {
    const n = 20_000;
    const ids = Array.from({ length: n }, newLeaseId);
    expect(new Set(ids).size).toBe(n);
    const ones = new Array<number>(144).fill(0);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{23}$/);
      const bytes = Buffer.from(id, "base64url");
      expect(bytes.length).toBe(18);
      for (let bit = 0; bit < 144; bit++) ones[bit]! += (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1;
    }
    // Refusing a leading '-' (1 id in 64 is redrawn) biases the first character slightly; every
    // other bit is a fair coin. 45–55 % is over ten standard deviations wide at this n.
    for (let bit = 6; bit < 144; bit++) {
      expect(ones[bit]! / n, `bit ${bit}`).toBeGreaterThan(0.45);
      expect(ones[bit]! / n, `bit ${bit}`).toBeLessThan(0.55);
    }
    console.log(
      `SECURITY lease ids: ${n} drawn, 0 repeats, 144 bits each (>= 128 required), ~143.98 bits of entropy after the '-' rule`,
    );
  });
});

describe("credentials only from config or environment", () => {
  const COMMANDS = [
    "acquire r",
    "release r id",
    "renew r id",
    "current r",
    "is-held r id",
    "run r -- true",
    "wait r",
    "list",
    "force-release r",
    "doctor",
  ];

  it("refuses --password, --secret, --token and key flags on every command (exit 2, or 125 for run)", async () => {
    const flags = [
      "--password=x",
      "--secret=x",
      "--token=x",
      "--secret-access-key=x",
      "--access-key-id=x",
      "--url=redis://u:x@h",
    ];
    const cases = COMMANDS.flatMap((c) => flags.map((f) => [f, ...c.split(" ")]));
    const results = await Promise.all(cases.map((args) => runCli(args)));
    for (const [i, res] of results.entries()) {
      const args = cases[i]!;
      expect(res.code, `${args.join(" ")}: ${res.stderr}`).toBe(args[1] === "run" ? 125 : 2);
      expect(res.stderr).toMatch(/Unknown argument/i);
      expect(res.stdout).toBe("");
    }
    console.log(
      `SECURITY credential flags: ${cases.length} command lines with --password/--secret/--token/key flags, all refused`,
    );
  }, 240_000);

  it("no command's --help offers a credential flag", async () => {
    const helps = await Promise.all(COMMANDS.map((c) => runCli([c.split(" ")[0]!, "--help"])));
    for (const res of helps) {
      expect(res.code).toBe(0);
      expect(res.stdout).not.toMatch(/--(password|secret|token|access-key|credentials?|key)\b/i);
    }
  }, 240_000);
});

describe("SQL identifiers", () => {
  it("postgres refuses a schema or table that is not a plain identifier, before connecting (exit 2)", async () => {
    for (const [key, value] of [
      ["table", 'leases"; DROP TABLE x; --'],
      ["schema", "public.other"],
      ["table", "a b"],
    ] as const) {
      const config = writeConfig(
        `sql-ident-${key}.ini`,
        `[default]\nbackend = postgres\n[backend.postgres]\nurl = postgres://u@127.0.0.1:1/db\n${key} = ${value}\n`,
      );
      const res = await runCli(["-c", config, "current", "r"]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(key);
    }
  }, 120_000);
});
