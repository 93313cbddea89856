import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, findSystemTool, sha256File, startWebDavServer, type WebDavServer } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet, verifyTarget } from '@camdl/sync';
import { collect, dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';
import { addTopLines, treeHashes } from './offsite-helpers.js';

const FAST = { targetTuning: { retryDelayMs: 1 } };

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
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(run.ofType('upload-failed')).toEqual([]);
    expect(run.ofType('target-down')).toEqual([]);
    expect(result.outcome).toBe('ok');
    expect(result.summary.copies).toMatchObject([{ target: 'nas', uploaded: 3, pending: 0 }]);
    const remote = join(server.directory, 'cameras');
    expect(await treeHashes(remote)).toEqual(await treeHashes(fleet.archive));
    expect(run.ofType('snapshot')).toEqual([{ type: 'snapshot', target: 'nas', ok: true, error: undefined }]);
    expect(JSON.stringify(run.events)).not.toContain(server.password);

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
