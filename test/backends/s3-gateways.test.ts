import { create } from "../../src/backends/s3/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { startRgw } from "../support/s3.js";

// Two gateways on one Ceph cluster, as behind a load balancer: successive clients alternate
// between them, so every two-client test (and the 4-client race) crosses gateways, and the
// CLI processes use the second one. Exclusion must come from the cluster, not one gateway.
describeBackendContract("s3 (two Ceph RGW gateways, one cluster)", async () => {
  const rgw = await startRgw({ gateways: 2 });
  const second = rgw.secondEndpoint!;
  let made = 0;
  return {
    makeBackend: () => {
      const endpoint = made++ % 2 === 0 ? rgw.endpoint : second;
      return create({ name: "s3", timeoutMs: 10_000, options: rgw.options({ endpoint }) });
    },
    // 20 CLI processes importing the AWS SDK at once can starve a small machine for seconds.
    ini: rgw
      .ini("s3", `timeout = 60s\n`)
      .replace(`endpoint = ${rgw.endpoint}`, `endpoint = ${second}`),
    backendName: "s3",
    shortTtlMs: 2000,
    timeResolutionMs: 1000,
    teardown: () => rgw.destroy(),
  };
});
