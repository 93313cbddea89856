import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@camdl/test-utils';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, events, runCamdl, syntheticArchives, type CamdlFleet } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl sync, the first hours with a fleet', () => {
  const startCamdlFleet = camdlFleetsClosedAfterEach();
  let fleet: CamdlFleet | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('a camera whose recordings are all outside the window says how many and their span (dry run and real, piped and JSON)', async () => {
    // The archives are from March 2026; a window of the last day holds none of them (a wrong camera clock looks the same).
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(8, 1000) } }, extra: ['time-zone: UTC', 'since: 1d'] }]);
    const warning = /^WARN {2}cam0: nothing on the camera in the window, but 8 recording\(s\) outside it \(2026-03-01T00:00:00\.000Z \.\. 2026-03-08T00:\d\d:00\.\d{3}Z\): check the camera's clock and since:\/until:$/m;
    const dry = await runCamdl(['sync', '--config', fleet.config, '--dry-run'], fleet.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(warning);
    expect(dry.stdout).toMatch(/^LIST {2}cam0: 0 on the camera in the window, 0 archived, 0 to fetch; 8 outside the window \(2026-03-01T00:00:00\.000Z \.\. 2026-03-08T00:\d\d:00\.\d{3}Z\)$/m);
    const real = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(real.stderr).toMatch(warning);
    const json = await runCamdl(['sync', '--config', fleet.config, '--json'], fleet.env);
    const listed = events(json.stdout).find((event) => event.type === 'camera-listed');
    expect(listed?.['outsideWindow']).toMatchObject({ count: 8, firstMs: Date.parse('2026-03-01T00:00:00Z') });
  });

  it('--dry-run says what it would fetch and upload, changes nothing, and exits 0', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 2048) } }, extra: ['time-zone: UTC'] }]);
    const config = await readFile(fleet.config, 'utf8');
    await mkdir(join(fleet.dir.path, 'usb'));
    await writeFile(fleet.config, config.replace('archive: ./archive\n', `archive: ./archive\ntargets:\n  - name: usb\n    kind: directory\n    path: ${join(fleet.dir.path, 'usb')}\n`));
    const dry = await runCamdl(['sync', '--config', fleet.config, '--dry-run'], fleet.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('\nDry run: would fetch 3 file(s) (6.00 KiB) from 1 camera(s); nothing was downloaded or changed.\nDry run: would upload 3 copies to usb\n');
    expect(dry.stdout).not.toMatch(/^Done\./m);
    const json = await runCamdl(['sync', '--config', fleet.config, '--dry-run', '--json'], fleet.env);
    expect(json.code).toBe(0);
    expect(events(json.stdout).at(-1)).toMatchObject({ type: 'run-done', exitCode: 0, summary: { plan: { files: 3, bytes: 6144, copies: [{ target: 'usb', files: 3 }] } } });
    const real = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(real.code, real.stdout).toBe(0);
    expect(real.stdout).toMatch(/^Done\. downloaded=3 /m);
  });

  it('--quiet prints nothing when nothing happened, the summary when something did, and problems always', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 1000) } }, extra: ['time-zone: UTC'] }]);
    const first = await runCamdl(['sync', '--config', fleet.config, '--quiet'], fleet.env);
    expect(first.code, first.stderr).toBe(0);
    // An alert is a problem: printed even with --quiet, once.
    expect(first.stdout).toMatch(/^ALERT opened camera-silent cam0: /m);
    expect(first.stdout).toMatch(/^Done\. downloaded=2 /m);
    expect(first.stdout).not.toContain('SAVE');
    const second = await runCamdl(['sync', '--config', fleet.config, '--quiet'], fleet.env);
    expect(second).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const port = await findFreePort();
    const config = await readFile(fleet.config, 'utf8');
    await writeFile(fleet.config, config.replace(fleet.sims[0]!.url, `http://127.0.0.1:${port}`));
    const down = await runCamdl(['sync', '--config', fleet.config, '--quiet'], fleet.env);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain(`FAIL  cam0: cannot reach the camera at http://127.0.0.1:${port}: connection refused (ERR_TIMELAPSE_NETWORK)`);
    expect(down.stdout).toMatch(/^Done\. .* not-ok: cam0 \(failed\)$/m);
  });

  it('piped lines start with the time, one format in every line', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 1000) } }, extra: ['time-zone: UTC'] }]);
    const before = Date.now();
    const run = await runCamdl(['sync', '--config', fleet.config], { ...fleet.env, CAMDL_TIMESTAMPS: '' });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const stamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (LIST|SAVE|RISK|ALERT|Done\.) /.exec(line);
      expect(stamp, line).not.toBeNull();
      expect(Date.parse(stamp![1]!)).toBeGreaterThanOrEqual(before);
    }
    const plain = await runCamdl(['sync', '--config', fleet.config, '--no-timestamps'], { ...fleet.env, CAMDL_TIMESTAMPS: '' });
    expect(plain.stdout).toMatch(/^Done\. downloaded=0 /);
  });

  // camdl sync words network errors as the single-camera tools do

  it('https:// against an http camera says to try http://; a wrong kind: gets a hint', async () => {
    fleet = await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 1000) } }, extra: ['time-zone: UTC'] },
      { sim: { profile: 'amcrest', content: 'tiny' } },
    ]);
    const config = await readFile(fleet.config, 'utf8');
    const [timelapse, amcrest] = fleet.sims as [CamdlFleet['sims'][0], CamdlFleet['sims'][0]];
    const https = timelapse.url.replace('http://', 'https://');
    await writeFile(fleet.config, config.replace(`host: ${timelapse.url}`, `host: ${https}`).replace('kind: amcrest', 'kind: timelapse'));
    const run = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL  cam0: ${https} does not answer TLS: try ${timelapse.url}`);
    expect(run.stdout).toMatch(new RegExp(`^FAIL {2}cam1: .*404.*: the camera has no such page; is kind: timelapse right\\? \\(it expects an Axis camera with the Timelapse2 or TimelapseMe app\\)$`, 'm'));
    expect(run.stdout).not.toContain(amcrest.password);
  });

  // an archive that cannot be written

  it('archive: /proc/camdl fails at once naming the archive: key (no spin), exit 2', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 1000) } }, extra: ['time-zone: UTC'] }]);
    const config = await readFile(fleet.config, 'utf8');
    await writeFile(fleet.config, config.replace('archive: ./archive', 'archive: /proc/camdl'));
    const started = Date.now();
    const run = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`camdl: ${fleet.config}: archive: /proc/camdl: cannot write to /proc/camdl: no such file or directory (ENOENT)`);
    expect(fleet.sims[0]!.counters.requests['download'] ?? 0).toBe(0);
  });

  it('an archive path that is a file, and a camera folder that cannot be made: one clear line each, nothing downloaded', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 1000) } }, extra: ['time-zone: UTC'] }]);
    await writeFile(fleet.archive, 'a file where the archive should be');
    const file = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(`archive: ${fleet.archive}: cannot write to ${fleet.archive}: ${fleet.archive} is not a folder (ENOTDIR)`);
    await rm(fleet.archive);
    await mkdir(fleet.archive);
    // The camera's folder is taken by a file: every download would fail alike.
    await writeFile(join(fleet.archive, 'cam0'), 'in the way');
    const run = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(run.code).toBe(1);
    const fails = run.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(fails).toEqual([`FAIL  cam0: archive: ${fleet.archive}: cannot write to ${join(fleet.archive, 'cam0')}: ${join(fleet.archive, 'cam0')} is not a folder (ENOTDIR); fix its permissions (the files stay to fetch) (ERR_SYNC_CONFIG)`]);
    expect(run.stdout).toMatch(/^Done\. downloaded=0 .* pending=3 cameras=1 not-ok: cam0 \(failed\)$/m);
    expect(fleet.sims[0]!.counters.requests['download'] ?? 0).toBe(0);
  });

  it('camdl init -c /nodir/x.yaml says the folder does not exist', async () => {
    const run = await runCamdl(['init', '-c', '/nonexistent-camdl-dir/x.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('camdl: cannot write the config /nonexistent-camdl-dir/x.yaml: the folder /nonexistent-camdl-dir does not exist (create it first, or give --config another path)\n');
  });
});
