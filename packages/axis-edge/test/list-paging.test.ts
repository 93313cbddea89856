import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAxisEdgeClient, type EdgeRecording } from '../src/index.js';

const track = closeAfterEach();

describe('list.cgi paging on devices that number results differently', () => {
  it.each([0, 1] as const)('startatresultnumber counted from %i: every recording once, no false count warning, no extra page', async (firstResultNumber) => {
    const sim = track(await startCameraSim({ profile: 'axis-edge', axisEdge: { recordings: 7, inProgress: false, firstResultNumber } }));
    const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
    const warnings: string[] = [];
    const listed: EdgeRecording[] = [];
    for await (const each of client.listRecordings({ pageSize: 3, onWarning: (message) => warnings.push(message) })) listed.push(each);
    expect(listed.map((each) => each.recordingId)).toEqual(sim.axisEdge!.recordings.map((each) => each.recordingId));
    expect(warnings.filter((message) => /counted/.test(message))).toEqual([]);
    // 7 recordings in pages of 3: three pages whichever way the device counts.
    expect(sim.counters.requestsByMethod['GET record/list.cgi']).toBe(1 + 3);
    if (firstResultNumber === 1) expect(warnings).toEqual([expect.stringMatching(/counts results from 1/)]);
    else expect(warnings).toEqual([]);
  });
});

describe('list.cgi paging while the camera removes old recordings', () => {
  it('oldest recordings removed between two pages (ascending): none of the rest is skipped, none listed twice', async () => {
    const sim = track(await startCameraSim({ profile: 'axis-edge', axisEdge: { recordings: 7, inProgress: false } }));
    const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
    const all = sim.axisEdge!.recordings.map((each) => each.recordingId);
    const warnings: string[] = [];
    const listed: EdgeRecording[] = [];
    for await (const each of client.listRecordings({ pageSize: 3, onWarning: (message) => warnings.push(message) })) {
      listed.push(each);
      // The camera's cleanup takes the two oldest once the first page has been read.
      if (listed.length === 3) expect((await client.removeRecordings(listed.slice(0, 2))).map((result) => result.ok)).toEqual([true, true]);
    }
    expect(listed.map((each) => each.recordingId)).toEqual(all);
    expect(warnings).toEqual([expect.stringMatching(/removed while the list was read/)]);
  });
});
