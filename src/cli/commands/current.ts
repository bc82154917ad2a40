import { leaseToJson } from "../../lease/lease.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { describeLease, isoSeconds } from "../output.js";

export interface CurrentArgs {
  readonly resource: string;
  readonly idOnly?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** `leasehold current`: `principal<TAB>created<TAB>lease id` (stormlock's format); 1 when free. */
export async function current(args: CurrentArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  const lease = await lh.current(args.resource);
  if (!lease) {
    ctx.out.notice(`${args.resource} is not held (backend ${lh.settings(args.resource).backend})`);
    return ExitCode.no;
  }
  if (args.json) ctx.out.json(leaseToJson(lease));
  else if (args.idOnly) ctx.out.result(lease.id);
  else ctx.out.result(`${lease.principal}\t${isoSeconds(lease.createdAt)}\t${lease.id}`);
  ctx.out.info(describeLease(lease));
  return ExitCode.ok;
}
