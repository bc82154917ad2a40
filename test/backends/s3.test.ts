import { create } from "../../src/backends/s3/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { startRgw } from "../support/s3.js";

describeBackendContract("s3 (Ceph RGW)", async () => {
  const rgw = await startRgw();
  return {
    makeBackend: () => create({ name: "s3", timeoutMs: 10_000, options: rgw.options() }),
    // 20 CLI processes importing the AWS SDK at once can starve a small machine for seconds;
    // the race is about exclusion, the timeout bound is tested in s3-faults.test.ts.
    ini: rgw.ini("s3", "timeout = 60s\n"),
    backendName: "s3",
    // Last-Modified has whole-second resolution and expiry adds a 1 s margin: 2 s is the
    // shortest TTL whose expiry the contract's fixed waits (ttl + 1.2 s) always see.
    shortTtlMs: 2000,
    timeResolutionMs: 1000,
    teardown: () => rgw.destroy(),
  };
});
