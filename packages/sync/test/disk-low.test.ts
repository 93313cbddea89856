import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { canMountTmpfs, startHttpReceiver, type HttpReceiver } from '@camdl/test-utils';
import { runMonitoredSync, sqliteAvailable, type FleetConfig, type NotifyMessage } from '@camdl/sync';
import { dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';

const mountable = sqliteAvailable() && canMountTmpfs();
const T0 = Date.parse('2026-03-04T01:00:00Z');

describe.skipIf(!mountable)('disk-low on a small real tmpfs', () => {
  let fleet: TestFleet | undefined;
  let mounted: string | undefined;
  let webhook: HttpReceiver | undefined;
  afterEach(async () => {
    if (mounted) spawnSync('umount', ['-l', mounted]);
    mounted = undefined;
    await webhook?.close();
    webhook = undefined;
    await fleet?.close();
    fleet = undefined;
  });

  it('opens disk-low when the archive has less free space than min-free, naming the free space; recovers when it has enough', async () => {
    webhook = await startHttpReceiver();
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { size: 300_000, startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] }], {
      top: ['notify:', `  - { kind: webhook, url: "${webhook.url}/hook" }`, 'alerts:', '  min-free: 50%'],
    });
    mkdirSync(fleet.archive);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', fleet.archive]).status).toBe(0);
    mounted = fleet.archive;
    const config = fleet.config();
    const first = await runMonitoredSync(config, { env: fleet.env, now: () => T0 });
    expect(first.exitCode).toBe(0);
    expect(webhook.requests).toHaveLength(1);
    const message = JSON.parse(webhook.requests[0]!.text) as NotifyMessage;
    expect(message.notices).toEqual([
      expect.objectContaining({ event: 'opened', kind: 'disk-low', subject: fleet.archive, message: expect.stringMatching(/^the archive's disk is low: \d+\.\d KiB free of 1\.0 MiB at /), action: expect.stringContaining('Free space') }),
    ]);
    // Enough room by a lower threshold: the same disk recovers.
    const relaxed: FleetConfig = { ...config, alerts: { ...config.alerts, minFree: { bytes: 1024 } } };
    await runMonitoredSync(relaxed, { env: fleet.env, now: () => T0 + 3_600_000 });
    expect(webhook.requests).toHaveLength(2);
    expect((JSON.parse(webhook.requests[1]!.text) as NotifyMessage).notices).toEqual([expect.objectContaining({ event: 'recovered', kind: 'disk-low' })]);
  });
});
