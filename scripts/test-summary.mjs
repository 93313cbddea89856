#!/usr/bin/env node
// Prints vitest's JSON results as one plain closing line: `vitest: N passed, N failed, N skipped`.
import { readFileSync } from 'node:fs';

const [file, label = 'vitest'] = process.argv.slice(2);
const results = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
console.log(`${label}: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
process.exitCode = results.numFailedTests > 0 || results.numTotalTests === 0 ? 1 : 0;
