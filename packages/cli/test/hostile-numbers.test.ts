import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sha256, type FaultServer, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAmcrestDl } from './amcrest-dl-helpers.js';
import { runCamdl } from './camdl-helpers.js';
import { AMCREST_END, AMCREST_START, keyValues, mp4Bytes, serveAmcrest, serveTimelapse, useFaultCamera } from './fault-cameras.js';
import { assertBuilt, runCli } from './timelapse2-dl-helpers.js';

// Numbers no camera can mean (a recording ending after the year 275760, a 1e300-byte file), sent by a
// camera on 127.0.0.1 to the built binaries: ignored with a warning, never a crash or a failed file.

const startFaultCamera = useFaultCamera('camdl-hostile-numbers-');

beforeAll(() => assertBuilt());

const noCrash = (run: { stderr: string }): void => {
  expect(run.stderr).not.toMatch(/Invalid time value|AssertionError|\n\s+at /);
};

const PATH_A = '/mnt/sd/2026-01-16/001/dav/10/10.00.00-10.08.00[M][0@0][0].mp4';
const PATH_B = '/mnt/sd/2026-01-16/001/dav/10/10.08.00-10.16.00[M][0@0][0].mp4';

/** A search page: a recording with `Duration=99999999999999` and `Length=1e30`-like, then a sane one. */
function hostileAmcrest(server: FaultServer, a: Buffer, b: Buffer): void {
  serveAmcrest(
    server,
    [
      keyValues({
        found: 2,
        'items[0].Channel': 0,
        'items[0].Duration': '99999999999999',
        'items[0].StartTime': '2026-01-16 10:00:00',
        'items[0].EndTime': '2026-01-16 10:08:00',
        'items[0].FilePath': PATH_A,
        'items[0].Length': '999999999999999999999999',
        'items[0].Type': 'dav',
        'items[1].Channel': 0,
        'items[1].Duration': 480,
        'items[1].StartTime': '2026-01-16 10:08:00',
        'items[1].EndTime': '2026-01-16 10:16:00',
        'items[1].FilePath': PATH_B,
        'items[1].Length': b.length,
        'items[1].Type': 'dav',
      }),
    ],
    { [PATH_A]: a, [PATH_B]: b },
  );
}

async function amcrestSetup(): Promise<{ server: FaultServer; dir: TempDir; args: string[]; a: Buffer; b: Buffer }> {
  const { server, dir } = await startFaultCamera();
  const a = mp4Bytes(40_000, 3);
  const b = mp4Bytes(30_000, 4);
  hostileAmcrest(server, a, b);
  const args = ['--host', server.origin, '--username', 'admin', '--start', AMCREST_START, '--end', AMCREST_END, '--output-dir', dir.path, '--camera-tz', 'UTC', '--no-merge', '--no-progress', '--retry-delay', '0'];
  return { server, dir, args, a, b };
}

describe('implausible numbers from a camera are ignored with a warning', () => {
  it('amcrest-dl --list: Duration=99999999999999 and a 24-digit Length are warned about; both recordings are listed', async () => {
    const { args } = await amcrestSetup();
    const run = await runAmcrestDl([...args, '--list'], { password: 'pw' });
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/Duration "99999999999999" is not plausible \(at most 604800\): ignored/);
    expect(output).toMatch(/Length "999999999999999999999999" is not plausible/);
    expect(output).toContain('10.00.00-10.08.00');
    expect(output).toContain('10.08.00-10.16.00');
  });

  it('amcrest-dl download: the recording with the hostile Duration is saved whole, no part left behind', async () => {
    const { dir, args, a, b } = await amcrestSetup();
    const run = await runAmcrestDl(args, { password: 'pw' });
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const folder = join(dir.path, '.amcrest_download');
    const files = (await readdir(folder)).sort();
    expect(files).toEqual(['2026-01-16_10.00.00-10.08.00_ch1.mp4', '2026-01-16_10.08.00-10.16.00_ch1.mp4']);
    expect(sha256(await readFile(join(folder, files[0]!)))).toBe(sha256(a));
    expect(sha256(await readFile(join(folder, files[1]!)))).toBe(sha256(b));
  });

  it('timelapse2-dl --list: size 1e300 and last 1e300 are warned about, never shown as 9.09e+287 TiB', async () => {
    const { server, dir } = await startFaultCamera();
    const content = mp4Bytes(20_000, 5);
    const listing = JSON.stringify([
      { id: 'Q', filename: 'huge.mp4', size: 1e300, frames: 10, fps: 10, first: 1727560800000, last: 1e300, container: 'mp4' },
      { id: 'Q', filename: 'fine.mp4', size: content.length, frames: 10, fps: 10, first: 1727647200000, last: 1727650800000, container: 'mp4' },
    ]);
    serveTimelapse(server, [{ filename: 'huge.mp4', content }, { filename: 'fine.mp4', content }], { listing });
    const run = await runCli(['--host', server.origin, '--user', 'root', '--pass', 'pw', '--outdir', dir.path, '--no-progress', '--list']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const output = run.stdout + run.stderr;
    expect(output).not.toMatch(/e\+\d+ TiB/);
    expect(output).toMatch(/"huge\.mp4": size 1e\+300 is not plausible/);
    expect(output).toMatch(/"huge\.mp4": last 1e\+300 is not plausible/);
    expect(output).toContain('fine.mp4');
  });
});

describe('camdl with implausible times, from a camera and from an older ledger', () => {
  it('sync archives the camera whole, a lost row holding 1e300 never fails the camera, the report ends', async () => {
    const { server, dir } = await startFaultCamera();
    const a = mp4Bytes(20_000, 6);
    const b = mp4Bytes(21_000, 7);
    const listing = JSON.stringify([
      { id: 'Q', filename: 'Gate_2024_09_29_0000.mp4', size: a.length, frames: 10, fps: 10, first: 1e15, last: 1e300, container: 'mp4' },
      { id: 'Q', filename: 'Gate_2024_09_30_0000.mp4', size: b.length, frames: 10, fps: 10, first: 1727647200000, last: 1727650800000, container: 'mp4' },
    ]);
    serveTimelapse(server, [{ filename: 'Gate_2024_09_29_0000.mp4', content: a }, { filename: 'Gate_2024_09_30_0000.mp4', content: b }], { listing });
    const config = join(dir.path, 'camdl.yaml');
    await writeFile(
      config,
      ['archive: ./archive', 'cameras:', '  - name: gate', '    kind: timelapse', `    host: ${server.origin}`, '    username: root', '    password-env: GATE_PASSWORD', '    time-zone: UTC', '    max-retries: 0', ''].join('\n'),
    );
    const env = { GATE_PASSWORD: 'pw' };
    const first = await runCamdl(['sync', '--config', config, '--no-progress'], env);
    noCrash(first);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/last 1e\+300 is not plausible/);
    // The first frame time is ignored: the day comes from the archive's name.
    const day = join(dir.path, 'archive', 'gate', '2024-09-29');
    expect((await readdir(day)).sort()).toEqual(['Gate_2024_09_29_0000.mp4', 'Gate_2024_09_30_0000.mp4', 'SHA256SUMS']);
    expect(sha256(await readFile(join(day, 'Gate_2024_09_29_0000.mp4')))).toBe(sha256(a));

    // A row an older camdl took from a hostile listing, not fetched, now gone from the camera.
    const db = new DatabaseSync(join(dir.path, 'archive', '.camdl', 'ledger.sqlite'));
    db.prepare(
      `INSERT INTO recordings (camera, channel, remote_key, start_ms, end_ms, camera_start, state, first_seen_ms, last_seen_ms) VALUES ('gate', 0, 'ghost.mp4', 1e300, 1e300, '2024-09-28 00:00:00', 'listed', 1, 1)`,
    ).run();
    db.close();
    const second = await runCamdl(['sync', '--config', config, '--no-progress'], env);
    noCrash(second);
    expect(second.stdout + second.stderr).not.toMatch(/FAIL/);
    expect(second.stdout).toMatch(/LOST .*ghost\.mp4 \(invalid time \(1e\+300\) \.\. invalid time \(1e\+300\)\)/);
    expect(second.code).toBe(1);
    const third = await runCamdl(['sync', '--config', config, '--no-progress'], env);
    expect(third.code, third.stdout + third.stderr).toBe(0);

    const report = await runCamdl(['report', '--config', config, '--out', join(dir.path, 'coverage.html')]);
    noCrash(report);
    expect(report.code, report.stdout + report.stderr).toBe(0);
    expect(report.ms).toBeLessThan(10_000);
    const html = await readFile(join(dir.path, 'coverage.html'), 'utf8');
    expect(html).toContain('ghost.mp4');
    expect(html).not.toMatch(/NaN|Infinity/);
    const status = await runCamdl(['status', '--config', config, '--verbose']);
    noCrash(status);
    expect(status.stdout).toMatch(/archives: 2 files/);
  }, 30_000);
});
