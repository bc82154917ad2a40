// Prints the plain closing line CI reads: "N passed, M failed" (", K skipped" when any),
// summed over every vitest JSON report given. Exits 1 when a report is missing or shows failures.
import { readFileSync } from "node:fs";

let passed = 0;
// EXTRA_FAILED counts checks that are not vitest tests (lint), so they cannot be overlooked.
let failed = Number(process.env.EXTRA_FAILED ?? 0);
let skipped = 0;
let broken = false;
for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A file that failed to load (syntax error, crashed worker) has no failed tests but failed.
    failed += r.testResults.filter(
      (t) => t.status === "failed" && t.assertionResults.length === 0,
    ).length;
  } catch (e) {
    console.error(`no test report at ${file}: ${e.message}`);
    broken = true;
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || broken ? 1 : 0);
