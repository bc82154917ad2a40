import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

export interface ReleaseArgs {
  readonly resource: string;
  readonly leaseId: string;
}

/** `leasehold release`: 0 when released, 1 when that id does not hold the resource. */
export async function release(args: ReleaseArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  if (await lh.release(args.resource, args.leaseId)) {
    ctx.out.info(`released ${args.resource}`);
    return ExitCode.ok;
  }
  ctx.out.notice(
    `${args.resource} is not held by lease ${args.leaseId} on backend ${lh.settings(args.resource).backend} (wrong id, already released, or expired); nothing changed`,
  );
  return ExitCode.no;
}
