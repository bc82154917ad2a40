// `npm run bench`: every benchmark in turn (each starts its own servers), then BENCHMARKS.md.
// Benchmarks print ratios against a baseline measured in the same run; none is a test.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = [
  "startup",
  "sqlite",
  "memory",
  "redis",
  "postgres",
  "etcd",
  "s3",
  "dynamodb",
].filter((b) => only.length === 0 || only.includes(b));
const failed = [];
for (const name of benches) {
  if (!existsSync(join(here, `${name}.mjs`))) continue;
  console.log(`\n== bench/${name}.mjs`);
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`)], { stdio: "inherit" });
  if (r.status !== 0) failed.push(name);
}
const report = spawnSync(process.execPath, [join(here, "report.mjs")], { stdio: "inherit" });
if (failed.length)
  console.error(
    `\nbenchmarks that did not finish: ${failed.join(", ")} (their previous results stay in BENCHMARKS.md)`,
  );
process.exit(report.status ?? 1);
