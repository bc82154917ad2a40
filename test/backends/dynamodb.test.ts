import { create } from "../../src/backends/dynamodb/index.js";
import { describeBackendContract } from "../contract/contract.js";
import { startDynalite } from "../support/dynamodb.js";

// The contract waits a fixed 1.2 s past a short lease's expiry; DynamoDB's Date header has
// whole-second resolution, so the default 1 s skew_margin plus up to 1 s of clock uncertainty
// cannot fit in it. The suite runs with a 100 ms margin; the default's guarantee is proved in
// dynamodb-time.test.ts.
const MARGIN = "100ms";

describeBackendContract("dynamodb (dynalite)", async () => {
  const server = await startDynalite();
  return {
    makeBackend: () =>
      create({
        name: "dynamodb",
        timeoutMs: 10_000,
        options: server.options({ skew_margin: 100 }),
      }),
    // 20 CLI processes importing the AWS SDK at once can starve a small machine for seconds;
    // the race is about exclusion, the timeout bound is tested in dynamodb-faults.test.ts.
    ini: server.ini("dynamodb", `skew_margin = ${MARGIN}\ntimeout = 60s\n`),
    backendName: "dynamodb",
    shortTtlMs: 1000,
    teardown: () => server.destroy(),
  };
});
