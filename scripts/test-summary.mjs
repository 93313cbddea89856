#!/usr/bin/env node
// Closing lines of a test run from vitest's JSON results, one file per Node run
// (`.cache/vitest-node22.json`): a line per run, `node22: N passed, N failed, N skipped`, then the
// plain `vitest: N passed, N failed, N skipped` (the sum over the runs) last. Exit code 1 when a run
// failed, ran no tests or left no results.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: test-summary.mjs <vitest-results.json>...');
  process.exit(2);
}
const total = { passed: 0, failed: 0, skipped: 0 };
let ok = true;
for (const file of files) {
  const label = /vitest-(.+)\.json$/.exec(basename(file))?.[1] ?? basename(file);
  if (!existsSync(file)) {
    console.log(`${label}: no results (the run did not finish)`);
    ok = false;
    continue;
  }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const passed = results.numPassedTests ?? 0;
  const failed = results.numFailedTests ?? 0;
  const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  total.passed += passed;
  total.failed += failed;
  total.skipped += skipped;
  if (failed > 0 || !results.numTotalTests || results.success === false) ok = false;
}
console.log(`vitest: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = ok ? 0 : 1;
