import { startRgw } from "../support/s3.js";
import { describeRace } from "./describe-race.js";

// S3 stamps are whole seconds (Date, Last-Modified) and every change is read + conditional PUT,
// so this run is smaller and its leases longer.
describeRace("stress: s3 (Ceph RGW)", {
  start: () => startRgw(),
  stop: (rgw) => rgw.destroy(),
  options: (rgw) => ({
    label: "s3",
    backend: "s3",
    ini: rgw.ini("s3"),
    model: "whole-seconds",
    target: 300,
    seconds: 30,
    ttlMs: 2000,
  }),
  minLeases: 50,
});
