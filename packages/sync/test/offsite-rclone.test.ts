import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, findSystemTool, sha256File, startSftpServer, startWebDavServer, type SftpServer, type WebDavServer } from '@camdl/test-utils';
import { restoreFromTarget, sqliteAvailable, syncFleet, targetFleetStatus, verifyTarget } from '@camdl/sync';
import { collect, dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';
import { addTopLines, treeHashes } from './offsite-helpers.js';

const FAST = { targetTuning: { retryDelayMs: 1 } };

/** A first sync of the fleet's three recordings to "nas": each copied byte for byte, the snapshot sent, no secret in any event. */
async function expectFirstSync(fleet: TestFleet, remote: string, secrets: readonly string[]): Promise<void> {
  const run = collect();
  const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
  expect(run.ofType('upload-failed')).toEqual([]);
  expect(run.ofType('target-down')).toEqual([]);
  expect(result.outcome).toBe('ok');
  expect(result.summary.copies).toMatchObject([{ target: 'nas', uploaded: 3, pending: 0 }]);
  expect(await treeHashes(remote)).toEqual(await treeHashes(fleet.archive));
  expect(run.ofType('snapshot')).toEqual([{ type: 'snapshot', target: 'nas', ok: true, error: undefined }]);
  for (const secret of secrets) expect(JSON.stringify(run.events)).not.toContain(secret);
}

describe.skipIf(!sqliteAvailable() || findSystemTool('rclone') === undefined)('camdl sync with an rclone target (WebDAV on Apache mod_dav)', () => {
  const track = closeAfterEach();
  let fleet: TestFleet | undefined;
  let server: WebDavServer | undefined;

  it('copies the fleet through rclone byte for byte, finds a tampered copy on a deep verify and repairs it; the password stays in rclone\'s config', async () => {
    server = track(await startWebDavServer());
    fleet = track(await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3) } }, extra: ['time-zone: UTC'] }]));
    const obscured = execFileSync('rclone', ['obscure', '-'], { input: server.password, encoding: 'utf8' }).trim();
    const rcloneConfig = join(fleet.dir.path, 'rclone.conf');
    await writeFile(rcloneConfig, `[nas]\ntype = webdav\nurl = ${server.url}\nvendor = other\nuser = ${server.username}\npass = ${obscured}\n`, { mode: 0o600 });
    // The remote's folder must exist (camdl never creates a target's root).
    await mkdir(join(server.directory, 'cameras'));
    // Apache's workers run as nobody when the tests run as root.
    await chmod(join(server.directory, 'cameras'), 0o777);
    await addTopLines(fleet, ['targets:', '  - name: nas', '    kind: rclone', '    remote: "nas:cameras"', `    rclone-config: ${rcloneConfig}`, '    connections: 2']);
    const remote = join(server.directory, 'cameras');
    await expectFirstSync(fleet, remote, [server.password]);

    const victim = 'gate/2026-03-02/Gate_2026_03_03_0000.mp4';
    const bytes = await readFile(join(remote, victim));
    bytes[7] = bytes[7]! ^ 0x55;
    await writeFile(join(remote, victim), bytes);
    const deep = await verifyTarget(fleet.config(), { target: 'nas', deep: true, ...{ tuning: FAST.targetTuning } });
    expect(deep.problems.map((problem) => [problem.path, problem.problem])).toEqual([[victim, 'changed']]);
    const repair = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: repair.onEvent, ...FAST })).outcome).toBe('ok');
    expect(repair.ofType('repair')).toMatchObject([{ target: 'nas', path: victim, what: 'copy' }]);
    expect(await sha256File(join(remote, victim))).toBe(await sha256File(join(fleet.archive, victim)));
  });

  it('a remote defined only by RCLONE_CONFIG_<REMOTE>_* in the environment of the sync reaches rclone, and its password no output', async () => {
    server = track(await startWebDavServer());
    fleet = track(await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]));
    const obscured = execFileSync('rclone', ['obscure', '-'], { input: server.password, encoding: 'utf8' }).trim();
    await mkdir(join(server.directory, 'cameras'));
    await chmod(join(server.directory, 'cameras'), 0o777);
    // An empty config file: the remote exists only in the environment.
    const rcloneConfig = join(fleet.dir.path, 'rclone.conf');
    await writeFile(rcloneConfig, '', { mode: 0o600 });
    await addTopLines(fleet, ['targets:', '  - name: nas', '    kind: rclone', '    remote: "nas:cameras"']);
    const env = {
      ...fleet.env,
      RCLONE_CONFIG: rcloneConfig,
      RCLONE_CONFIG_NAS_TYPE: 'webdav',
      RCLONE_CONFIG_NAS_URL: server.url,
      RCLONE_CONFIG_NAS_VENDOR: 'other',
      RCLONE_CONFIG_NAS_USER: server.username,
      RCLONE_CONFIG_NAS_PASS: obscured,
    };
    const run = collect();
    const result = await syncFleet(fleet.config(), { env, onEvent: run.onEvent, ...FAST });
    expect(run.ofType('target-down')).toEqual([]);
    expect(result.outcome).toBe('ok');
    expect(result.summary.copies).toMatchObject([{ target: 'nas', uploaded: 2, pending: 0 }]);
    expect(await treeHashes(join(server.directory, 'cameras'))).toEqual(await treeHashes(fleet.archive));
    expect(JSON.stringify(run.events)).not.toContain(obscured);
  });
});

describe.skipIf(!sqliteAvailable() || findSystemTool('rclone') === undefined)('camdl sync with an rclone target over SFTP (rclone serve sftp)', () => {
  const track = closeAfterEach();

  /** The fleet's environment defines the sftp remote "nas" (password obscured); no rclone config file of the user's. */
  async function sftpFleet(server: SftpServer, password = server.password): Promise<TestFleet> {
    const fleet = track(await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3) } }, extra: ['time-zone: UTC'] }]));
    await mkdir(join(server.directory, 'cameras'), { recursive: true });
    const rcloneConfig = join(fleet.dir.path, 'rclone.conf');
    await writeFile(rcloneConfig, '', { mode: 0o600 });
    await addTopLines(fleet, ['targets:', '  - name: nas', '    kind: rclone', '    remote: "nas:cameras"', '    connections: 2']);
    Object.assign(fleet.env, {
      RCLONE_CONFIG: rcloneConfig,
      RCLONE_CONFIG_NAS_TYPE: 'sftp',
      RCLONE_CONFIG_NAS_HOST: '127.0.0.1',
      RCLONE_CONFIG_NAS_PORT: String(server.port),
      RCLONE_CONFIG_NAS_USER: server.username,
      RCLONE_CONFIG_NAS_PASS: execFileSync('rclone', ['obscure', '-'], { input: password, encoding: 'utf8' }).trim(),
    });
    return fleet;
  }

  it('copies byte for byte, finds a missing copy on a verify and a changed one on a deep verify, repairs both, restores byte for byte, and reads the site', async () => {
    const server = track(await startSftpServer());
    const fleet = await sftpFleet(server);
    const remote = join(server.directory, 'cameras');
    await expectFirstSync(fleet, remote, [server.password, fleet.env['RCLONE_CONFIG_NAS_PASS']!]);

    const changed = 'gate/2026-03-02/Gate_2026_03_03_0000.mp4';
    const missing = 'gate/2026-03-03/Gate_2026_03_04_0000.mp4';
    const bytes = await readFile(join(remote, changed));
    bytes[7] = bytes[7]! ^ 0x55;
    await writeFile(join(remote, changed), bytes);
    await rm(join(remote, missing));
    expect((await verifyTarget(fleet.config(), { target: 'nas', env: fleet.env, tuning: FAST.targetTuning })).problems.map((problem) => [problem.path, problem.problem])).toEqual([[missing, 'missing']]);
    const deep = await verifyTarget(fleet.config(), { target: 'nas', deep: true, env: fleet.env, tuning: FAST.targetTuning });
    // The missing copy is no longer recorded verified: the deep verify reads back the others.
    expect(deep).toMatchObject({ checked: 2 });
    expect(deep.problems.map((problem) => [problem.path, problem.problem])).toEqual([[changed, 'changed']]);
    const repair = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: repair.onEvent, ...FAST })).outcome).toBe('ok');
    // Two connections: the repairs end in either order.
    expect(repair.ofType('repair').map((event) => [event.path, event.what]).sort()).toEqual([
      [changed, 'copy'],
      [missing, 'copy'],
    ]);
    expect(await treeHashes(remote)).toEqual(await treeHashes(fleet.archive));

    const out = join(fleet.dir.path, 'restored');
    const restored = await restoreFromTarget(fleet.config(), { target: 'nas', out, env: fleet.env, tuning: FAST.targetTuning });
    expect(restored).toMatchObject({ restored: 3, problems: [] });
    expect(await treeHashes(out)).toEqual(await treeHashes(fleet.archive));
    const status = await targetFleetStatus(fleet.config(), 'nas', { env: fleet.env, tuning: FAST.targetTuning });
    expect(status.sites.map((site) => [site.site, site.error, site.cameras.map((camera) => camera.name)])).toEqual([['', undefined, ['gate']]]);
  });

  it('a wrong password: one refused login per run, one line naming the target, the local archive complete, copies pending', async () => {
    const server = track(await startSftpServer());
    const fleet = await sftpFleet(server, 'not-the-password');
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.copies).toMatchObject([{ target: 'nas', uploaded: 0, pending: 3 }]);
    expect([...(await treeHashes(fleet.archive)).keys()].filter((path) => path.endsWith('.mp4'))).toHaveLength(3);
    expect(run.ofType('target-down')).toMatchObject([{ target: 'nas', code: 'ERR_OFFSITE_AUTH' }]);
    expect((await server.log()).filter((line) => line.includes('SSH login failed'))).toHaveLength(1);
    for (const secret of ['not-the-password', fleet.env['RCLONE_CONFIG_NAS_PASS']!]) expect(JSON.stringify(run.events)).not.toContain(secret);
  });
});
