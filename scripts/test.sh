#!/usr/bin/env bash
# The whole test suite on a fresh machine: system packages, a supported Node, pnpm, install, build,
# typecheck, lint, tests. Node: see scripts/bootstrap.sh ($CAMDL_NODE=<major> picks the line).
# CAMDL_NODE_ALSO="26 ..." runs the test suite again on each of those Node lines (npm registry's `node`).
# Prints one summary line per Node run, then the plain `vitest: N passed, N failed, N skipped` line
# (the sum over the runs) last.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! bash scripts/ensure-system-deps.sh; then
  if [ -n "${CI:-}" ]; then echo "CI needs the system packages above" >&2; exit 1; fi
fi
source scripts/bootstrap.sh
echo "--- Node $(node --version) ($(command -v node)), pnpm $("${PNPM[@]}" --version)"
"${PNPM[@]}" run build
"${PNPM[@]}" run check-packages
"${PNPM[@]}" run typecheck
"${PNPM[@]}" run lint
mkdir -p .cache
rm -f .cache/vitest-node*.json
status=0
major="$(node -p 'process.versions.node.split(".")[0]')"
reports=(".cache/vitest-node$major.json")
"${PNPM[@]}" exec vitest run --reporter=default --reporter=json --outputFile.json="${reports[0]}" || status=$?
for also in ${CAMDL_NODE_ALSO:-}; do
  [ "$also" = "$major" ] && continue
  echo "--- the test suite again on Node $also"
  bin="$(camdl_node_bin "$also")"
  reports+=(".cache/vitest-node$also.json")
  PATH="$bin:$PATH" node --version
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
    --outputFile.json=".cache/vitest-node$also.json" || status=$?
done
node scripts/test-summary.mjs "${reports[@]}" || status=$?
exit "$status"
