import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { spawnDownload, progressAbove } from './child.js';
import { temporaryPaths } from '../src/index.js';
import { leftovers, useHarness } from './helpers.js';

const SIZE = 3 * 1024 * 1024;
const content = deterministicBytes(SIZE, 11);

const h = useHarness({ '/f': { content } });

describe('interrupted processes', () => {
  it('resumes after the process is killed with SIGKILL mid-download', async () => {
    const dest = h.dest();
    const first = spawnDownload(h.server.url('/f'), dest, { rateLimitMbps: 8 });
    await first.waitFor(progressAbove(400_000));
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(leftovers(dest)).toEqual({ final: false, part: true, sidecar: true });
    const kept = statSync(temporaryPaths(dest).part).size;
    expect(kept).toBeGreaterThan(100_000);

    const second = spawnDownload(h.server.url('/f'), dest);
    const { result } = (await second.waitFor((line) => 'result' in line || 'error' in line)) as { result: { status: string; bytes: number } };
    expect(result.status).toBe('resumed');
    // Exactly the missing bytes were fetched.
    expect(result.bytes).toBe(SIZE - kept);
    expect(h.server.requests.at(-1)?.status).toBe(206);
    expect(await sha256File(dest)).toBe(sha256(content));
    expect(leftovers(dest)).toEqual({ final: true, part: false, sidecar: false });
  });

  it('Ctrl+C during the body stops promptly and leaves only the resumable .part', async () => {
    const dest = h.dest();
    const child = spawnDownload(h.server.url('/f'), dest, { rateLimitMbps: 8 });
    await child.waitFor(progressAbove(200_000));
    const sent = performance.now();
    child.process.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.at - sent).toBeLessThan(1000);
    expect(exit.code).toBe(130);
    expect(child.lines.at(-1)).toEqual({ error: 'ERR_DOWNLOAD_ABORTED' });
    expect(leftovers(dest)).toEqual({ final: false, part: true, sidecar: true });
  });

  it('Ctrl+C during a retry wait stops at once (no waiting out the delay)', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 300_000 });
    const dest = h.dest();
    const child = spawnDownload(h.server.url('/f'), dest, { retryDelay: 30_000 });
    await child.waitFor((line) => (line['event'] as { type?: string } | undefined)?.type === 'retry');
    const sent = performance.now();
    child.process.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.at - sent).toBeLessThan(1000);
    expect(exit.code).toBe(130);
    expect(leftovers(dest)).toEqual({ final: false, part: true, sidecar: true });
  });
});
