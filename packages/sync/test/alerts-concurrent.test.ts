import { describe, expect, it } from 'vitest';
import { closeAfterEach, startRawHttpServer } from '@camdl/test-utils';
import { runMonitoredSync, sqliteAvailable, type MonitorEvent } from '@camdl/sync';
import { dailyArchives, fleetsClosedAfterEach } from './fleet-helpers.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-04T01:00:00Z');

describe.skipIf(!sqliteAvailable())('two camdl sync runs at once on one ledger: alerts', () => {
  const startFleet = fleetsClosedAfterEach();
  const track = closeAfterEach();

  it('a condition both runs find is delivered once to each channel, not once per run', async () => {
    // A receiver that takes its time: both runs are delivering at once.
    const hook = track(await startRawHttpServer((socket) => void setTimeout(() => socket.end('HTTP/1.1 204 No Content\r\n\r\n'), 400)));
    const fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] }], {
      top: ['notify:', `  - { kind: webhook, url: "${hook.origin}/hook", timeout: 5 }`],
    });
    const run = async (onStarted?: () => void): Promise<MonitorEvent[]> => {
      const events: MonitorEvent[] = [];
      await runMonitoredSync(fleet.config(), {
        env: fleet.env,
        now: () => T0,
        measureDisk: async () => ({ freeBytes: 1, totalBytes: 1000 }),
        onMonitorEvent: (event) => events.push(event),
        onEvent: (event) => {
          if (event.type === 'camera-start') onStarted?.();
        },
      });
      return events;
    };
    // The second starts once the first has checked its archive (both in this one process share a pid).
    let second!: Promise<MonitorEvent[]>;
    const first = await new Promise<Promise<MonitorEvent[]>>((resolve) => {
      const started = run(() => {
        second ??= run();
        resolve(started);
      });
    });
    const both = [...(await first), ...(await second)];
    expect(hook.requests).toHaveLength(1);
    // The condition opened once, in one of the two runs.
    const opened = both.filter((event) => event.type === 'alert' && event.notice.event === 'opened');
    expect(opened).toHaveLength(1);
    expect(both.filter((event) => event.type === 'notify-failed')).toEqual([]);
    // And the next run has nothing left to send.
    await runMonitoredSync(fleet.config(), { env: fleet.env, now: () => T0 + HOUR, measureDisk: async () => ({ freeBytes: 1, totalBytes: 1000 }) });
    expect(hook.requests).toHaveLength(1);
  });
});
