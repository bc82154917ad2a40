import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { expect } from "vitest";
import { Leasehold } from "../../src/lease/client.js";
import type { Lease } from "../../src/lease/lease.js";
import { type CliResult, runCli } from "../support/cli.js";

/** CLI properties spawn Node per case: a few dozen each keeps the file near a minute. */
export const CLI_RUNS = Number(process.env.LEASEHOLD_FUZZ_CLI_RUNS ?? 30);

/** DESIGN.md's exit statuses for every command but `run`. */
export const EXIT_CODES = [0, 1, 2, 3];

/**
 * The invariant every CLI call keeps, whatever its input: a documented exit status (never 70 or
 * a signal), nothing on stdout when it failed, a message on stderr when it failed, and no stack
 * trace anywhere.
 */
export function expectCleanOutcome(
  res: CliResult,
  args: readonly string[],
  opts: { partialReportAllowed?: boolean } = {},
): void {
  const where = `leasehold ${JSON.stringify(args)} → ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`;
  expect(res.signal, where).toBeNull();
  expect(EXIT_CODES, where).toContain(res.code);
  if (res.code !== 0) {
    if (!opts.partialReportAllowed) expect(res.stdout, where).toBe("");
    expect(res.stderr.trim().length, where).toBeGreaterThan(0);
  }
  expect(`${res.stdout}\n${res.stderr}`, where).not.toMatch(/\n\s+at |node:internal|\.js:\d+:\d+/);
}

/** Printable text that breaks naive parsers: quotes, separators, escapes, unicode, newlines. */
export const awkward = fc
  .oneof(
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.string({
      unit: fc.constantFrom(
        "a",
        "-",
        "=",
        " ",
        "\t",
        "\n",
        "/",
        "%",
        ";",
        "#",
        "[",
        "]",
        '"',
        "'",
        "$",
        "{",
        "}",
        "\\",
        "é",
        "😀",
        "\u001b",
      ),
      maxLength: 20,
    }),
  )
  .filter((s) => !s.includes("\0") && s.isWellFormed());

/** A sandbox with a sqlite config and one lease that refused calls must leave alone. */
export interface Sandbox {
  readonly dir: string;
  readonly config: string;
  readonly env: NodeJS.ProcessEnv;
  readonly lh: Leasehold;
  readonly guarded: Lease;
  /** Asserts the guarded lease is exactly as it was. */
  expectGuardedIntact(context: string): Promise<void>;
  destroy(): Promise<void>;
}

export async function makeSandbox(label: string): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), `leasehold-fuzz-${label}-`));
  const config = join(dir, "config.ini");
  writeFileSync(config, `[backend.sqlite]\npath = ${join(dir, "leases.db")}\n`);
  const lh = await Leasehold.open({ config, env: { HOME: dir } });
  const guarded = (await lh.tryAcquire("guarded", {
    ttl: "1h",
    principal: "keeper@fuzz",
  })) as Lease;
  return {
    dir,
    config,
    env: { LEASEHOLD_CONFIG: config },
    lh,
    guarded,
    async expectGuardedIntact(context) {
      const now = await lh.current("guarded");
      expect(now?.id, context).toBe(guarded.id);
      expect(now?.fence, context).toBe(guarded.fence);
      expect(now?.expiresAt.getTime(), context).toBe(guarded.expiresAt.getTime());
    },
    async destroy() {
      await lh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { runCli };
