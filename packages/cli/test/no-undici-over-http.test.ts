import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { makeSelfSignedCert, makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AMCREST_DL_BIN } from './amcrest-dl-helpers.js';
import { CAMDL_BIN, startCamdlFleet, type CamdlFleet } from './camdl-helpers.js';
import { createBinProbe, type BinProbe } from './probed-bin.js';
import type { BinRun } from './spawn-bin.js';
import { BIN as TIMELAPSE2_DL_BIN } from './timelapse2-dl-helpers.js';

// Issue 13: undici's start-up (about 0.25 s of CPU and 29 MiB) is paid only where it is needed.
// Over plain http every request of the three CLIs (listings, searches, downloads) goes through
// DownloadAgent's lean reader, so undici is never loaded; an https camera loads it (the control).

let dir: TempDir;
let probe: BinProbe;
let sim: CameraSim | undefined;
let fleet: CamdlFleet | undefined;

beforeAll(async () => {
  dir = await makeTempDir('camdl-no-undici-');
  // At exit, lists the undici modules the process loaded (CommonJS cache).
  probe = await createBinProbe(dir.path, [
    "import { createRequire } from 'node:module';",
    "import { writeFileSync } from 'node:fs';",
    'const require = createRequire(import.meta.url);',
    "process.on('exit', () => writeFileSync(process.env.CAMDL_PROBE_OUT, JSON.stringify(Object.keys(require.cache).filter((path) => /[\\\\/]undici[\\\\/]/.test(path)))));",
  ]);
});
afterAll(async () => {
  await dir?.cleanup();
});
afterEach(async () => {
  await sim?.close();
  await fleet?.close();
  sim = undefined;
  fleet = undefined;
});

async function runProbed(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ run: BinRun; undici: string[] }> {
  // Lines without time stamps, as the assertions match them.
  const { run, report } = await probe.run<string[]>(bin, args, { env: { CI: '1', NO_COLOR: '1', CAMDL_TIMESTAMPS: '0', ...env } });
  return { run, undici: report };
}

describe('plain-http runs never load undici (built binaries)', () => {
  it('timelapse2-dl: listing, digest auth and downloads', async () => {
    sim = await startCameraSim({ profile: 'timelapse3', content: 'tiny' });
    const { run, undici } = await runProbed(TIMELAPSE2_DL_BIN, ['--host', sim.url, '--user', sim.username, '--outdir', join(dir.path, 't'), '--no-progress'], {
      TIMELAPSE2_DL_PASSWORD: sim.password,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/downloaded=[1-9]/);
    expect(undici).toEqual([]);
  });

  it('amcrest-dl: searches and downloads', async () => {
    sim = await startCameraSim({ profile: 'amcrest', content: 'tiny' });
    const { run, undici } = await runProbed(
      AMCREST_DL_BIN,
      ['--host', sim.url, '--username', sim.username, '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--camera-tz', 'America/New_York', '--no-merge', '--no-progress', '--output-dir', join(dir.path, 'a')],
      { AMCREST_DL_PASSWORD: sim.password },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/SAVE/);
    expect(undici).toEqual([]);
  });

  it('camdl sync: a Timelapse and an Amcrest camera', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse2-v1', content: 'tiny' } }, { sim: { profile: 'amcrest', content: 'tiny' }, extra: ['since: 2026-01-16T00:00:00'] }]);
    const { run, undici } = await runProbed(CAMDL_BIN, ['sync', '--config', fleet.config, '--no-progress'], fleet.env);
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(undici).toEqual([]);
  });

  it('camdl sync: a Hikvision camera (searches and downloads are POSTs and GETs with an XML body)', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'hikvision', timeZone: 'UTC', hikvision: { recordingsPerChannel: 2 } }, extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-18T00:00:00'] }]);
    const { run, undici } = await runProbed(CAMDL_BIN, ['sync', '--config', fleet.config, '--no-progress'], fleet.env);
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout).toMatch(/downloaded=2 /);
    expect(fleet.sims[0]?.counters.totalRequests).toBeGreaterThan(2);
    expect(undici).toEqual([]);
  });

  it('camdl get: a Hikvision camera', async () => {
    sim = await startCameraSim({ profile: 'hikvision', timeZone: 'UTC', hikvision: { recordingsPerChannel: 2 } });
    const { run, undici } = await runProbed(
      CAMDL_BIN,
      ['get', '--kind', 'hikvision', '--host', sim.url, '--user', sim.username, '--password-env', 'HIK_PASSWORD', '--since', '2026-01-16T00:00:00', '--until', '2026-01-18T00:00:00', '--out', join(dir.path, 'h'), '--no-progress'],
      { HIK_PASSWORD: sim.password },
    );
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout.match(/^SAVE /gm)).toHaveLength(2);
    expect(undici).toEqual([]);
  });

  it.skipIf(missingSystemTools('openssl') !== undefined)('the control: a Hikvision camera over https takes undici, searches and downloads with their bodies', async () => {
    const cert = await makeSelfSignedCert(dir.path);
    sim = await startCameraSim({ profile: 'hikvision', timeZone: 'UTC', hikvision: { recordingsPerChannel: 2 }, tls: { key: cert.key, cert: cert.cert } });
    const { run, undici } = await runProbed(
      CAMDL_BIN,
      ['get', '--kind', 'hikvision', '--host', sim.url, '--insecure', '--user', sim.username, '--password-env', 'HIK_PASSWORD', '--since', '2026-01-16T00:00:00', '--until', '2026-01-18T00:00:00', '--out', join(dir.path, 'hs'), '--no-progress'],
      { HIK_PASSWORD: sim.password },
    );
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout.match(/^SAVE /gm)).toHaveLength(2);
    expect(undici.length).toBeGreaterThan(0);
  });

  it.skipIf(missingSystemTools('openssl') !== undefined)('the control: an https camera does load undici', async () => {
    const cert = await makeSelfSignedCert(dir.path);
    sim = await startCameraSim({ profile: 'amcrest', content: 'tiny', tls: { key: cert.key, cert: cert.cert } });
    const { run, undici } = await runProbed(
      AMCREST_DL_BIN,
      ['--host', sim.url, '--username', sim.username, '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--camera-tz', 'America/New_York', '--list', '--no-progress', '--insecure', '--output-dir', join(dir.path, 's')],
      { AMCREST_DL_PASSWORD: sim.password },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(undici.length).toBeGreaterThan(0);
  });
});
