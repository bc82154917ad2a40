import { LeaseHeldError, LeaseLostError, UsageError } from "./errors.js";
import type { LossReason } from "./keeper.js";
import { type Lease, MAX_LEASE_ID_LENGTH } from "./lease.js";

/** Refuses lease ids no backend could have issued (empty, control characters, too long). */
export function validateLeaseId(id: string): void {
  if (
    typeof id !== "string" ||
    id.trim() === "" ||
    id.length > MAX_LEASE_ID_LENGTH ||
    /[\0-\x1f]/.test(id)
  ) {
    throw new UsageError(`invalid lease id ${JSON.stringify(String(id).slice(0, 40))}`, {
      hint: "pass the id that acquire printed",
    });
  }
}

/** The error withLease throws when the lease was lost while its callback ran. */
export function lostError(resource: string, reason: LossReason): LeaseLostError {
  const why =
    reason === "not-held"
      ? "it was broken or taken over"
      : "renewals failed until it was about to expire";
  return new LeaseLostError(`lost the lease on ${resource}: ${why}`, {
    hint: "the work above ran partly unprotected; check its effects",
  });
}

/**
 * The error acquire and waitUntilFree throw when the resource is held. `waitedWith` names the
 * option that bounded the wait (`--wait` for acquire, `--timeout` for waitUntilFree), if any.
 */
export function heldError(
  resource: string,
  holder: Lease,
  waitedWith?: "--wait" | "--timeout",
): LeaseHeldError {
  const reason = holder.reason ? ` (${JSON.stringify(holder.reason)})` : "";
  const until = holder.expiresAt.toISOString().replace(/\.\d+Z$/, "Z");
  const msg = `${resource} is held by ${holder.principal}${reason} until ${until}${waitedWith ? "; gave up waiting" : ""}`;
  return new LeaseHeldError(msg, holder, {
    hint: waitedWith
      ? `wait longer with a larger ${waitedWith}`
      : `retry with --wait 5m, or see: leasehold current ${resource}`,
  });
}
