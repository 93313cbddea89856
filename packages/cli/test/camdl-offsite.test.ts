import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeAfterEach, sha256File, startS3Server, type S3Server } from '@camdl/test-utils';
import { loadConfig, sqliteAvailable } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { assertCamdlBuilt, events, runCamdl, startCamdl, startCamdlFleet, syntheticArchives, type CamdlFleet } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl with off-site targets (a real S3 server and a folder)', () => {
  const track = closeAfterEach();
  let fleet: CamdlFleet | undefined;
  let server: S3Server | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('sync prints UP, CONFLICT and REPAIR lines; verify --target --deep, restore, status and report --target', async () => {
    server = track(await startS3Server());
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 40_000) } }, extra: ['time-zone: UTC'] }]));
    const usb = join(fleet.dir.path, 'usb');
    await mkdir(join(usb, 'cam0', '2026-03-01'), { recursive: true });
    await writeFile(join(usb, 'cam0', '2026-03-01', 'Site_2026_03_02_0000.mp4'), 'not ours');
    const secretFile = join(fleet.dir.path, 'offsite.secret');
    await writeFile(secretFile, `${server.secretAccessKey}\n`, { mode: 0o600 });
    const config = await readFile(fleet.config, 'utf8');
    await writeFile(
      fleet.config,
      config.replace(
        'archive: ./archive\n',
        [
          'archive: ./archive',
          'upload-bandwidth: 0',
          'targets:',
          '  - name: offsite',
          '    kind: s3',
          `    endpoint: ${server.endpoint}`,
          `    region: ${server.region}`,
          '    bucket: camdl',
          '    prefix: site-a/',
          '    path-style: true',
          '    access-key-id-env: OFFSITE_KEY_ID',
          `    secret-access-key-file: ${secretFile}`,
          '  - name: usb',
          '    kind: directory',
          `    path: ${usb}`,
          '',
        ].join('\n'),
      ),
    );
    const env = { ...fleet.env, OFFSITE_KEY_ID: server.accessKeyId };
    const sync = await runCamdl(['sync', '--config', fleet.config, '--no-progress'], env);
    expect(sync.code).toBe(1);
    const out = sync.stdout.split('\n');
    expect(out.filter((line) => line.startsWith('UP    offsite: cam0/'))).toHaveLength(3);
    expect(out.filter((line) => line.startsWith('UP    usb: cam0/'))).toHaveLength(2);
    expect(out).toContain('CONFLICT usb: cam0/2026-03-01/Site_2026_03_02_0000.mp4: ' + out.find((line) => line.startsWith('CONFLICT'))!.split(': ').slice(2).join(': '));
    expect(out.find((line) => line.startsWith('CONFLICT'))).toMatch(/left in place/);
    expect(out).toContain('Copies on offsite: uploaded=3 repaired=0 failed=0 conflicts=0 pending=0');
    expect(out).toContain('Copies on usb: uploaded=2 repaired=0 failed=0 conflicts=1 pending=0');
    expect(sync.stdout + sync.stderr).not.toContain(server.secretAccessKey);
    expect(await readFile(join(usb, 'cam0', '2026-03-01', 'Site_2026_03_02_0000.mp4'), 'utf8')).toBe('not ours');

    const status = await runCamdl(['status', '--config', fleet.config, '--verbose']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('  copies on offsite: verified 3, pending 0, failing 0\n');
    expect(status.stdout).toMatch(/ {2}copies on usb: verified 2, pending 0, failing 0, conflict 1, oldest pending \d+\.\d h\n/);

    // A tampered copy, found only by reading it back; the next sync makes it again.
    const victim = 'cam0/2026-03-02/Site_2026_03_03_0000.mp4';
    const bytes = await readFile(join(usb, victim));
    bytes[10] = bytes[10]! ^ 1;
    await writeFile(join(usb, victim), bytes);
    expect((await runCamdl(['verify', '--config', fleet.config, '--target', 'usb'])).code).toBe(0);
    const deep = await runCamdl(['verify', '--config', fleet.config, '--target', 'usb', '--deep']);
    expect(deep.code).toBe(1);
    expect(deep.stdout).toMatch(new RegExp(`^CHANGED usb: ${victim} \\(read back: `, 'm'));
    expect(deep.stdout).toContain('Verified 2 copies on usb (read back and re-hashed): 0 missing, 1 changed');
    const repair = await runCamdl(['sync', '--config', fleet.config, '--no-progress'], env);
    expect(repair.stdout).toContain(`REPAIR usb: ${victim}: the copy was missing or changed; made again from the local file\n`);
    expect(await sha256File(join(usb, victim))).toBe(await sha256File(join(fleet.archive, victim)));
    expect((await runCamdl(['verify', '--config', fleet.config, '--target', 'offsite', '--deep'], env)).code).toBe(0);

    const restoredDir = join(fleet.dir.path, 'restored');
    const restore = await runCamdl(['restore', '--config', fleet.config, '--target', 'offsite', '--out', restoredDir, '--from', '2026-03-02', '--json'], env);
    expect(restore.code).toBe(0);
    const lines = events(restore.stdout);
    expect(lines.filter((line) => line.type === 'restored').map((line) => line['path'])).toEqual(['cam0/2026-03-02/Site_2026_03_03_0000.mp4', 'cam0/2026-03-03/Site_2026_03_04_0000.mp4']);
    expect(lines.at(-1)).toEqual({ type: 'summary', restored: 2, bytes: 80_000, problems: 0 });
    for (const path of ['cam0/2026-03-02/Site_2026_03_03_0000.mp4', 'cam0/2026-03-03/Site_2026_03_04_0000.mp4']) expect(await sha256File(join(restoredDir, path))).toBe(await sha256File(join(fleet.archive, path)));
    expect((await runCamdl(['restore', '--config', fleet.config, '--target', 'offsite', '--out', restoredDir, '--from', 'yesterday'], env)).code).toBe(2);
    // A mistyped camera, or a span with no copy, restores nothing: never a success.
    const typo = await runCamdl(['restore', '--config', fleet.config, '--target', 'offsite', '--out', restoredDir, '--camera', 'cam9'], env);
    expect(typo).toMatchObject({ code: 2, stderr: 'camdl: no camera named "cam9" in the ledger (known: cam0)\n' });
    const empty = await runCamdl(['restore', '--config', fleet.config, '--target', 'offsite', '--out', restoredDir, '--camera', 'cam0', '--from', '2030-01-01'], env);
    expect(empty).toMatchObject({ code: 1, stdout: 'Nothing restored: no copy on offsite is recorded verified of cam0 ending after 2030-01-01\n' });

    const sites = await runCamdl(['status', '--config', fleet.config, '--target', 'offsite', '--json'], env);
    // The conflict on usb is still there: exit 1.
    expect(sites.code).toBe(1);
    expect(JSON.parse(sites.stdout)).toMatchObject({ target: 'offsite', sites: [{ site: 'site-a/', cameras: [{ name: 'cam0', copies: [{ target: 'offsite', verified: 3 }, { target: 'usb', verified: 2, conflict: 1 }] }] }] });
    expect(await runCamdl(['status', '--config', fleet.config, '--target', 'offsite', '--camera', 'cam9'], env)).toMatchObject({ code: 2, stdout: '', stderr: 'camdl: no camera named "cam9" on any site of offsite (known: cam0)\n' });
    const human = await runCamdl(['status', '--config', fleet.config, '--target', 'offsite', '--camera', 'cam0'], { ...env, NO_COLOR: '1' });
    expect(human.code).toBe(1);
    // Its synthetic archives are months old: silent, hence FAIL.
    expect(human.stdout).toMatch(/^site site-a\/: snapshot \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n {2}FAIL cam0 \(timelapse\): last successful sync \S+Z \(\d+\.\d h ago\); pending 0, lost 0; copies offsite 3, usb 2 \(1 conflict\); silent for \d+ days\n$/);
    const report = await runCamdl(['report', '--config', fleet.config, '--target', 'offsite', '--out', join(fleet.dir.path, 'sites.html')], env);
    expect(report.code).toBe(0);
    expect(await readFile(join(fleet.dir.path, 'sites.html'), 'utf8')).toContain('data-site="site-a/"');
    const unknown = await runCamdl(['verify', '--config', fleet.config, '--target', 'tape']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`no target named "tape" (known: offsite, usb)`);
  });

  it('SIGKILL mid-multipart: the upload id is in the ledger, the next run resumes it without re-sending a part the server has', async () => {
    server = track(await startS3Server());
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 20 * 1024 * 1024) } }, extra: ['time-zone: UTC'] }]));
    const config = await readFile(fleet.config, 'utf8');
    const target = ['targets:', '  - name: offsite', '    kind: s3', `    endpoint: ${server.endpoint}`, `    region: ${server.region}`, '    bucket: camdl', '    path-style: true', '    access-key-id-env: OFFSITE_KEY_ID', '    secret-access-key-env: OFFSITE_SECRET', '    connections: 1'];
    // 40 Mbps: each 8 MiB part takes about 1.7 s.
    await writeFile(fleet.config, config.replace('archive: ./archive\n', ['archive: ./archive', 'upload-bandwidth: 40', ...target, ''].join('\n')));
    const env = { ...fleet.env, OFFSITE_KEY_ID: server.accessKeyId, OFFSITE_SECRET: server.secretAccessKey };
    const isPart1 = (request: { method: string; url: string; status: number }): boolean => request.method === 'PUT' && request.url.includes('partNumber=1&') && request.status === 200;
    const first = startCamdl(['sync', '--config', fleet.config, '--json'], { env });
    for (let waited = 0; !server.requests.some(isPart1) && waited < 20_000; waited += 20) await sleep(20);
    expect(server.requests.some(isPart1)).toBe(true);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const ledgerPath = loadConfig(fleet.config).ledger;
    const ledger = Ledger.open(ledgerPath);
    try {
      expect(ledger.allRecordings().map((row) => row.state)).toEqual(['verified']);
    } finally {
      ledger.close();
    }
    const sqlite = process.getBuiltinModule('node:sqlite') as { DatabaseSync: new (path: string, options: { readOnly: boolean }) => { prepare(sql: string): { all(): unknown[] }; close(): void } };
    const db = new sqlite.DatabaseSync(ledgerPath, { readOnly: true });
    const copies = db.prepare(`SELECT target, state, upload_id FROM copies`).all();
    db.close();
    expect(copies).toEqual([{ target: 'offsite', state: 'uploading', upload_id: expect.stringMatching(/^[0-9a-f]+$/) as string }]);

    const before = (await server.settledRequests()).length;
    const second = await runCamdl(['sync', '--config', fleet.config, '--json'], env);
    expect(second.code).toBe(0);
    const done = events(second.stdout).filter((line) => line.type === 'upload-done');
    expect(done).toMatchObject([{ target: 'offsite', status: 'resumed' }]);
    expect(Number(done[0]!['partsReused'])).toBeGreaterThanOrEqual(1);
    expect((await server.settledRequests()).slice(before).filter(isPart1)).toEqual([]);
    expect(second.stdout + second.stderr).not.toContain(server.secretAccessKey);
  });
});
