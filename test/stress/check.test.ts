import { describe, expect, it } from "vitest";
import { checkLeases, type LoggedLease } from "./check.js";

// A checker that never fails proves nothing: these feed it known-bad histories.
function lease(
  fence: number,
  from: number,
  to: number,
  extra: Partial<LoggedLease> = {},
): LoggedLease {
  return {
    resource: "r",
    id: `id-${fence}-${from}`,
    fence,
    createdAt: from,
    expiresAt: from + 1000,
    acqStart: from - 5,
    acqEnd: from + 5,
    writeStart: from - 5,
    writeEnd: from + 5,
    renewals: 0,
    releaseStart: to,
    releaseEnd: to + 3,
    released: true,
    ...extra,
  };
}

describe("the stress checker", () => {
  it("accepts back-to-back leases, including a grant at the very instant of the release", () => {
    const r = checkLeases([lease(1, 0, 50), lease(2, 50, 90), lease(3, 200, 300)], "exact");
    expect(r.violations).toEqual([]);
    expect(r.pairsChecked).toBe(2);
    expect(r.minGapMs).toBe(0);
  });

  it("flags a lease granted while the previous one was still held", () => {
    const r = checkLeases([lease(1, 0, 50), lease(2, 49, 90)], "exact");
    expect(r.violations.map((v) => v.kind)).toEqual(["overlap"]);
  });

  it("flags a takeover before expiry of a lease that was never released", () => {
    const unreleased = lease(1, 0, 0, { released: false, releaseStart: null, releaseEnd: null });
    expect(checkLeases([unreleased, lease(2, 999, 1200)], "exact").violations).toHaveLength(1);
    expect(checkLeases([unreleased, lease(2, 1000, 1200)], "exact").violations).toEqual([]);
  });

  it("flags fences that do not rise in grant order, repeated fences and repeated ids", () => {
    expect(checkLeases([lease(2, 0, 50), lease(1, 60, 90)], "exact").violations).toHaveLength(1);
    expect(checkLeases([lease(1, 0, 50), lease(1, 60, 90)], "exact").violations[0]?.kind).toBe(
      "duplicate-fence",
    );
    const twice = [lease(1, 0, 50, { id: "x" }), lease(2, 60, 90, { id: "x" })];
    expect(checkLeases(twice, "exact").violations.map((v) => v.kind)).toEqual(["duplicate-id"]);
  });

  it("keeps resources apart", () => {
    const r = checkLeases(
      [lease(1, 0, 50), { ...lease(1, 10, 40), resource: "other", id: "o" }],
      "exact",
    );
    expect(r.violations).toEqual([]);
  });

  it("bounds a grant by the reply when the stamp precedes it (postgres now(), etcd)", () => {
    // Stamped 1 ms before the release began, but the reply came after it: no proof of overlap.
    const next = lease(2, 49, 90, { acqEnd: 60 });
    expect(checkLeases([lease(1, 0, 50), next], "statement-start").violations).toEqual([]);
    // A reply that came back before the previous holder even started releasing is an overlap.
    const early = lease(2, 40, 90, { acqEnd: 45 });
    expect(checkLeases([lease(1, 0, 50), early], "stamped-before-grant").violations).toHaveLength(
      1,
    );
  });
});
