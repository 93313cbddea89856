import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { downloadWithProgress, type DownloadProgress } from '../src/index.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
const content = deterministicBytes(1_000_000, 21);
beforeAll(async () => {
  h = await startHarness({ '/file': { content } });
});
afterAll(async () => {
  await h.close();
});

describe('downloadWithProgress', () => {
  it('yields progress reports as an async iterator, ending with 100 %, then the result', async () => {
    const dest = h.dest('iterated.bin');
    const callback: DownloadProgress[] = [];
    // 1 MB at 20 Mbps: about 0.4 s, so several reports at a 50 ms interval.
    const { progress, result } = downloadWithProgress(h.server.url('/file'), dest, {
      rateLimitMbps: 20,
      progressInterval: 50,
      onProgress: (p) => callback.push(p),
    });
    const seen: DownloadProgress[] = [];
    for await (const report of progress) seen.push(report);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.map((p) => p.bytes)).toEqual([...seen.map((p) => p.bytes)].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ bytes: content.length, total: content.length, percent: 100 });
    expect(callback.length).toBeGreaterThanOrEqual(seen.length);
    expect(await result).toMatchObject({ status: 'downloaded', size: content.length, verified: true });
    expect(await sha256File(dest)).toBe(sha256(content));
  });

  it('ends the iterator on failure; the error comes from result', async () => {
    const { progress, result } = downloadWithProgress(h.server.url('/missing'), h.dest('missing.bin'), { maxRetries: 0 });
    const seen: DownloadProgress[] = [];
    for await (const report of progress) seen.push(report);
    expect(seen).toEqual([]);
    await expect(result).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_HTTP_STATUS', status: 404 });
  });
});
