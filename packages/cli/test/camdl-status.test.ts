import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, sqliteAvailable } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';
import { assertCamdlBuilt, runCamdl } from './camdl-helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EVERYTHING = new Map([[0, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }]]);
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A UTF-8 terminal, whatever the locale of the machine running the tests. */
const UTF8 = { LANG: 'C.UTF-8', LC_ALL: '', LC_CTYPE: '', NO_COLOR: '' };

/**
 * A fleet as syncs would leave it, written through the Ledger API: `garden`, a daily Timelapse camera
 * (06:00–18:00 UTC) with 40 archives up to yesterday, the one 5 days ago lost; `gate`, whose last run
 * failed with an error body holding a terminal escape.
 */
async function writeFleet(dir: TempDir, now: number): Promise<{ config: string; lostDay: string }> {
  const config = join(dir.path, 'camdl.yaml');
  await writeFile(config, ['archive: ./archive', 'cameras:', ...['garden', 'gate'].flatMap((name) => [`  - name: ${name}`, '    kind: timelapse', '    host: 127.0.0.1:9', '    time-zone: UTC'])].join('\n'));
  const today = Date.parse(`${dayText(now)}T00:00:00Z`);
  const archives = Array.from({ length: 40 }, (_, index) => {
    const startMs = today - (40 - index) * DAY + 6 * HOUR;
    const key = `Site_${dayText(startMs)}`;
    return { channel: 0, remoteKey: key, remoteName: key, fileName: `${key}.mp4`, startMs, endMs: startMs + 12 * HOUR, cameraStart: `${dayText(startMs)} 06:00:00`, size: 1000 };
  });
  const lost = archives[35]!;
  let clock = now - 2 * HOUR;
  const ledger = Ledger.open(loadConfig(config).ledger, { now: () => clock });
  try {
    ledger.stageListing('garden', archives, EVERYTHING);
    ledger.recordListing('garden');
    for (const { id, remote } of ledger.toDownload('garden', undefined, 100)) {
      if (remote.remoteKey !== lost.remoteKey) ledger.markVerified(id!, { localPath: `garden/${remote.fileName}`, size: 1000, sha256: 'a'.repeat(64) });
    }
    ledger.dropListing('garden');
    ledger.stageListing('garden', archives.filter((archive) => archive !== lost), EVERYTHING);
    ledger.markVanishedLost('garden', 'vanished from the camera before it was archived');
    ledger.dropListing('garden');
    for (const [camera, status, error] of [['garden', 'ok', undefined], ['gate', 'ok', undefined], ['gate', 'failed', 'HTTP 500: \u001b[31mred']] as const) {
      clock += 10 * 60_000;
      const run = ledger.startRun({ dryRun: false });
      ledger.startCameraRun(run, camera);
      ledger.finishCameraRun(run, camera, { status, listed: 0, downloaded: 0, bytes: 0, failed: 0, lost: 0, deleted: 0, error });
      ledger.finishRun(run, status === 'ok' ? 'ok' : 'some-failed');
    }
  } finally {
    ledger.close();
  }
  return { config, lostDay: dayText(lost.startMs) };
}

describe.skipIf(!sqliteAvailable())('camdl status for a person (the binary)', () => {
  const track = closeAfterEach();
  let dir: TempDir | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('the verdict per camera first, then a 30-day strip each with its legend; the details only with --verbose', async () => {
    dir = track(await makeTempDir('camdl-status-'));
    const { config, lostDay } = await writeFleet(dir, Date.now());
    const status = await runCamdl(['status', '--config', config], UTF8);
    expect(status.code).toBe(1);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^⚠ garden \\(timelapse\\): last successful sync \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(1\\.[0-9] h ago\\); pending 0, lost 1; lost on ${lostDay}$`));
    expect(lines[1]).toMatch(/^✗ gate \(timelapse\): last successful sync \S+Z \(1\.\d h ago\); pending 0, lost 0; last run failed: HTTP 500: \\x1b\[31mred$/);
    expect(lines[3]).toMatch(/^Last 30 days \(\d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d, camera days, today at the right\):$/);
    // 24 archived days, the lost one 5 days ago, 4 archived, and today (no archive yet) not recorded.
    expect(lines[4]).toBe(`  garden  ${'█'.repeat(24)}✗${'█'.repeat(4)}·`);
    // Known since its first run today.
    expect(lines[5]).toBe(`  gate    ${' '.repeat(29)}·`);
    expect(lines[6]).toBe('  ✗ lost  ○ no archive (the camera\'s cadence expected one)  ▲ at risk  ▒ pending  █ archived  · not recorded  (blank) before camdl knew the camera');
    expect(status.stdout).not.toContain('archives:');

    const verbose = await runCamdl(['status', '--config', config, '--verbose'], UTF8);
    expect(verbose.stdout).toMatch(/^ {2}archives: 39 files, 38\.09 KiB, 39 days \(\S+ \.\. \S+\), daily, gaps 1, pending 0, lost 1, failing 0$/m);
    expect(verbose.stdout).toContain(`\n    lost ${lostDay} (1 recording)\n`);
    expect(verbose.stdout).toContain('\ngate (timelapse): last successful sync ');
  });

  it('plain ASCII when NO_COLOR is set or the locale is not UTF-8', async () => {
    dir = track(await makeTempDir('camdl-status-'));
    const { config } = await writeFleet(dir, Date.now());
    for (const env of [{ ...UTF8, NO_COLOR: '1' }, { ...UTF8, LANG: 'C' }]) {
      const status = await runCamdl(['status', '--config', config], env);
      const lines = status.stdout.split('\n');
      expect(lines[0]).toMatch(/^WARN garden \(timelapse\): /);
      expect(lines[1]).toMatch(/^FAIL gate \(timelapse\): /);
      expect(lines[4]).toBe(`  garden  ${'#'.repeat(24)}X${'#'.repeat(4)}.`);
      expect(lines[6]).toBe('  X lost  o no archive (the camera\'s cadence expected one)  ^ at risk  + pending  # archived  . not recorded  (blank) before camdl knew the camera');
      expect(status.stdout).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });

  it('--camera shows only the cameras named (repeatable); an unknown one exits 2; --json carries a version', async () => {
    dir = track(await makeTempDir('camdl-status-'));
    const { config, lostDay } = await writeFleet(dir, Date.now());
    const one = await runCamdl(['status', '--config', config, '--camera', 'gate'], UTF8);
    expect(one.stdout.split('\n').filter((line) => /^\S/.test(line)).map((line) => line.split(' ')[1])).toEqual(['gate', '30']);
    expect(one.code).toBe(1);
    const both = await runCamdl(['status', '--config', config, '--camera', 'gate', '--camera', 'garden', '--json']);
    const document = JSON.parse(both.stdout);
    expect(document.version).toBe(1);
    expect(document.cameras.map((camera: { name: string }) => camera.name)).toEqual(['garden', 'gate']);
    expect(document.cameras[0]).toMatchObject({ verdict: 'warn', concerns: [{ kind: 'lost', recordings: 1, days: [lostDay] }] });
    expect(document.cameras[0].channels[0].gaps).toEqual([{ reason: 'lost', firstDay: lostDay, lastDay: lostDay, days: 1, recordings: 1 }]);
    expect(document.cameras[0].strip).toHaveLength(30);
    expect(document.cameras[1]).toMatchObject({ verdict: 'fail', lastRun: { status: 'failed', error: 'HTTP 500: \u001b[31mred' } });
    const unknown = await runCamdl(['status', '--config', config, '--camera', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no camera named "nope" (known: garden, gate)');
  });
});
