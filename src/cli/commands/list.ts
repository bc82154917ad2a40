import { formatDuration } from "../../config/duration.js";
import { type Lease, leaseToJson } from "../../lease/lease.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { isoSeconds } from "../output.js";
import { renderTable } from "../table.js";

export interface ListArgs {
  readonly prefix?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `leasehold list`: live leases on the default backend (or --backend), sorted by resource.
 * An aligned table on a terminal, tab-separated lines with ISO times in a pipe, one JSON array
 * with --json. Exit 0 even when there are none.
 */
export async function list(args: ListArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  const { backend } = await lh.defaultBackend();
  const leases: Lease[] = [];
  for await (const lease of backend.list(args.prefix ?? "")) leases.push(lease);
  leases.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  if (args.json) {
    ctx.out.json(leases.map(leaseToJson));
  } else if (ctx.out.humanStdout) {
    if (leases.length === 0)
      ctx.out.info(args.prefix ? `no leases under ${JSON.stringify(args.prefix)}` : "no leases");
    else {
      const [header, ...rows] = humanTable(leases).split("\n");
      ctx.out.result([ctx.out.paint("stdout", "bold", header!), ...rows].join("\n"));
    }
  } else {
    // One write: 10,000 small writes to a pipe cost more than building the text.
    const lines = leases.map((l) =>
      [
        l.resource,
        l.principal,
        isoSeconds(l.createdAt),
        isoSeconds(l.expiresAt),
        String(l.fence),
        l.reason ?? "",
      ]
        .map(escapeField)
        .join("\t"),
    );
    if (lines.length > 0) ctx.out.result(lines.join("\n"));
  }
  return ExitCode.ok;
}

function humanTable(leases: readonly Lease[]): string {
  const rows = leases.map((l) => [
    printable(l.resource),
    printable(l.principal),
    printable(l.reason ?? ""),
    formatDuration(l.expiresAt.getTime() - l.createdAt.getTime() - l.remainingMs),
    formatDuration(l.remainingMs),
    String(l.fence),
  ]);
  return renderTable(
    ["RESOURCE", "PRINCIPAL", "REASON", "HELD FOR", "EXPIRES IN", "FENCE"],
    rows,
    [5],
  );
}

/** Tabs, newlines and backslashes escaped, so one lease is always one line of fields. */
function escapeField(s: string): string {
  return s.replace(
    /[\\\t\n\r]/g,
    (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!,
  );
}

function printable(s: string): string {
  return s.replace(
    /[\x00-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
