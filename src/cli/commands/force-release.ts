import { createInterface } from "node:readline/promises";
import { defaultPrincipal } from "../../config/resolve.js";
import { UsageError } from "../../lease/errors.js";
import type { Lease } from "../../lease/lease.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { describeLease } from "../output.js";

export interface ForceReleaseArgs {
  readonly resource: string;
  readonly lease?: string | undefined;
  readonly yes?: boolean | undefined;
}

/**
 * `leasehold force-release`: breaks a live lease whoever holds it. Shows the holder first and
 * asks on a terminal; elsewhere it needs --yes. It only ever breaks the lease it showed (or the
 * one named by --lease), so a fresh holder who arrived meanwhile is never broken by mistake.
 */
export async function forceRelease(args: ForceReleaseArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  const holder = await lh.current(args.resource);
  if (!holder || (args.lease !== undefined && holder.id !== args.lease)) {
    ctx.out.notice(
      args.lease === undefined
        ? `${args.resource} is not held; nothing to break`
        : `${args.resource} is not held by lease ${args.lease}; nothing changed`,
    );
    return ExitCode.no;
  }
  ctx.out.notice(describeLease(holder));
  if (!args.yes) {
    const stdin = process.stdin;
    if (!stdin.isTTY || !ctx.out.humanStderr) {
      throw new UsageError(
        `refusing to break ${holder.principal}'s lease on ${args.resource} without confirmation`,
        {
          hint: "add --yes to break it from a script",
        },
      );
    }
    if (!(await confirm(`Break ${holder.principal}'s lease on ${args.resource}? [y/N] `))) {
      ctx.out.notice("left the lease as it is");
      return ExitCode.no;
    }
  }
  if (!(await lh.forceRelease(args.resource, { leaseId: holder.id }))) {
    ctx.out.notice(
      `${args.resource} changed hands or expired meanwhile; nothing was broken (see leasehold current ${args.resource})`,
    );
    return ExitCode.no;
  }
  ctx.out.notice(brokeMessage(holder, ctx.io.env));
  return ExitCode.ok;
}

function brokeMessage(holder: Lease, env: NodeJS.ProcessEnv): string {
  const reason = holder.reason ? ` (${JSON.stringify(holder.reason)})` : "";
  return `${defaultPrincipal(env)} broke ${holder.principal}'s lease on ${holder.resource}${reason}, fence ${holder.fence}; the next lease gets a higher fence`;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
