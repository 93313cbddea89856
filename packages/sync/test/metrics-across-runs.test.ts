import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingSystemTools } from '@camdl/test-utils';
import { collectMetrics, renderExposition, runMonitoredSync, sqliteAvailable, type FleetConfig } from '@camdl/sync';
import { dailyArchives, fleetsClosedAfterEach } from './fleet-helpers.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-04T01:00:00Z');

/** `promtool check metrics` on a text: its exit status and what it said. */
function promtool(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The samples of one family in an exposition text: `labels value` per line. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

describe.skipIf(!sqliteAvailable() || missingSystemTools('promtool') !== undefined)('metrics across runs: counters, stale series, a ledger that cannot be read', () => {
  const startFleet = fleetsClosedAfterEach();

  it('counters never go down: not across runs, and not to 0 while the ledger cannot be read (no sample then)', async () => {
    const fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] }], {
      top: ['notify:', '  - { kind: webhook, url: "http://127.0.0.1:9/hook", timeout: 1 }'],
    });
    const config = fleet.config();
    const failures: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      // A disk under min-free opens an alert on the first run; the dead webhook fails on each.
      await runMonitoredSync(config, { env: fleet.env, now: () => T0 + run * HOUR, measureDisk: async () => ({ freeBytes: 1, totalBytes: 1000 }) });
      const text = renderExposition(await collectMetrics(config, { now: T0 + run * HOUR }));
      expect(promtool(text)).toEqual({ status: 0, output: '' });
      failures.push(...samples(text, 'camdl_notify_failures_total'));
    }
    expect(failures).toEqual(['{channel="webhook",kind="webhook"} 1', '{channel="webhook",kind="webhook"} 2']);

    // The ledger path now holds something that is not a camdl ledger: the exposition says the ledger is
    // down and has no sample of what only the ledger knows (a counter at 0 would be a reset to Prometheus).
    const notALedger = join(fleet.dir.path, 'not-a-ledger.db');
    await writeFile(notALedger, 'this is not a ledger\n');
    const unreadable: FleetConfig = { ...config, ledger: notALedger };
    const text = renderExposition(await collectMetrics(unreadable, { now: T0 + 2 * HOUR, disk: { freeBytes: 500, totalBytes: 1000 } }));
    expect(promtool(text)).toEqual({ status: 0, output: '' });
    expect(samples(text, 'camdl_ledger_up')).toEqual([' 0']);
    for (const family of ['camdl_notify_failures_total', 'camdl_notify_sent_total', 'camdl_alerts_open', 'camdl_recordings', 'camdl_camera_up', 'camdl_archived_bytes']) {
      expect(samples(text, family), family).toEqual([]);
    }
    expect(samples(text, 'camdl_archive_free_bytes')).toEqual([' 500']);
    expect(await readFile(notALedger, 'utf8')).toBe('this is not a ledger\n');
  });

  it('label values with quotes, backslashes, line breaks and non-ASCII are escaped so promtool reads them', () => {
    const hostile = 'gate "north"\\shed\nX{y="1"} 2\r\tÜberwachung';
    const text = renderExposition([{ name: 'camdl_camera_up', help: 'Whether\nthe last run \\ succeeded.', type: 'gauge', samples: [{ labels: { camera: hostile }, value: 1 }] }]);
    expect(promtool(text)).toEqual({ status: 0, output: '' });
    expect(text).toBe(
      '# HELP camdl_camera_up Whether\\nthe last run \\\\ succeeded.\n# TYPE camdl_camera_up gauge\ncamdl_camera_up{camera="gate \\"north\\"\\\\shed\\nX{y=\\"1\\"} 2\r\tÜberwachung"} 1\n',
    );
  });

  it('a camera taken out of the config leaves the textfile at the next run (no stale series)', async () => {
    const fleet = await startFleet(
      [
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] },
        { name: 'crane', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Crane', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] },
      ],
      { top: ['metrics:', '  textfile: ./node-exporter/camdl.prom'] },
    );
    await mkdir(join(fleet.dir.path, 'node-exporter'));
    const textfile = join(fleet.dir.path, 'node-exporter', 'camdl.prom');
    const both = fleet.config();
    await runMonitoredSync(both, { env: fleet.env, now: () => T0 });
    expect(await readFile(textfile, 'utf8')).toContain('camdl_camera_up{camera="crane"} 1');
    const gateOnly: FleetConfig = { ...both, cameras: both.cameras.filter((camera) => camera.name === 'gate') };
    await runMonitoredSync(gateOnly, { env: fleet.env, now: () => T0 + HOUR });
    const text = await readFile(textfile, 'utf8');
    expect(promtool(text)).toEqual({ status: 0, output: '' });
    expect(text).toContain('camdl_camera_up{camera="gate"} 1');
    expect(text).not.toContain('camera="crane"');
  });
});
