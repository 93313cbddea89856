import { closeAfterEach } from '@camdl/test-utils';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, getChannelCount, isAmcrestError, type AmcrestClient } from '../src/index.js';

describe('getChannelCount (against the simulator)', () => {
  const track = closeAfterEach();
  let sim: CameraSim | undefined;
  let client: AmcrestClient | undefined;

  const start = async (amcrest: Parameters<typeof startCameraSim>[0]['amcrest'], password?: string): Promise<AmcrestClient> => {
    sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest }));
    client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: password ?? sim.password }));
    return client;
  };

  it('a camera: devVideoInput getCollect result=1', async () => {
    expect(await getChannelCount(await start({}))).toBe(1);
    expect(sim!.counters.requests['devVideoInput']).toBeGreaterThanOrEqual(1);
  });

  it('a 16-channel recorder: table.MaxRemoteInputChannels=16 (getCollect says 0)', async () => {
    expect(await getChannelCount(await start({ channelCount: 16 }))).toBe(16);
  });

  it('a camera that says it has 4 inputs by getCollect only', async () => {
    expect(await getChannelCount(await start({ channelCount: 4, channelCountAnswer: 'camera' }))).toBe(4);
  });

  it('a device that answers neither: ERR_AMCREST_NO_CHANNEL_COUNT naming both questions', async () => {
    const error = await getChannelCount(await start({ channelCount: 8, channelCountAnswer: 'none' })).catch((caught: unknown) => caught);
    expect(isAmcrestError(error, 'ERR_AMCREST_NO_CHANNEL_COUNT')).toBe(true);
    expect((error as Error).message).toContain('MaxRemoteInputChannels: ERR_AMCREST_NOT_IMPLEMENTED');
    expect((error as Error).message).toContain('getCollect: ERR_AMCREST_NOT_IMPLEMENTED');
  });

  it('a refused login is thrown as such, not taken as "no count"', async () => {
    const error = await getChannelCount(await start({}, 'wrong-password')).catch((caught: unknown) => caught);
    expect(isAmcrestError(error, 'ERR_AMCREST_AUTH')).toBe(true);
    expect(sim!.counters.authFailures).toBe(1);
  });

  it('an abort stops it', async () => {
    const connected = await start({ channelCount: 8 });
    const error = await getChannelCount(connected, { signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
    expect(isAmcrestError(error, 'ERR_AMCREST_ABORTED')).toBe(true);
  });
});
