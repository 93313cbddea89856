import { readFile, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, events, runCamdl } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl sync: cameras that search by time say what they hold outside an empty window', () => {
  const startCamdlFleet = camdlFleetsClosedAfterEach();
  beforeAll(() => assertCamdlBuilt());

  it('hikvision, axis-edge and amcrest with a window of the last day (their recordings are of January 2026): a WARN with the count and span each', async () => {
    const fleet = await startCamdlFleet([
      { sim: { profile: 'hikvision', timeZone: 'UTC', hikvision: { recordingsPerChannel: 4 } }, extra: ['time-zone: UTC', 'since: 1d'] },
      { sim: { profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 3, inProgress: false } }, extra: ['time-zone: UTC', 'since: 1d'] },
      { sim: { profile: 'amcrest', timeZone: 'UTC', content: 'tiny' }, extra: ['time-zone: UTC', 'since: 1d'] },
    ]);
    const run = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^WARN {2}cam0: nothing on the camera in the window, but 4 recording\(s\) outside it \(2026-01-16T23:30:00\.000Z \.\. 2026-01-17T00:10:00\.000Z\): check the camera's clock and since:\/until:$/m);
    expect(run.stderr).toMatch(/^WARN {2}cam1: nothing on the camera in the window, but 3 recording\(s\) outside it \(2026-01-16T20:00:00\.000Z \.\. 2026-01-16T20:20:06\.000Z\): check the camera's clock and since:\/until:$/m);
    expect(run.stderr).toMatch(/^WARN {2}cam2: nothing on the camera in the window, but 3 recording\(s\) outside it \(2026-01-16T20:00:00\.000Z \.\. 2026-01-16T20:24:00\.000Z\): check the camera's clock and since:\/until:$/m);
    const json = await runCamdl(['sync', '--config', fleet.config, '--json', '--dry-run'], fleet.env);
    const listed = events(json.stdout).filter((event) => event.type === 'camera-listed');
    expect(listed.sort((a, b) => String(a['camera']).localeCompare(String(b['camera']))).map((event) => [event['camera'], event['listed'], event['outsideWindow']])).toEqual([
      ['cam0', 0, { count: 4, firstMs: Date.parse('2026-01-16T23:30:00Z'), lastMs: Date.parse('2026-01-17T00:10:00Z') }],
      ['cam1', 0, { count: 3, firstMs: Date.parse('2026-01-16T20:00:00Z'), lastMs: Date.parse('2026-01-16T20:20:06Z') }],
      ['cam2', 0, { count: 3, firstMs: Date.parse('2026-01-16T20:00:00Z'), lastMs: Date.parse('2026-01-16T20:24:00Z') }],
    ]);
    // A window that holds them: they are fetched, and nothing is said of the outside.
    await writeFile(fleet.config, (await readFile(fleet.config, 'utf8')).replaceAll('since: 1d', 'since: 2026-01-01T00:00:00'));
    const wide = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/^Done\. downloaded=10 /m);
    expect(wide.stdout + wide.stderr).not.toContain('outside');
  });
});
