import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAxisEdgeClient, exportRecordings, type EdgeRecording } from '../src/index.js';

const track = closeAfterEach();

describe('a camera that closes every connection after its answer, without Connection: close', () => {
  it('paged listing and every export still succeed', async () => {
    const sim = track(await startCameraSim({ profile: 'axis-edge', closeAfterAnswer: true, axisEdge: { recordings: 4, inProgress: false } }));
    const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
    const listed: EdgeRecording[] = [];
    for await (const each of client.listRecordings({ pageSize: 2 })) listed.push(each);
    expect(listed).toHaveLength(4);
    const dir = track(await makeTempDir());
    const outcomes = await exportRecordings(client, listed, { directory: dir.path, retryDelay: 0, maxRetries: 0 });
    expect(outcomes.map((each) => each.status)).toEqual(listed.map(() => 'exported'));
    for (const [index, outcome] of outcomes.entries()) expect(await sha256File(outcome.path)).toBe(sim.axisEdge!.recordings[index]!.exports.matroska.sha256);
    expect(sim.counters.connections).toBe(sim.counters.totalRequests);
  });
});
