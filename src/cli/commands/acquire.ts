import { formatDuration } from "../../config/duration.js";
import { LeaseHeldError } from "../../lease/errors.js";
import { leaseToJson } from "../../lease/lease.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { heldNotice, type TakeArgs, takeLease } from "../take.js";

export interface AcquireArgs extends TakeArgs {
  readonly json?: boolean | undefined;
}

/** `leasehold acquire`: prints the lease id alone on stdout, or nothing when it fails. */
export async function acquire(args: AcquireArgs, ctx: CommandContext): Promise<number> {
  try {
    const lease = await takeLease(args, ctx);
    if (args.json) ctx.out.json(leaseToJson(lease));
    else ctx.out.result(lease.id);
    ctx.out.info(
      `acquired ${lease.resource} (fence ${lease.fence}), expires in ${formatDuration(lease.remainingMs)}`,
    );
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof LeaseHeldError && e.holder) {
      ctx.out.notice(await heldNotice(e.holder, args, ctx));
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
