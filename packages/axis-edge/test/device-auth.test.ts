import { join } from 'node:path';
import { startCameraSim, type SimDigestOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAxisEdgeClient, exportRecording, type EdgeRecording } from '../src/index.js';

const track = closeAfterEach();

async function start(digest: SimDigestOptions, now?: () => number) {
  const sim = track(await startCameraSim({ profile: 'axis-edge', axisEdge: { recordings: 2, inProgress: false }, digest, ...(now ? { now } : {}) }));
  const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
  const list = async (): Promise<EdgeRecording[]> => {
    const out: EdgeRecording[] = [];
    for await (const each of client.listRecordings()) out.push(each);
    return out;
  };
  return { sim, client, list };
}

describe('Axis edge storage digest variants', () => {
  it.each([
    ['SHA-256 only (MD5 forbidden, FIPS mode)', ['SHA-256'] as const],
    ['SHA-256 with an MD5 fallback', ['SHA-256', 'MD5'] as const],
  ])('%s: lists and exports with SHA-256', async (_name, algorithms) => {
    const { sim, client, list } = await start({ algorithms });
    const recordings = await list();
    expect(recordings).toHaveLength(2);
    const dir = track(await makeTempDir());
    await exportRecording(client, recordings[0]!, join(dir.path, 'a.mkv'));
    expect(await sha256File(join(dir.path, 'a.mkv'))).toBe(sim.axisEdge!.recordings[0]!.exports.matroska.sha256);
    expect(Object.keys(sim.counters.authorized)).toEqual(['SHA-256 auth']);
    expect(sim.counters.authFailures).toBe(0);
  });

  it('an expired nonce gets stale=true and is renewed silently, without a failed login', async () => {
    let now = Date.now();
    const { sim, list } = await start({ nonceLifetimeMs: 30_000 }, () => now);
    expect(await list()).toHaveLength(2);
    now += 31_000;
    expect(await list()).toHaveLength(2);
    expect(sim.counters).toMatchObject({ staleChallenges: 1, authFailures: 0 });
  });
});
