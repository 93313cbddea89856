import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sha256, type FaultServer, type TempDir } from '@camdl/test-utils';
import { sqliteAvailable } from '@camdl/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCamdlBuilt, runCamdl } from './camdl-helpers.js';
import { downloadRequests, mp4Bytes, serveTimelapse, useFaultCamera } from './fault-cameras.js';

// A camera whose archive is named like camdl's own checksum list, against the built binary.

const startFaultCamera = useFaultCamera('camdl-own-names-');

beforeAll(() => assertCamdlBuilt());

const FIRST = Date.UTC(2024, 8, 29, 1);

async function setup(): Promise<{ server: FaultServer; dir: TempDir; config: string; folder: string; sums: Buffer; other: Buffer }> {
  const { server, dir } = await startFaultCamera();
  const sums = mp4Bytes(30_000, 11);
  const other = mp4Bytes(25_000, 12);
  const listing = JSON.stringify([
    { id: 'Q', filename: 'SHA256SUMS', size: sums.length, frames: 10, fps: 10, first: FIRST, last: FIRST + 1000, container: 'mp4' },
    { id: 'Q', filename: 'Gate_2024_09_30_0000.mp4', size: other.length, frames: 10, fps: 10, first: FIRST + 3_600_000, last: FIRST + 3_601_000, container: 'mp4' },
  ]);
  serveTimelapse(server, [{ filename: 'SHA256SUMS', content: sums }, { filename: 'Gate_2024_09_30_0000.mp4', content: other }], { listing });
  const config = join(dir.path, 'camdl.yaml');
  await writeFile(config, ['archive: ./archive', 'cameras:', '  - name: gate', '    kind: timelapse', `    host: ${server.origin}`, '    username: root', '    password-env: GATE_PASSWORD', '    time-zone: UTC', ''].join('\n'));
  return { server, dir, config, folder: join(dir.path, 'archive', 'gate', '2024-09-29'), sums, other };
}

const ENV = { GATE_PASSWORD: 'pw' };

/** `sha256sum -c SHA256SUMS` in the folder: the checksum list is right for every file it names. */
function checkSums(folder: string): string {
  const run = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  return run.stdout;
}

describe.skipIf(!sqliteAvailable())('an archive named SHA256SUMS never overwrites camdl\'s checksum list', () => {
  it('is archived as _SHA256SUMS; the list stays right, verify stays clean, the next sync fetches nothing', async () => {
    const { server, config, folder, sums, other } = await setup();
    const first = await runCamdl(['sync', '--config', config, '--no-progress'], ENV);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect((await readdir(folder)).sort()).toEqual(['Gate_2024_09_30_0000.mp4', 'SHA256SUMS', '_SHA256SUMS']);
    expect(sha256(await readFile(join(folder, '_SHA256SUMS')))).toBe(sha256(sums));
    expect(sha256(await readFile(join(folder, 'Gate_2024_09_30_0000.mp4')))).toBe(sha256(other));
    expect(checkSums(folder)).toBe('Gate_2024_09_30_0000.mp4: OK\n_SHA256SUMS: OK\n');

    const verify = await runCamdl(['verify', '--config', config]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain('Verified 2 files: all match the ledger');
    const second = await runCamdl(['sync', '--config', config, '--no-progress'], ENV);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(downloadRequests(server).filter((target) => target.includes('SHA256SUMS'))).toHaveLength(1);
  });

  it('a recording an older camdl filed as SHA256SUMS is found changed by verify and fetched again beside the list', async () => {
    const { server, dir, config, folder, sums } = await setup();
    expect((await runCamdl(['sync', '--config', config, '--no-progress'], ENV)).code).toBe(0);
    // What an older camdl left: the row says the recording is the folder's SHA256SUMS (overwritten since by the list).
    await rm(join(folder, '_SHA256SUMS'));
    const db = new DatabaseSync(join(dir.path, 'archive', '.camdl', 'ledger.sqlite'));
    db.prepare(`UPDATE recordings SET local_path = 'gate/2024-09-29/SHA256SUMS' WHERE remote_key = 'SHA256SUMS'`).run();
    db.close();

    const verify = await runCamdl(['verify', '--config', config]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^CHANGED gate\/2024-09-29\/SHA256SUMS/m);
    const again = await runCamdl(['sync', '--config', config, '--no-progress'], ENV);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/SAVE +gate\/2024-09-29\/_SHA256SUMS/);
    expect(sha256(await readFile(join(folder, '_SHA256SUMS')))).toBe(sha256(sums));
    expect(checkSums(folder)).toBe('Gate_2024_09_30_0000.mp4: OK\n_SHA256SUMS: OK\n');
    expect((await runCamdl(['verify', '--config', config])).code).toBe(0);
    const last = await runCamdl(['sync', '--config', config, '--no-progress'], ENV);
    expect(last.code).toBe(0);
    expect(downloadRequests(server).filter((target) => target.includes('SHA256SUMS'))).toHaveLength(2);
  });
});
