import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canMountTmpfs, closeAfterEach, mountTmpfs, startHttpReceiver } from '@camdl/test-utils';
import { runMonitoredSync, sqliteAvailable, type FleetConfig, type NotifyMessage } from '@camdl/sync';
import { dailyArchives, startFleet } from './fleet-helpers.js';

const mountable = sqliteAvailable() && canMountTmpfs();
const T0 = Date.parse('2026-03-04T01:00:00Z');

describe.skipIf(!mountable)('disk-low on a small real tmpfs', () => {
  const track = closeAfterEach();

  it('opens disk-low when the archive has less free space than min-free, naming the free space; recovers when it has enough', async () => {
    const webhook = track(await startHttpReceiver());
    const fleet = track(await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { size: 300_000, startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] }], {
      top: ['notify:', `  - { kind: webhook, url: "${webhook.url}/hook" }`, 'alerts:', '  min-free: 50%'],
    }));
    expect(mountTmpfs(fleet.archive, '1m')).toBe(true);
    track({ close: () => spawnSync('umount', ['-l', fleet.archive]) });
    const config = fleet.config();
    const first = await runMonitoredSync(config, { env: fleet.env, now: () => T0 });
    expect(first.outcome).toBe('ok');
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
