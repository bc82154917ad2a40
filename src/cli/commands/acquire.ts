import { formatDuration } from "../../config/duration.js";
import { LeaseHeldError } from "../../lease/errors.js";
import { leaseToJson } from "../../lease/lease.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { describeLease } from "../output.js";
import { waitOption } from "../wait-option.js";
import { WaitStatus } from "../wait-status.js";

export interface AcquireArgs {
  readonly resource: string;
  readonly ttl?: string | undefined;
  readonly wait?: string | undefined;
  readonly principal?: string | undefined;
  readonly reason?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `leasehold acquire`: prints the lease id alone on stdout, or nothing when it fails. */
export async function acquire(args: AcquireArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  const status = new WaitStatus(ctx.out, args.resource);
  try {
    const lease = await lh.acquire(args.resource, {
      ttl: args.ttl,
      principal: args.principal,
      reason: args.reason,
      wait: waitOption(args.wait),
      signal: ctx.signal,
      onWaiting: (holder) => status.update(holder),
    });
    status.clear();
    if (args.json) ctx.out.json(leaseToJson(lease));
    else ctx.out.result(lease.id);
    ctx.out.info(
      `acquired ${lease.resource} (fence ${lease.fence}), expires in ${formatDuration(lease.remainingMs)}`,
    );
    return ExitCode.ok;
  } catch (e) {
    status.clear();
    if (e instanceof LeaseHeldError && e.holder) {
      ctx.out.notice(
        `${describeLease(e.holder)} on backend ${lh.settings(args.resource).backend}${args.wait !== undefined ? "; gave up waiting" : ""}`,
      );
      ctx.out.hint(
        args.wait !== undefined
          ? "wait longer with a larger --wait"
          : "retry with --wait 5m to wait for it",
      );
      return ExitCode.no;
    }
    throw e;
  }
}
