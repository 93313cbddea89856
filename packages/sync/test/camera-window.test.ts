import { describe, expect, it } from 'vitest';
import { cameraWindow, parseConfig } from '@camdl/sync';

/** One Timelapse camera whose window is given as wall-clock times in its own zone. */
function camera(since: string, until: string, timeZone: string) {
  const config = parseConfig(
    [
      'archive: ./archive',
      'cameras:',
      '  - name: gate',
      '    kind: timelapse',
      '    host: http://127.0.0.1:1',
      `    since: "${since}"`,
      `    until: "${until}"`,
      `    time-zone: ${timeZone}`,
    ].join('\n'),
    'camdl.yaml',
  );
  return config.cameras[0]!;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cameraWindow reads wall-clock bounds in the camera zone, DST-correct', () => {
  it('reads a bound in the repeated hour as its earlier instant, so the whole repeated hour is inside', () => {
    // Europe/Berlin, 2026-10-25: 02:00–03:00 happens twice (CEST, then CET).
    const window = cameraWindow(camera('2026-10-25T02:30:00', '2026-10-25T04:00:00', 'Europe/Berlin'), Date.parse('2026-11-01T00:00:00Z'));
    expect(iso(window.startMs)).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(window.endMs)).toBe('2026-10-25T03:00:00.000Z');
  });

  it('reads a bound in the skipped hour shifted forward by the gap', () => {
    // America/New_York, 2026-03-08: 02:00–03:00 does not happen; 02:30 reads as 03:30 EDT.
    const window = cameraWindow(camera('2026-03-08T02:30:00', '2026-03-08T12:00:00', 'America/New_York'), Date.parse('2026-04-01T00:00:00Z'));
    expect(iso(window.startMs)).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(window.endMs)).toBe('2026-03-08T16:00:00.000Z');
  });

  it('reads a bound in the 30-minute gap of Australia/Lord_Howe shifted forward by 30 minutes', () => {
    const window = cameraWindow(camera('2026-10-04T02:15:00', '2026-10-04T12:00:00', 'Australia/Lord_Howe'), Date.parse('2026-11-01T00:00:00Z'));
    expect(iso(window.startMs)).toBe('2026-10-03T15:45:00.000Z');
  });
});
