import { LeaseHeldError } from "../../lease/errors.js";
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
  } catch (e) {
    // The library's hint names acquire's --wait; this command's limit is --timeout.
    if (e instanceof LeaseHeldError)
      throw new LeaseHeldError(e.message, e.holder, {
        hint: "wait longer with a larger --timeout",
      });
    throw e;
  } finally {
    status.clear();
  }
  ctx.out.info(`${args.resource} is free`);
  return ExitCode.ok;
}
