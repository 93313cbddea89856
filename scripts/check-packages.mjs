#!/usr/bin/env node
// Lints every publishable package's manifest and built files with publint (run after `pnpm build`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = new URL('../packages/', import.meta.url).pathname;
let failed = 0;
for (const name of readdirSync(root)) {
  const dir = join(root, name);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (pkg.private) continue;
  // pnpm applies publishConfig when packing; check what will be published.
  const { messages } = await publint({ pkgDir: dir, level: 'warning', strict: true, pack: 'pnpm' });
  const relevant = messages.filter((m) => !(m.code === 'EXPORTS_VALUE_INVALID' && String(m.args?.value ?? '').includes('src/')));
  for (const message of relevant) {
    console.log(`${pkg.name}: [${message.type}] ${formatMessage(message, pkg) ?? message.code}`);
  }
  if (relevant.some((m) => m.type === 'error' || m.type === 'warning')) failed += 1;
  else console.log(`${pkg.name}: publint ok`);
}
process.exitCode = failed ? 1 : 0;
