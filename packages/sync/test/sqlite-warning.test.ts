import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';

/** Node 22 announces node:sqlite with an ExperimentalWarning (Node 24 no longer does). */
const NODE22 = '/root/.npm/_npx/52027bd8fc0022aa/node_modules/.bin/node';
const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const testing = fileURLToPath(new URL('../src/testing.ts', import.meta.url));

describe.skipIf(!existsSync(NODE22))('the library on Node 22', () => {
  const track = closeAfterEach();
  let dir: TempDir | undefined;

  it('opens the ledger without the node:sqlite ExperimentalWarning, and leaves every other warning alone', async () => {
    dir = track(await makeTempDir('camdl-sqlite-warning-'));
    const script = join(dir.path, 'open-ledger.mts');
    await writeFile(
      script,
      [
        `const { sqliteAvailable } = await import(${JSON.stringify(source)});`,
        `const { Ledger } = await import(${JSON.stringify(testing)});`,
        'if (!sqliteAvailable()) throw new Error("no node:sqlite");',
        `Ledger.open(${JSON.stringify(join(dir.path, 'ledger.sqlite'))}).close();`,
        "process.emitWarning('an unrelated warning', 'ExperimentalWarning');",
      ].join('\n'),
    );
    const run = spawnSync(NODE22, ['--conditions=@camdl/source', '--import', 'tsx', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/SQLite is an experimental feature/);
    expect(run.stderr).toMatch(/ExperimentalWarning: an unrelated warning/);
    // The same Node does print it for a plain load (so the check above can fail).
    const bare = spawnSync(NODE22, ['-e', "require('node:sqlite')"], { encoding: 'utf8' });
    expect(bare.stderr).toMatch(/SQLite is an experimental feature/);
  });
});
