import { closeAfterEach } from '@camdl/test-utils';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { loadConfig, sqliteAvailable } from '@camdl/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCamdlBuilt, CAMDL_BIN, runCamdl, startCamdlFleet, syntheticArchives, type CamdlFleet } from './camdl-helpers.js';
import { spawnBin } from './spawn-bin.js';

const sidecars = (path: string): string[] => ['-wal', '-shm', '-journal'].filter((suffix) => existsSync(`${path}${suffix}`));

/** Root can drop to `nobody` with setpriv: the way to see what a user who may only read gets. */
const canRunAsNobody = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe.skipIf(!sqliteAvailable())('camdl status, report and film only read the ledger (the binary)', () => {
  const track = closeAfterEach();
  let fleet: CamdlFleet | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('status and report refuse another application\'s SQLite file at the ledger path, naming it, and never change it', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 20_000) } }, extra: ['time-zone: UTC'] }]));
    const ledger = loadConfig(fleet.config).ledger;
    await mkdir(join(ledger, '..'), { recursive: true });
    const db = new DatabaseSync(ledger);
    db.exec(`CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')`);
    db.close();
    const before = await readFile(ledger);
    for (const args of [['status'], ['report', '--out', join(fleet.dir.path, 'coverage.html')], ['verify']]) {
      const run = await runCamdl([...args, '--config', fleet.config]);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toContain(`camdl: ${ledger} is not a camdl ledger`);
    }
    const sync = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain(`${ledger} is not a camdl ledger`);
    expect((await readFile(ledger)).equals(before)).toBe(true);
    expect(sidecars(ledger)).toEqual([]);
  });

  it.skipIf(!canRunAsNobody)('a user who may only read the ledger gets a working status and report; the owner\'s next sync is unaffected', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 20_000) } }, extra: ['time-zone: UTC'] }]));
    expect((await runCamdl(['sync', '--config', fleet.config], fleet.env)).code).toBe(0);
    const ledger = loadConfig(fleet.config).ledger;
    // Everything readable by others, nothing writable: the ledger 0444, its folders 0755.
    for (const folder of [fleet.dir.path, fleet.archive, join(ledger, '..')]) await chmod(folder, 0o755);
    await chmod(ledger, 0o444);
    await chmod(fleet.config, 0o644);
    // The node binary may sit in a folder only root can enter: a copy `nobody` can run.
    const node = join(fleet.dir.path, 'node');
    await copyFile(process.execPath, node);
    await chmod(node, 0o755);
    const before = await readFile(ledger);
    const asNobody = (args: string[]) =>
      spawnBin('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', node, CAMDL_BIN, ...args], { node: '/usr/bin/env', env: { CI: '', HOME: '/tmp' } }).done;
    const status = await asNobody(['status', '--config', fleet.config, '--verbose']);
    expect(status.stderr).toBe('');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/archives: 2 files/);
    const outDir = join(fleet.dir.path, 'out');
    await mkdir(outDir);
    await chmod(outDir, 0o777);
    const report = await asNobody(['report', '--config', fleet.config, '--out', join(outDir, 'coverage.html')]);
    expect(report.code, report.stdout + report.stderr).toBe(0);
    expect(sidecars(ledger)).toEqual([]);
    expect((await readFile(ledger)).equals(before)).toBe(true);
    await chmod(ledger, 0o644);
    const next = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(next.code, next.stdout + next.stderr).toBe(0);
  });
});
