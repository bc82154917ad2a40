import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { WaitStatus } from "../wait-status.js";

export interface WaitArgs {
  readonly resource: string;
  readonly timeout?: string | undefined;
}

/** `leasehold wait`: blocks until the resource is free and takes nothing; 1 on timeout. */
export async function wait(args: WaitArgs, ctx: CommandContext): Promise<number> {
  const lh = await ctx.open();
  const status = new WaitStatus(ctx.out, args.resource);
  try {
    await lh.waitUntilFree(args.resource, {
      timeout: args.timeout,
      signal: ctx.signal,
      onWaiting: (holder) => status.update(holder),
    });
  } finally {
    status.clear();
  }
  ctx.out.info(`${args.resource} is free`);
  return ExitCode.ok;
}
