import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

export interface IsHeldArgs {
  readonly resource: string;
  readonly leaseId: string;
}

/** `leasehold is-held`: silent; 0 when the id holds the resource now, 1 when not. */
export async function isHeld(args: IsHeldArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  return (await lh.isHeld(args.resource, args.leaseId)) ? ExitCode.ok : ExitCode.no;
}
