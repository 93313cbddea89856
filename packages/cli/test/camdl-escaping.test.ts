import { closeAfterEach } from '@camdl/test-utils';
import { sqliteAvailable } from '@camdl/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCamdlBuilt, runCamdl, startCamdlFleet, syntheticArchives, type CamdlFleet } from './camdl-helpers.js';

/** A window title (OSC 0 … BEL), a colour and a forged line, as a camera's error body. */
const HOSTILE = '\u001b]0;owned\u0007\u001b[31mred\u001b[0m\nDone. downloaded=99';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe.skipIf(!sqliteAvailable())('camdl escapes what a camera sent on every human output (the binary)', () => {
  const track = closeAfterEach();
  let fleet: CamdlFleet | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('sync and status show an error body with control sequences escaped; the other camera is archived', async () => {
    fleet = track(await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 20_000) } }, extra: ['time-zone: UTC', 'max-retries: 0'] },
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 20_000) } }, extra: ['time-zone: UTC', 'max-retries: 0'] },
    ]));
    fleet.sims[0]!.addFault({ route: 'archive', kind: 'status', status: 500, body: HOSTILE });
    const sync = await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env);
    expect(sync.code).toBe(1);
    expect(sync.stdout + sync.stderr).not.toMatch(RAW_CONTROL);
    expect(sync.stdout).toContain('\\x1b]0;owned\\x07\\x1b[31mred\\x1b[0m');
    expect(sync.stdout).toMatch(/SAVE +cam1\//);

    const status = await runCamdl(['status', '--config', fleet.config, '--verbose']);
    expect(status.stdout + status.stderr).not.toMatch(RAW_CONTROL);
    expect(status.stdout).toContain('cam0 (timelapse): last successful sync never; last run failed: ');
    expect(status.stdout).toContain('\\x1b]0;owned\\x07\\x1b[31mred\\x1b[0m');
    expect(status.stdout.split('\n').filter((line) => line.startsWith('Done.'))).toEqual([]);
    expect(status.stdout).toMatch(/^cam1 \(timelapse\): last successful sync \d{4}-/m);
    // JSON carries the raw value (JSON escapes it).
    const json = await runCamdl(['status', '--config', fleet.config, '--json']);
    expect(JSON.parse(json.stdout).cameras[0].lastRun.error).toContain('\u001b]0;owned\u0007');
  });
});
