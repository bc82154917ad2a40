// Memory of `leasehold run` holding a lease over many renewals: a compressed hour (TTL 600 ms,
// so a renewal every 200 ms) on sqlite; resident set size sampled from /proc every second.
//   node bench/memory.mjs      Env: BENCH_MEMORY_SECONDS (40). Writes bench/results/memory.json.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResults } from "./support/results.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 40);
const dir = mkdtempSync(join(tmpdir(), "leasehold-bench-memory-"));
const env = { ...process.env, HOME: dir, XDG_STATE_HOME: join(dir, "state") };
const child = spawn(
  process.execPath,
  [
    join(here, "../dist/bundle/leasehold.js"),
    "run",
    "memory-bench",
    "--ttl",
    "600ms",
    "--",
    "sleep",
    String(SECONDS),
  ],
  { env, stdio: "inherit" },
);
const rssKb = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
const samples = [];
const timer = setInterval(() => {
  try {
    samples.push(rssKb());
  } catch {
    // The process is gone.
  }
}, 1000);
const code = await new Promise((r) => child.on("exit", r));
clearInterval(timer);
const mb = (kb) => Math.round(kb / 102.4) / 10;
const warm = samples.slice(3);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  seconds: SECONDS,
  renewals: Math.floor((SECONDS * 1000) / 200),
  exitCode: code,
  rssMb: {
    afterStart: mb(samples[2] ?? 0),
    last: mb(warm.at(-1) ?? 0),
    max: mb(Math.max(...warm)),
    min: mb(Math.min(...warm)),
  },
  samplesMb: samples.map(mb),
};
writeResults("memory", result, { newline: false });
console.log(
  `run over ~${result.renewals} renewals in ${SECONDS} s: RSS ${result.rssMb.afterStart} MB after start, ${result.rssMb.min}-${result.rssMb.max} MB after, ${result.rssMb.last} MB at the end (exit ${code})`,
);
