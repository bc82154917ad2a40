/**
 * The exclusion checker for the stress test: given every lease the racing processes held, proves
 * that no two leases of one resource were valid at once and that fences rise in grant order.
 *
 * A lease's validity is bounded using only evidence that cannot flatter the backend:
 * - it was granted no later than `grantUpperBound` (the backend's grant stamp, or the wall time
 *   the acquire call returned when the stamp is not the grant instant);
 * - it stayed valid at least until `endLowerBound`: the release call's start (if release said
 *   yes), else the expiry the backend reported, minus what that figure may overstate.
 * A violation is a pair adjacent in fence order where the later lease was granted before the
 * earlier one provably ended; sorting by fence and finding none proves both properties at once.
 * All servers run on loopback, so the backend's clock is this machine's clock.
 */

/** One lease as a worker logged it (epoch ms). */
export interface LoggedLease {
  readonly resource: string;
  readonly id: string;
  readonly fence: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly acqStart: number;
  readonly acqEnd: number;
  /** Wall times around the call that produced `expiresAt` (acquire or the last renewal). */
  readonly writeStart: number;
  readonly writeEnd: number;
  readonly renewals: number;
  readonly releaseStart: number | null;
  readonly releaseEnd: number | null;
  readonly released: boolean;
  readonly renewFenceChanged?: number;
}

/** How a backend's stamps relate to the real grant and expiry instants. */
export type ClockModel =
  /** createdAt is the server's clock at the atomic grant, expiresAt what the server enforces (sqlite, redis). */
  | "exact"
  /**
   * createdAt is the statement's start (Postgres now()), which precedes the grant by any row-lock
   * wait; expiresAt is exactly what the server enforces (postgres).
   */
  | "statement-start"
  /** Whole-second `Date` stamps; expiry carries a 1 s margin (s3). */
  | "whole-seconds"
  /** createdAt is stamped before the granting transaction; etcd's lease clock starts at the grant (etcd). */
  | "stamped-before-grant";

export interface Violation {
  readonly resource: string;
  readonly kind: "overlap" | "duplicate-fence" | "duplicate-id" | "fence-changed-on-renew";
  readonly detail: string;
}

export interface CheckReport {
  readonly leases: number;
  readonly resources: number;
  readonly pairsChecked: number;
  readonly violations: Violation[];
  /** Smallest gap (ms) seen between one lease's proven end and the next one's grant. */
  readonly minGapMs: number | null;
}

/** Latest instant the lease can have been granted. */
export function grantUpperBound(l: LoggedLease, model: ClockModel): number {
  if (model === "exact") return l.createdAt;
  if (model === "whole-seconds") return Math.min(l.acqEnd, l.createdAt + 1000);
  // The stamp is taken before the grant; the reply comes after it.
  return l.acqEnd;
}

/** Earliest instant the lease can have stopped being valid. */
export function endLowerBound(l: LoggedLease, model: ClockModel): number {
  let expiry = l.expiresAt;
  // The stamp comes from around the write; the server's own countdown began inside that call.
  if (model === "whole-seconds") expiry -= 1000 + (l.writeEnd - l.writeStart);
  if (model === "stamped-before-grant") expiry -= l.writeEnd - l.writeStart;
  return l.released && l.releaseStart !== null ? Math.min(l.releaseStart, expiry) : expiry;
}

/** Checks every resource's leases; see the file comment for the argument. */
export function checkLeases(leases: readonly LoggedLease[], model: ClockModel): CheckReport {
  const violations: Violation[] = [];
  const byResource = new Map<string, LoggedLease[]>();
  const ids = new Set<string>();
  for (const l of leases) {
    if (ids.has(l.id))
      violations.push({ resource: l.resource, kind: "duplicate-id", detail: l.id });
    ids.add(l.id);
    if (l.renewFenceChanged !== undefined)
      violations.push({
        resource: l.resource,
        kind: "fence-changed-on-renew",
        detail: `${l.fence} → ${l.renewFenceChanged}`,
      });
    const list = byResource.get(l.resource) ?? [];
    list.push(l);
    byResource.set(l.resource, list);
  }
  let pairs = 0;
  let minGap: number | null = null;
  for (const [resource, list] of byResource) {
    list.sort((a, b) => a.fence - b.fence);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const next = list[i]!;
      pairs++;
      if (next.fence === prev.fence) {
        violations.push({ resource, kind: "duplicate-fence", detail: `fence ${next.fence}` });
        continue;
      }
      const gap = grantUpperBound(next, model) - endLowerBound(prev, model);
      minGap = minGap === null ? gap : Math.min(minGap, gap);
      if (gap < 0)
        violations.push({
          resource,
          kind: "overlap",
          detail: `fence ${next.fence} granted ${-gap} ms before fence ${prev.fence} ended: ${JSON.stringify({ prev, next })}`,
        });
    }
  }
  return {
    leases: leases.length,
    resources: byResource.size,
    pairsChecked: pairs,
    violations,
    minGapMs: minGap,
  };
}
