// Writes a benchmark's figures to bench/results/NAME.json, where bench/report.mjs reads them.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../results/", import.meta.url));

/** `newline: false` keeps the files that have always been written without one from churning. */
export function writeResults(name, data, { newline = true } = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}${name}.json`, `${JSON.stringify(data, null, 2)}${newline ? "\n" : ""}`);
}
