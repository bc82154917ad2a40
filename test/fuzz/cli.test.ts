import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../src/config/duration.js";
import { validateResource } from "../../src/lease/lease.js";
import {
  awkward,
  CLI_RUNS,
  expectCleanOutcome,
  makeSandbox,
  runCli,
  type Sandbox,
} from "./cli-support.js";
import { tally } from "./tally.js";

// Properties through the built CLI (dist/bundle/leasehold.js): each case spawns Node, so few runs each.
describe("fuzz: the CLI", () => {
  let box: Sandbox;
  let n = 0;
  const fresh = () => `fuzz-cli-${process.pid}-${n++}`;
  beforeAll(async () => {
    box = await makeSandbox("cli");
  });
  afterAll(() => box?.destroy());

  it("random argument vectors: documented exit status, clean stdout/stderr, the held lease untouched", async () => {
    const t = tally("CLI argument vectors");
    const token = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          "acquire",
          "release",
          "renew",
          "current",
          "is-held",
          "list",
          "force-release",
          "doctor",
          "help",
        ),
      },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          "--ttl",
          "--json",
          "--id-only",
          "--principal",
          "--reason",
          "--lease",
          "--quiet",
          "-q",
          "--help",
          "--version",
          "--backend",
          "--timeout",
          "--wait=1s",
          "--",
          "-",
          "-x",
          "--no-such-flag",
          "--ttl=",
          "-c",
          "--config=/nonexistent.ini",
        ),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          "guarded",
          "other",
          "1s",
          "0",
          "-1s",
          "soon",
          "PT1S",
          "1e9",
          "nosuch",
          "x".repeat(600),
        ),
      },
      { weight: 3, arbitrary: awkward },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 7 }), async (args) => {
        const res = await runCli(args, { env: box.env });
        expectCleanOutcome(res, args);
        t.bump(`exit ${res.code}`);
        await box.expectGuardedIntact(JSON.stringify(args));
      }),
      { numRuns: CLI_RUNS },
    );
    t.print();
  }, 240_000);

  it("resource names: acquire succeeds exactly for valid names, and current finds that lease", async () => {
    const t = tally("CLI resource names");
    // Names beginning with "-" are flags to the parser (reported: not even `--` lets them through).
    const name = fc.oneof(
      awkward,
      fc.string({ unit: fc.constantFrom("a", "é", "😀"), minLength: 125, maxLength: 140 }),
    );
    await fc.assert(
      fc.asyncProperty(
        name.filter((s) => !s.startsWith("-")),
        async (raw) => {
          const resource = `${raw}${n++}`;
          let valid = true;
          try {
            validateResource(resource);
          } catch {
            valid = false;
          }
          const res = await runCli(["acquire", resource], { env: box.env });
          expectCleanOutcome(res, [resource]);
          expect(res.code).toBe(valid ? 0 : 2);
          if (!valid) {
            t.refused++;
            return;
          }
          t.accepted++;
          const cur = await runCli(["current", "--id-only", resource], { env: box.env });
          expect(cur.stdout.trim()).toBe(res.stdout.trim());
          expect((await box.lh.current(resource))?.resource).toBe(resource);
        },
      ),
      { numRuns: CLI_RUNS },
    );
    t.print();
  }, 240_000);

  it("TTL strings: accepted exactly when the parser accepts them, else exit 2 with nothing taken", async () => {
    const t = tally("CLI TTL strings");
    const ttl = fc.oneof(
      awkward,
      fc.constantFrom(
        "90",
        "90s",
        "500ms",
        "30 minutes",
        "1 day",
        "1h30m",
        "PT1H",
        "0",
        "-5m",
        "1.5h",
        "PT",
        "1 fortnight",
        "1e3",
        "99999999999 days",
      ),
    );
    await fc.assert(
      fc.asyncProperty(ttl, async (text) => {
        let ok = true;
        try {
          parseDuration(text);
        } catch {
          ok = false;
        }
        const resource = fresh();
        const args = ["acquire", `--ttl=${text}`, resource];
        const res = await runCli(args, { env: box.env });
        expectCleanOutcome(res, args);
        expect(res.code).toBe(ok ? 0 : 2);
        if (ok) t.accepted++;
        else {
          t.refused++;
          expect(await box.lh.current(resource)).toBeUndefined();
        }
      }),
      { numRuns: CLI_RUNS },
    );
    t.print();
  }, 240_000);

  it("principals and reasons come back exactly through --json, or are refused with exit 2", async () => {
    const t = tally("CLI principals and reasons");
    await fc.assert(
      fc.asyncProperty(awkward, awkward, async (principal, reason) => {
        const resource = fresh();
        const args = [
          "acquire",
          "--json",
          `--principal=${principal}`,
          `--reason=${reason}`,
          resource,
        ];
        const res = await runCli(args, { env: box.env });
        expectCleanOutcome(res, args);
        expect([0, 2]).toContain(res.code);
        if (res.code === 2) {
          t.refused++;
          expect(await box.lh.current(resource)).toBeUndefined();
          return;
        }
        t.accepted++;
        const out = JSON.parse(res.stdout) as { principal: string; reason: string | null };
        expect(out.principal).toBe(principal);
        expect(out.reason ?? "").toBe(reason);
      }),
      { numRuns: CLI_RUNS },
    );
    t.print();
  }, 240_000);
});
