#!/usr/bin/env bash
# The whole test suite on a fresh machine: system packages, pnpm, install, build, typecheck, lint, tests.
# CAMDL_NODE24=1 also runs the tests on Node 24 (from the npm registry's `node` package).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! bash scripts/ensure-system-deps.sh; then
  if [ -n "${CI:-}" ]; then echo "CI needs the system packages above" >&2; exit 1; fi
fi
source scripts/bootstrap.sh
"${PNPM[@]}" run build
"${PNPM[@]}" run check-packages
"${PNPM[@]}" run typecheck
"${PNPM[@]}" run lint
mkdir -p .cache
"${PNPM[@]}" exec vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-node20.json
if [ -n "${CAMDL_NODE24:-}" ]; then
  echo "--- the test suite again on Node 24"
  npx -y -p node@24 -c 'node --version && node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json=.cache/vitest-node24.json'
  node scripts/test-summary.mjs .cache/vitest-node24.json node24
fi
node scripts/test-summary.mjs .cache/vitest-node20.json vitest
