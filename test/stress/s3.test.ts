import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RgwServer, startRgw } from "../support/s3.js";
import { race } from "./race.js";

// S3 stamps are whole seconds (Date, Last-Modified) and every change is read + conditional PUT,
// so this run is smaller and its leases longer.
describe("stress: s3 (Ceph RGW)", () => {
  let rgw: RgwServer;
  beforeAll(async () => {
    rgw = await startRgw();
  });
  afterAll(() => rgw?.destroy());

  it("16 processes racing on 4 resources: no two leases overlap, fences rise in grant order", async () => {
    const r = await race({
      label: "s3",
      backend: "s3",
      ini: rgw.ini("s3"),
      model: "whole-seconds",
      target: 300,
      seconds: 30,
      ttlMs: 2000,
    });
    expect(r.violations).toEqual([]);
    expect(r.workerFailures).toBe(0);
    expect(r.leases).toBeGreaterThan(50);
  }, 300_000);
});
