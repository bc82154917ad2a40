import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RaceOptions, race } from "./race.js";

/** What one backend's stress file declares: its server, how to race on it, what to expect. */
export interface StressTarget<S> {
  /** Starts the backend's server (or whatever the run needs, e.g. a temp dir). */
  start(): Promise<S>;
  /** Stops it again. */
  stop(server: S): unknown;
  /** The race to run once the server is up. */
  options(server: S): RaceOptions;
  /** Fewest leases the run must log for its verdict to mean anything. */
  readonly minLeases: number;
}

/**
 * The stress test every backend runs: 16 processes racing on 4 resources through the real
 * server, then the checker over every logged lease. No violation, no failed worker.
 */
export function describeRace<S>(title: string, target: StressTarget<S>): void {
  describe(title, () => {
    let server: S | undefined;
    beforeAll(async () => {
      server = await target.start();
    });
    afterAll(() => server !== undefined && target.stop(server));

    it("16 processes racing on 4 resources: no two leases overlap, fences rise in grant order", async () => {
      const r = await race(target.options(server as S));
      expect(r.violations).toEqual([]);
      expect(r.workerFailures).toBe(0);
      expect(r.leases).toBeGreaterThan(target.minLeases);
    }, 300_000);
  });
}
