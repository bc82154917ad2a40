import type { Lease } from "../lease/lease.js";
import type { CommandContext } from "./context.js";
import { describeLease } from "./output.js";
import { waitOption } from "./wait-option.js";
import { WaitStatus } from "./wait-status.js";

/** The flags of every command that takes a lease (acquire, run). */
export interface TakeArgs {
  readonly resource: string;
  readonly ttl?: string | undefined;
  readonly wait?: string | undefined;
  readonly principal?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * Acquires for a command, waiting if `--wait` says so, with the live status line on a terminal.
 * @throws what Leasehold.acquire throws (LeaseHeldError, AbortedError, …).
 */
export async function takeLease(args: TakeArgs, ctx: CommandContext): Promise<Lease> {
  const lh = await ctx.open();
  const status = new WaitStatus(ctx.out, args.resource);
  try {
    return await lh.acquire(args.resource, {
      ttl: args.ttl,
      principal: args.principal,
      reason: args.reason,
      wait: waitOption(args.wait),
      signal: ctx.signal,
      onWaiting: (holder) => status.update(holder),
    });
  } finally {
    status.clear();
  }
}

/** The one-line stderr notice about who holds a resource a command could not take. */
export async function heldNotice(
  holder: Lease,
  args: TakeArgs,
  ctx: CommandContext,
): Promise<string> {
  const backend = (await ctx.open()).settings(args.resource).backend;
  return `${describeLease(holder)} on backend ${backend}${args.wait !== undefined ? "; gave up waiting" : ""}`;
}
