import { create } from "../../src/backends/s3/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { startRgw } from "../support/s3.js";

describeBackendContract("s3 (Ceph RGW)", async () => {
  const rgw = await startRgw();
  return {
    makeBackend: () => create({ name: "s3", timeoutMs: 10_000, options: rgw.options() }),
    ini: rgw.ini("s3"),
    backendName: "s3",
    // Last-Modified has whole-second resolution and expiry adds a 1 s margin: 2 s is the
    // shortest TTL whose expiry the contract's fixed waits (ttl + 1.2 s) always see.
    shortTtlMs: 2000,
    teardown: () => rgw.destroy(),
  };
});
