import { join } from 'node:path';
import { startCameraSim, type SimDigestOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createHikvisionClient, searchRecordings, type HikvisionRecording } from '../src/index.js';

const track = closeAfterEach();

async function searchAndDownload(digest: SimDigestOptions) {
  const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'America/Los_Angeles', hikvision: { recordingsPerChannel: 2 }, digest }));
  const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
  const found: HikvisionRecording[] = [];
  for await (const each of searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 01:00:00' })) found.push(each);
  const dir = track(await makeTempDir());
  const result = await client.downloadRecording(found[0]!, join(dir.path, 'a.mp4'));
  expect(result).toMatchObject({ sizeVerified: true });
  expect(await sha256File(join(dir.path, 'a.mp4'))).toBe(sim.hikvision!.recordings[0]!.sha256);
  expect(found).toHaveLength(2);
  return sim;
}

describe('Hikvision digest variants (search and download carry XML bodies)', () => {
  it('qop="auth,auth-int": answers with auth, whose hash does not cover the XML body', async () => {
    const sim = await searchAndDownload({ qop: 'auth,auth-int' });
    expect(Object.keys(sim.counters.authorized)).toEqual(['MD5 auth']);
    expect(sim.counters.authFailures).toBe(0);
  });

  it('SHA-256 offered beside MD5 (algorithm quoted, as App-webs quotes its values): SHA-256 is used', async () => {
    const sim = await searchAndDownload({ algorithms: ['SHA-256', 'MD5'] });
    expect(Object.keys(sim.counters.authorized)).toEqual(['SHA-256 auth']);
  });

  it('a stale nonce (stale="TRUE") is renewed silently mid-run, never counted as a failed login', async () => {
    let now = Date.now();
    const sim = track(await startCameraSim({ profile: 'hikvision', hikvision: { recordingsPerChannel: 1 }, now: () => now, digest: { nonceLifetimeMs: 10_000 } }));
    const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
    expect((await client.listChannels()).length).toBe(1);
    now += 60_000;
    expect((await client.listChannels()).length).toBe(1);
    expect(sim.counters).toMatchObject({ staleChallenges: 1, authFailures: 0 });
  });
});
