#!/usr/bin/env bash
# The whole test suite: build, make sure the real test servers can be started (installing them
# as root on Debian), then run every test file. Extra arguments go to vitest (e.g. a file path).
# Ends with a plain "N passed, M failed" line; exit status 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."

npm run --silent build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
bash test/support/ensure-servers.sh || { echo "0 passed, 1 failed"; exit 1; }

results="${LEASEHOLD_TEST_RESULTS:-.test-results.json}"
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@"
status=$?
node test/support/summary.mjs "$results" || status=1
exit $status
