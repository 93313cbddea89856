import { startCameraSim, type SimDigestOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, downloadRecordings, findRecordings } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' } as const;
const track = closeAfterEach();

async function searchAndDownload(digest: SimDigestOptions) {
  const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', digest }));
  const client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password }));
  const { recordings } = await findRecordings(client, RANGE);
  expect(recordings.length).toBeGreaterThan(1);
  const dir = track(await makeTempDir());
  const outcomes = await downloadRecordings(client, recordings, { directory: dir.path, maxConcurrent: 2, retryDelay: 0 });
  expect(outcomes.map((outcome) => outcome.status)).toEqual(recordings.map(() => 'downloaded'));
  for (const outcome of outcomes) expect(await sha256File(outcome.path)).toBe(await sim.sha256Of(outcome.recording.filePath));
  expect(sim.counters.searchesLeaked).toBe(0);
  return sim;
}

describe('Amcrest digest variants', () => {
  it('a recorder that answers a reused nonce 403 (no challenge): a fresh challenge each time, every file whole', async () => {
    const sim = await searchAndDownload({ oneTimeNonce: true, replayStatus: 403 });
    // Never taken for a refused login: no lockout counts up.
    expect(sim.counters.challenges).toBeGreaterThan(1);
  });

  it('an empty opaque="" is echoed as such', async () => {
    const sim = await searchAndDownload({ opaque: '' });
    expect(sim.counters.authFailures).toBe(0);
  });

  it('qop="auth,auth-int" and an algorithm named beside the opaque: auth, the opaque echoed', async () => {
    const sim = await searchAndDownload({ qop: 'auth,auth-int', algorithms: ['SHA-256', 'MD5'] });
    expect(Object.keys(sim.counters.authorized)).toEqual(['SHA-256 auth']);
    expect(sim.counters.authFailures).toBe(0);
  });
});
