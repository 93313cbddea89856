import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '@camdl/test-utils';
import { Ledger } from '@camdl/sync/testing';
import { CopyLedger, type CopyRow } from '../src/ledger-copies.js';
import { listFiles, type TestFleet } from './fleet-helpers.js';

/** Adds YAML lines at the top of the fleet's config (targets: after the archive line). */
export async function addTopLines(fleet: TestFleet, lines: readonly string[]): Promise<void> {
  const text = await readFile(fleet.configPath, 'utf8');
  await writeFile(fleet.configPath, text.replace('archive: ./archive\n', `archive: ./archive\n${lines.join('\n')}\n`));
}

/** A `targets:` list of directory targets below the fleet's temp folder (created unless `missing`). */
export async function directoryTargets(fleet: TestFleet, names: readonly string[], options: { missing?: readonly string[] } = {}): Promise<{ lines: string[]; paths: Map<string, string> }> {
  const paths = new Map<string, string>();
  const lines = ['targets:'];
  for (const name of names) {
    const path = join(fleet.dir.path, 'targets', name);
    if (!options.missing?.includes(name)) await mkdir(path, { recursive: true });
    paths.set(name, path);
    lines.push(`  - name: ${name}`, '    kind: directory', `    path: ${path}`);
  }
  return { lines, paths };
}

/** Every file of a tree (`.camdl` excluded) with its sha256. */
export async function treeHashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of await listFiles(root)) out.set(file, await sha256File(join(root, file)));
  return out;
}

/** The copies rows of the fleet's ledger, by target. */
export function copiesOf(fleet: TestFleet): CopyRow[] {
  const ledger = Ledger.open(fleet.config().ledger);
  try {
    const copies = new CopyLedger(ledger);
    return ledger.allRecordings().flatMap((row) => fleet.config().targets.map((target) => copies.copy(row.id, target.name)).filter((copy): copy is CopyRow => copy !== undefined));
  } finally {
    ledger.close();
  }
}
