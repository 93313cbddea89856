import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAxisEdgeClient, exportFileName, exportRecordings, type EdgeRecording } from '../src/index.js';

const track = closeAfterEach();

function recording(id: string, start: string, stop: string, disk = 'SD_DISK'): string {
  return `  <recording diskid="${disk}" recordingid="${id}" starttime="${start}" stoptime="${stop}" recordingstatus="completed" source="1"/>\n`;
}

describe('Axis list.cgi answers with implausible values', () => {
  it('skips recordings with implausible times, durations or over-long ids, warns, and exports the rest', async () => {
    const hostile = [
      recording('far_stop', '2026-01-16T21:00:00Z', '9999-12-31T23:59:59Z'),
      recording('epoch', '1970-01-01T00:00:00Z', '1970-01-01T00:10:00Z'),
      recording('month_long', '2026-01-16T21:00:00Z', '2026-02-16T21:00:00Z'),
      recording('no_date', '2026-01-16T21:00:00Z', '9999-99-99T00:00:00Z'),
      recording('x'.repeat(128), '2026-01-16T21:00:00Z', '2026-01-16T21:10:00Z', 'D'.repeat(128)),
      recording('../&#27;]0;evil&#7;', '2026-01-16T21:00:00Z', '2026-01-16T21:10:00Z'),
    ].join('');
    const sim = track(await startCameraSim({ profile: 'axis-edge', timeZone: 'America/Los_Angeles', axisEdge: { recordings: 2, inProgress: false, extraListXml: hostile } }));
    const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
    const warnings: string[] = [];
    const found: EdgeRecording[] = [];
    for await (const each of client.listRecordings({ onWarning: (message) => warnings.push(message) })) found.push(each);

    expect(found.map((each) => each.recordingId)).toEqual(sim.axisEdge!.recordings.map((each) => each.recordingId));
    expect(warnings.filter((message) => /not plausible/.test(message))).toHaveLength(2);
    expect(warnings.some((message) => /month_long/.test(message) && /longer than/.test(message))).toBe(true);
    expect(warnings.some((message) => /no_date/.test(message))).toBe(true);
    expect(warnings.some((message) => /too long for a file name/.test(message))).toBe(true);
    // The six hostile entries, and the count of 2 that the eight elements sent contradict.
    expect(warnings.some((message) => /counted 2 recordings but sent 8/.test(message))).toBe(true);
    expect(warnings).toHaveLength(7);
    // eslint-disable-next-line no-control-regex -- no raw control character reaches a message
    for (const message of warnings) expect(message).not.toMatch(/[\u0000-\u001f\u007f]/);

    const dir = track(await makeTempDir());
    const outcomes = await exportRecordings(client, found, { directory: dir.path, retryDelay: 1 });
    expect(outcomes.map((each) => each.status)).toEqual(['exported', 'exported']);
    for (const each of found) expect(Buffer.byteLength(exportFileName(each))).toBeLessThanOrEqual(200);
  });

  it('goes by the recordings received when the camera counts fewer matches than it sends', async () => {
    const sim = track(await startCameraSim({ profile: 'axis-edge', timeZone: 'America/Los_Angeles', axisEdge: { recordings: 5, inProgress: false, listTotal: 1 } }));
    const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
    const warnings: string[] = [];
    const found: EdgeRecording[] = [];
    for await (const each of client.listRecordings({ pageSize: 2, onWarning: (message) => warnings.push(message) })) found.push(each);
    expect(found.map((each) => each.recordingId)).toEqual(sim.axisEdge!.recordings.map((each) => each.recordingId));
    expect(warnings).toEqual(['the camera counted 1 recordings but sent 2: went by the recordings received']);
  });
});
