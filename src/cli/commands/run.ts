import { formatDuration } from "../../config/duration.js";
import { AbortedError, LeaseHeldError } from "../../lease/errors.js";
import { LeaseKeeper } from "../../lease/keeper.js";
import type { Lease } from "../../lease/lease.js";
import { GroupChild, SpawnFailure, shellStatus } from "../child.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { isoSeconds } from "../output.js";
import { heldNotice, type TakeArgs, takeLease } from "../take.js";

export interface RunArgs extends TakeArgs {
  readonly command: readonly string[];
  readonly conflictExitCode?: number | undefined;
}

/** Exit statuses of `run` besides the child's own. */
export const RunExit = { lost: 124, failedBeforeChild: 125 } as const;

const DEFAULT_KILL_GRACE_MS = 10_000;

/**
 * `leasehold run`: holds the lease while COMMAND runs, renewing every ttl/3. If the lease is
 * lost, the command's process group gets SIGTERM at the deadline and SIGKILL after kill_grace,
 * and run exits 124. Otherwise it exits with the command's status.
 */
export async function run(args: RunArgs, ctx: CommandContext): Promise<number> {
  const lease = await acquireForRun(args, ctx);
  if (typeof lease === "number") return lease;
  const lh = await ctx.open();
  const settings = lh.settings(args.resource, { ttl: args.ttl });
  const keeper = new LeaseKeeper(
    { renew: (r, id, ttlMs) => lh.renew(r, id, { ttl: ttlMs }) },
    lease,
    {
      ttlMs: settings.ttlMs,
      renewEveryMs: settings.renewEveryMs,
      onRetry: (e) =>
        ctx.out.notice(`renewing ${args.resource} failed, retrying: ${(e as Error).message}`),
    },
  );
  let child: GroupChild;
  ctx.claimSignals();
  try {
    child = await GroupChild.start(
      args.command[0]!,
      args.command.slice(1),
      childEnv(ctx.io.env, lease),
    );
  } catch (e) {
    keeper.stop();
    await releaseQuietly(ctx, args.resource, lease.id);
    if (e instanceof SpawnFailure) {
      ctx.out.notice(e.message);
      return e.status;
    }
    throw e;
  }
  const lost = new Promise<"lost">((resolve) =>
    keeper.signal.addEventListener("abort", () => resolve("lost"), { once: true }),
  );
  const outcome = await Promise.race([child.ended, lost]);
  if (outcome === "lost") {
    const grace = settings.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    const why =
      keeper.signal.reason === "not-held"
        ? "it was broken or taken over"
        : "renewals failed and it is about to expire";
    ctx.out.notice(
      `lost the lease on ${args.resource} (${why}); stopping the command (SIGTERM, SIGKILL after ${formatDuration(grace)})`,
    );
    await child.stopGroup(grace);
    return RunExit.lost;
  }
  keeper.stop();
  await releaseQuietly(ctx, args.resource, keeper.lease.id);
  return shellStatus(outcome);
}

async function acquireForRun(args: RunArgs, ctx: CommandContext): Promise<Lease | number> {
  try {
    return await takeLease(args, ctx);
  } catch (e) {
    if (e instanceof AbortedError) return ExitCode.interrupted;
    if (e instanceof LeaseHeldError && e.holder) {
      ctx.out.notice(`${await heldNotice(e.holder, args, ctx)}; not running the command`);
      return args.conflictExitCode ?? RunExit.failedBeforeChild;
    }
    ctx.out.error(e, false);
    ctx.out.notice("the command was not started");
    return RunExit.failedBeforeChild;
  }
}

function childEnv(env: NodeJS.ProcessEnv, lease: Lease): NodeJS.ProcessEnv {
  return {
    ...env,
    LEASEHOLD_RESOURCE: lease.resource,
    LEASEHOLD_LEASE_ID: lease.id,
    LEASEHOLD_FENCE: String(lease.fence),
    LEASEHOLD_EXPIRES_AT: isoSeconds(lease.expiresAt),
  };
}

async function releaseQuietly(ctx: CommandContext, resource: string, id: string): Promise<void> {
  try {
    const lh = await ctx.open();
    await lh.release(resource, id);
  } catch (e) {
    ctx.out.notice(
      `could not release ${resource} (it will expire on its own): ${(e as Error).message}`,
    );
  }
}
