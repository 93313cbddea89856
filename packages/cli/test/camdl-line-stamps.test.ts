import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, missingSystemTools } from '@camdl/test-utils';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, runCamdl, syntheticArchives } from './camdl-helpers.js';
import { runInTerminal } from './run-in-terminal.js';
import { BIN as TIMELAPSE2_BIN } from './timelapse2-dl-helpers.js';
import { spawnBin } from './spawn-bin.js';

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;
/** Stamps as the piped run decides them itself (the helpers turn them off for the other tests). */
const PIPED = { CAMDL_TIMESTAMPS: '' };

/** Every line of `text` starts with a stamp no earlier than `since`; the lines without their stamps. */
function stampedLines(text: string, since: number): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  expect(lines.length, text).toBeGreaterThan(0);
  return lines.map((line) => {
    expect(line, text).toMatch(STAMP);
    expect(Date.parse(line.slice(0, 24))).toBeGreaterThanOrEqual(since - 1000);
    return line.slice(25);
  });
}

describe.skipIf(!sqliteAvailable())('camdl: every piped line starts with the time (stdout and stderr, every command)', () => {
  const startCamdlFleet = camdlFleetsClosedAfterEach();
  beforeAll(() => assertCamdlBuilt());

  it('an error before any line (a broken config, a missing file, a bad value after parsing) is stamped like the lines; --no-timestamps and CAMDL_TIMESTAMPS=0 leave it out', async () => {
    const dir = await makeTempDir('camdl-stamps-');
    try {
      const broken = join(dir.path, 'broken.yaml');
      await writeFile(broken, 'archive: ./archive\ncameras:\n  - name: x\n    kind: nope\n');
      const since = Date.now();
      for (const command of ['sync', 'status', 'verify', 'report', 'alerts']) {
        const run = await runCamdl([command, '--config', broken], PIPED);
        expect(run.code, `${command}: ${run.stderr}`).toBe(2);
        expect(stampedLines(run.stderr, since), command).toEqual([`camdl: ${broken}:4: kind must be timelapse, amcrest, axis-edge or hikvision, got "nope"`]);
      }
      const missing = await runCamdl(['sync', '--config', join(dir.path, 'missing.yaml')], PIPED);
      expect(stampedLines(missing.stderr, since)[0]).toContain('missing.yaml: cannot read the config (ENOENT)');
      const every = await runCamdl(['sync', '--config', broken, '--every', 'soon'], PIPED);
      expect(every.code).toBe(2);
      expect(stampedLines(every.stderr, since)).toEqual(['camdl: --every must be a duration such as 30m, 1h or 1d, got "soon"']);
      // A message of several lines is stamped on each.
      const typo = await runCamdl(['snyc'], PIPED);
      expect(typo.code).toBe(2);
      expect(stampedLines(typo.stderr, since)[0]).toBe('camdl: unknown command "snyc" (did you mean sync?)');
      const film = await runCamdl(['film', '--camera', 'x', '--length', '10s'], PIPED);
      expect(stampedLines(film.stderr, since)[0]).toMatch(/^camdl: /);

      const off = await runCamdl(['sync', '--config', broken, '--no-timestamps'], PIPED);
      expect(off.stderr).toBe(`camdl: ${broken}:4: kind must be timelapse, amcrest, axis-edge or hikvision, got "nope"\n`);
      const envOff = await runCamdl(['status', '--config', broken], { CAMDL_TIMESTAMPS: '0' });
      expect(envOff.stderr).toBe(`camdl: ${broken}:4: kind must be timelapse, amcrest, axis-edge or hikvision, got "nope"\n`);
      // The help and the version are text to read, not lines of a run.
      const version = await runCamdl(['--version'], PIPED);
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    } finally {
      await dir.cleanup();
    }
  });

  it('a sync warning on stderr and the lines of status, verify, report, alerts, restore and get are stamped; JSON never is', async () => {
    // Two archives in the window, and a second camera whose recordings all lie outside it (a WARN on stderr).
    const fleet = await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 1000) } }, extra: ['time-zone: UTC'] },
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 1000) } }, extra: ['time-zone: UTC', 'since: 1d'] },
    ]);
    const usb = join(fleet.dir.path, 'usb');
    await mkdir(usb);
    await writeFile(fleet.config, (await readFile(fleet.config, 'utf8')).replace('archive: ./archive\n', `archive: ./archive\ntargets:\n  - name: usb\n    kind: directory\n    path: ${usb}\n`));
    const since = Date.now();
    const sync = await runCamdl(['sync', '--config', fleet.config], { ...fleet.env, ...PIPED });
    expect(sync.code, sync.stderr).toBe(0);
    expect(stampedLines(sync.stderr, since)).toContainEqual(expect.stringMatching(/^WARN {2}cam1: nothing on the camera in the window, but 3 recording\(s\) outside it /));
    expect(stampedLines(sync.stdout, since)).toContainEqual(expect.stringMatching(/^Done\. downloaded=2 /));

    const status = await runCamdl(['status', '--config', fleet.config], { ...fleet.env, ...PIPED });
    expect(stampedLines(status.stdout, since).join('\n')).toContain('cam0');
    const verify = await runCamdl(['verify', '--config', fleet.config], { ...fleet.env, ...PIPED });
    expect(stampedLines(verify.stdout, since)).toEqual(['Verified 2 files: all match the ledger']);
    const report = await runCamdl(['report', '--config', fleet.config, '--out', join(fleet.dir.path, 'coverage.html')], { ...fleet.env, ...PIPED });
    expect(stampedLines(report.stdout, since)).toEqual([`Wrote ${join(fleet.dir.path, 'coverage.html')}`]);
    const alerts = await runCamdl(['alerts', '--config', fleet.config], { ...fleet.env, ...PIPED });
    expect(stampedLines(alerts.stdout, since).length).toBeGreaterThan(0);
    const restore = await runCamdl(['restore', '--config', fleet.config, '--target', 'usb', '--out', join(fleet.dir.path, 'restored')], { ...fleet.env, ...PIPED });
    expect(restore.code, restore.stderr).toBe(0);
    const restored = stampedLines(restore.stdout, since);
    expect(restored.filter((line) => line.startsWith('GOT   '))).toHaveLength(2);
    expect(restored.at(-1)).toMatch(/^Restored 2 file\(s\) /);

    const json = await runCamdl(['status', '--config', fleet.config, '--json'], { ...fleet.env, ...PIPED });
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    const verifyJson = await runCamdl(['verify', '--config', fleet.config, '--json'], { ...fleet.env, ...PIPED });
    expect(verifyJson.stdout).toMatch(/^\{"type":"summary"/);

    const sim = fleet.sims[0]!;
    const get = await runCamdl(
      ['get', '--kind', 'timelapse', '--host', sim.url, '--user', sim.username, '--password-env', 'CAM0_PASSWORD', '--since', '2026-03-01T00:00:00Z', '--until', '2026-03-10T00:00:00Z', '--out', join(fleet.dir.path, 'got')],
      { ...fleet.env, ...PIPED },
    );
    expect(get.code, get.stderr).toBe(0);
    expect(stampedLines(get.stdout, since)).toContainEqual(expect.stringMatching(/^SAVE {2}/));
  });

  it.skipIf(missingSystemTools('script') !== undefined)('on a terminal neither the lines nor the error carry a stamp', async () => {
    const fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 1000) } }, extra: ['time-zone: UTC', 'since: 1d'] }]);
    const run = await runInTerminal(['sync', '--config', fleet.config, '--no-progress'], { ...fleet.env, ...PIPED });
    const screen = run.stdout.replaceAll('\r', '');
    expect(screen).toMatch(/^WARN {2}cam0: nothing on the camera in the window/m);
    expect(screen).toMatch(/^Done\. downloaded=0 /m);
    expect(screen).not.toMatch(/^\d{4}-\d\d-\d\dT/m);
    const broken = join(fleet.dir.path, 'broken.yaml');
    await writeFile(broken, 'cameras: [\n');
    const error = await runInTerminal(['status', '--config', broken], PIPED);
    expect(error.stdout).toMatch(/^camdl: .*broken\.yaml/);
  });

  it('timelapse2-dl keeps the seed tool’s lines: no stamp when piped', async () => {
    const run = await spawnBin(TIMELAPSE2_BIN, ['--no-such-option'], { env: { CAMDL_TIMESTAMPS: '1' } }).done;
    expect(run.code).not.toBe(0);
    expect(run.stderr).not.toBe('');
    expect(run.stderr).not.toMatch(/^\d{4}-\d\d-\d\dT/m);
  });
});
