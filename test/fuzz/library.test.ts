import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../src/config/duration.js";
import { Leasehold } from "../../src/lease/client.js";
import { InvalidDurationError, LeaseholdError, UsageError } from "../../src/lease/errors.js";
import { isHeld, type Lease, validateResource } from "../../src/lease/lease.js";
import { tally } from "./tally.js";

// Library-level properties on sqlite: in-process, so they afford hundreds of cases each.
const RUNS = Number(process.env.LEASEHOLD_FUZZ_RUNS ?? 200);

/** Any string, biased towards what breaks encoders: separators, escapes, NUL, lone surrogates. */
const nasty = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      "/",
      "%",
      "2F",
      ".",
      "..",
      "\\",
      ":",
      "*",
      "?",
      "\0",
      " ",
      "\n",
      "\uD800",
      "é",
      "e\u0301",
      "'",
      '"',
      "$",
      "{",
      "}",
    ),
    maxLength: 20,
  }),
  fc.string({ unit: fc.constantFrom("a", "é", "😀"), minLength: 120, maxLength: 200 }),
);

function isValidName(name: string): boolean {
  try {
    validateResource(name);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return false;
  }
}

function sameLease(a: Lease | undefined, b: Lease | undefined): void {
  expect(a?.id).toBe(b?.id);
  expect(a?.fence).toBe(b?.fence);
  expect(a?.expiresAt.getTime()).toBe(b?.expiresAt.getTime());
  expect(a?.principal).toBe(b?.principal);
}

describe("fuzz: library on sqlite", () => {
  let dir: string;
  let lh: Leasehold;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leasehold-fuzz-lib-"));
    const config = join(dir, "config.ini");
    writeFileSync(config, `[backend.sqlite]\npath = ${join(dir, "leases.db")}\n`);
    lh = await Leasehold.open({ config, env: { HOME: dir } });
  });
  afterAll(async () => {
    await lh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resource names: each distinct valid name is its own resource; invalid ones are refused with a usage error", async () => {
    const t = tally("library resource names");
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(nasty, { minLength: 2, maxLength: 6 }), async (names) => {
        const valid = names.filter(isValidName);
        for (const name of names.filter((n) => !valid.includes(n))) {
          await expect(lh.tryAcquire(name, { ttl: "1m" })).rejects.toBeInstanceOf(UsageError);
          t.refused++;
        }
        const got = [];
        for (const name of valid) {
          const r = await lh.tryAcquire(name, { ttl: "1m" });
          // Every name is new to this property run: a "held" answer would mean two names collided.
          expect(isHeld(r)).toBe(false);
          got.push(r as Lease);
          t.accepted++;
        }
        for (const [i, name] of valid.entries()) {
          const now = await lh.current(name);
          expect(now?.resource).toBe(name);
          expect(now?.id).toBe(got[i]!.id);
          expect(await lh.release(name, got[i]!.id)).toBe(true);
          // A release frees only its own resource: every other lease of this batch is intact.
          for (const other of got.slice(i + 1))
            expect(await lh.isHeld(other.resource, other.id)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    t.print();
  });

  it("TTL strings: parse to a positive whole number of ms, or fail with InvalidDurationError and nothing else", () => {
    const t = tally("TTL strings (parser)");
    const units = fc.constantFrom(
      "",
      "ms",
      "s",
      "m",
      "h",
      "d",
      " minutes",
      " hour",
      "days",
      "w",
      "y",
      "PT",
      "H",
      "M",
      "S",
      "P",
    );
    const pieces = fc.oneof(
      fc.integer({ min: -5, max: 10 ** 7 }).map(String),
      units,
      fc.constantFrom(" ", ".", "-", "1e309", "NaN", "Infinity", "0x10"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 6 }).map((p) => p.join("")),
        (text) => {
          try {
            const ms = parseDuration(text);
            expect(Number.isSafeInteger(ms) && ms >= 1).toBe(true);
            t.accepted++;
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidDurationError);
            expect((e as Error).message.length).toBeGreaterThan(0);
            t.refused++;
          }
        },
      ),
      { numRuns: RUNS * 10 },
    );
    t.print();
  });

  it("well-formed principals and reasons are stored exactly as given, or refused before anything is written", async () => {
    const t = tally("principals and reasons (well-formed text)");
    const text = nasty.filter((s) => s.isWellFormed() && !s.includes("\0"));
    await fc.assert(
      fc.asyncProperty(text, text, async (principal, reason) => {
        const stored = await acquireWith(principal, reason);
        if (stored === "refused") {
          t.refused++;
          return;
        }
        t.accepted++;
        expect(stored.principal).toBe(principal);
        expect(stored.reason ?? "").toBe(reason);
      }),
      { numRuns: RUNS },
    );
    t.print();
  });

  // Resource names are checked for NUL and well-formed UTF-16; principals and reasons are not
  // (reported to the lead): sqlite stores a lone surrogate as U+FFFD. Until they are validated,
  // this holds the line that matters: no crash, no stray lease, and what is stored can be released.
  it("principals and reasons with NUL or lone surrogates never crash and leave nothing stray", async () => {
    const t = tally("principals and reasons (NUL, lone surrogates)");
    const broken = fc
      .tuple(nasty, fc.constantFrom("\0", "\uD800", "\uDFFF", "a\uD83D"), nasty)
      .map(([a, b, c]) => a + b + c);
    await fc.assert(
      fc.asyncProperty(fc.oneof(broken, nasty), broken, async (principal, reason) => {
        const stored = await acquireWith(principal, reason);
        if (stored === "refused") t.refused++;
        else if (stored.principal === principal && (stored.reason ?? "") === reason) t.accepted++;
        else t.bump("stored altered");
      }),
      { numRuns: RUNS / 2 },
    );
    t.print();
  });

  /** Acquires a fresh resource as `principal`, reads it back, releases it. */
  async function acquireWith(principal: string, reason: string): Promise<Lease | "refused"> {
    const resource = `fuzz-principal-${Math.random()}`;
    let lease: Lease;
    try {
      lease = (await lh.tryAcquire(resource, { ttl: "1m", principal, reason })) as Lease;
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect(await lh.current(resource)).toBeUndefined();
      return "refused";
    }
    const now = await lh.current(resource);
    expect(now?.id).toBe(lease.id);
    expect(await lh.release(resource, lease.id)).toBe(true);
    expect(await lh.current(resource)).toBeUndefined();
    return now!;
  }

  it("refused and wrong-id calls leave a held lease exactly as it was", async () => {
    const t = tally("refused calls against a held lease");
    const resource = "fuzz-guarded";
    const held = (await lh.tryAcquire(resource, { ttl: "10m" })) as Lease;
    const call = fc.oneof(
      fc.record({ op: fc.constant("release"), id: nasty, ttl: fc.constant("") }),
      fc.record({ op: fc.constant("renew"), id: nasty, ttl: fc.oneof(nasty, fc.constant("5m")) }),
      fc.record({
        op: fc.constant("renew-bad-ttl"),
        id: fc.constant(held.id),
        ttl: fc.constantFrom("0", "-1s", "", "soon", "1e400", "999999999 days"),
      }),
      fc.record({ op: fc.constant("force"), id: nasty, ttl: fc.constant("") }),
      fc.record({
        op: fc.constant("acquire"),
        id: fc.constant(""),
        ttl: fc.oneof(nasty, fc.constant("5m")),
      }),
    );
    await fc.assert(
      fc.asyncProperty(call, async ({ op, id, ttl }) => {
        fc.pre(id !== held.id || op === "renew-bad-ttl");
        const before = await lh.current(resource);
        let outcome: unknown;
        try {
          if (op === "release") outcome = await lh.release(resource, id);
          else if (op === "renew" || op === "renew-bad-ttl")
            outcome = await lh.renew(resource, id, { ttl });
          else if (op === "force") outcome = await lh.forceRelease(resource, { leaseId: id });
          else outcome = isHeld(await lh.tryAcquire(resource, { ttl })) ? false : "acquired";
        } catch (e) {
          expect(e).toBeInstanceOf(LeaseholdError);
          expect(e).toBeInstanceOf(UsageError);
          outcome = "refused";
        }
        expect(["refused", false, undefined]).toContain(outcome);
        if (outcome === "refused") t.refused++;
        else t.bump("answered no");
        sameLease(await lh.current(resource), before);
        expect(await lh.isHeld(resource, held.id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    t.print();
  });
});
