#!/usr/bin/env node
// Runs every benchmark in bench/ one after the other (each prints its own table).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const tsx = join(here, '../node_modules/tsx/dist/cli.mjs');
let failed = 0;
for (const entry of readdirSync(here, { withFileTypes: true })) {
  const script = join(here, entry.name, 'bench.ts');
  if (!entry.isDirectory() || !existsSync(script)) continue;
  console.log(`\n## ${entry.name}\n`);
  const result = spawnSync(process.execPath, [tsx, script], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed ? 1 : 0;
