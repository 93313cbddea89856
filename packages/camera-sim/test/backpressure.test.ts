import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach } from '@camdl/test-utils';
import { DigestSession } from './digest-client.js';

describe('large bodies under backpressure', () => {
  const track = closeAfterEach();
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('waiting for drain again and again leaves no listener behind (no MaxListenersExceededWarning)', async () => {
    const size = 8 * 1024 * 1024;
    const sim = track(
      await startCameraSim({ profile: 'timelapse3', password: 'secret', content: { archives: [{ filename: 'Big_2025_09_30_0000', content: 'synthetic', size }] } }),
    );
    const response = await new DigestSession(sim.url, 'admin', 'secret').request(sim.downloadPath(sim.archives[0]!));
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(size);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
