import type { DoctorCheck } from "../../backends/types.js";
import { describeOptions } from "../../config/backend-section.js";
import { formatDuration } from "../../config/duration.js";
import type { OpenedBackend } from "../../lease/backends.js";
import type { Leasehold } from "../../lease/client.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { renderTable } from "../table.js";

export interface DoctorArgs {
  readonly resource?: string | undefined;
}

const PROBE_ROUNDS = 5;

/**
 * `leasehold doctor [RESOURCE]`: the config file used and where each value came from (secrets
 * masked), the backend reached and its round-trip time, and the backend's own checks, each
 * failure with a fix. Exit 0 when healthy, 3 when not. Output is for people: stdout.
 */
export async function doctor(args: DoctorArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  // Collected first and printed at the end: a config error prints nothing on stdout.
  const lines: string[] = [];
  lines.push(`config file: ${lh.file.path ?? "none found (built-in defaults apply)"}`);
  let opened: OpenedBackend;
  if (args.resource !== undefined) {
    const s = lh.settings(args.resource);
    lines.push(`\nresource ${JSON.stringify(args.resource)}:`);
    lines.push(
      indent(
        renderTable(
          ["KEY", "VALUE", "FROM"],
          [
            ["ttl", formatDuration(s.ttlMs), s.origins.ttl],
            ["backend", s.backend, s.origins.backend],
            ["principal", s.principal, s.origins.principal],
          ],
        ),
      ),
    );
    opened = await lh.backendFor(args.resource);
  } else {
    opened = await lh.defaultBackend();
  }
  lines.push(`\nbackend ${opened.name} (type ${opened.type}):`);
  const rows = describeOptions(opened.ref, opened.specs, opened.options, lh.file, ctx.io.env).map(
    (o) => [o.name, o.value, o.origin],
  );
  lines.push(indent(renderTable(["OPTION", "VALUE", "FROM"], rows)));
  const checks = await runChecks(lh, opened, args.resource);
  lines.push("\nchecks:");
  for (const c of checks) {
    lines.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
    if (!c.ok && c.fix) lines.push(`       fix: ${c.fix}`);
  }
  const healthy = checks.every((c) => c.ok);
  lines.push(healthy ? "\nhealthy" : "\nNOT healthy");
  ctx.out.result(lines.join("\n"));
  return healthy ? ExitCode.ok : ExitCode.backend;
}

async function runChecks(
  lh: Leasehold,
  opened: OpenedBackend,
  resource: string | undefined,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [await probe(opened, resource ?? "leasehold-doctor-probe")];
  // The backend's own checks run even when the probe failed: they say why (a missing table…).
  if (opened.backend.doctor) {
    try {
      checks.push(...(await opened.backend.doctor()));
    } catch (e) {
      checks.push({
        name: "backend checks",
        ok: false,
        detail: (e as Error).message,
        fix: hintOf(e) ?? "see the message",
      });
    }
  }
  if (resource !== undefined && checks[0]!.ok) {
    const holder = await lh.current(resource);
    checks.push({
      name: "resource",
      ok: true,
      detail: holder ? `held by ${holder.principal}, fence ${holder.fence}` : "free",
    });
  }
  return checks;
}

/** Reads the probe resource a few times: reachability and the round-trip time. */
async function probe(opened: OpenedBackend, name: string): Promise<DoctorCheck> {
  const times: number[] = [];
  try {
    for (let i = 0; i < PROBE_ROUNDS; i++) {
      const t0 = performance.now();
      await opened.backend.current(name);
      times.push(performance.now() - t0);
    }
  } catch (e) {
    return {
      name: "reachable",
      ok: false,
      detail: (e as Error).message,
      fix: hintOf(e) ?? `check [backend.${opened.name}]`,
    };
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!.toFixed(2);
  return {
    name: "reachable",
    ok: true,
    detail: `round trip ${median} ms (median of ${PROBE_ROUNDS} reads; first ${times[0]!.toFixed(2)} ms)`,
  };
}

function hintOf(e: unknown): string | undefined {
  return (e as { hint?: string }).hint;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
