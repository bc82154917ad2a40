import { formatDuration } from "../../config/duration.js";
import { leaseToJson } from "../../lease/lease.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { isoSeconds } from "../output.js";

export interface RenewArgs {
  readonly resource: string;
  readonly leaseId: string;
  readonly ttl?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `leasehold renew`: sets the lease to expire a TTL from now; 1 when the id no longer holds it. */
export async function renew(args: RenewArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  const lease = await lh.renew(args.resource, args.leaseId, { ttl: args.ttl });
  if (!lease) {
    ctx.out.notice(
      `${args.resource} is not held by lease ${args.leaseId} on backend ${lh.settings(args.resource).backend} (wrong id, released, or expired); acquire it again`,
    );
    return ExitCode.no;
  }
  if (args.json) ctx.out.json(leaseToJson(lease));
  ctx.out.info(
    `renewed ${args.resource}: expires in ${formatDuration(lease.remainingMs)} (${isoSeconds(lease.expiresAt)})`,
  );
  return ExitCode.ok;
}
