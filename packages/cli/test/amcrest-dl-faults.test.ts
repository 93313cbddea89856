import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, type FaultServer, type TempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { runAmcrestDl } from './amcrest-dl-helpers.js';
import { AMCREST_END, AMCREST_FIND_FILE, AMCREST_START, keyValues, mp4Bytes, searchPage, serveAmcrest, useFaultCamera } from './fault-cameras.js';

// Never lose footage: a broken Amcrest camera, on the wire, against the built binary.

const startFaultCamera = useFaultCamera('camdl-amfault-');

async function setup(): Promise<{ server: FaultServer; dir: TempDir; args: string[] }> {
  const { server, dir } = await startFaultCamera();
  const args = ['--host', server.origin, '--username', 'admin', '--start', AMCREST_START, '--end', AMCREST_END, '--output-dir', dir.path, '--camera-tz', 'UTC', '--no-merge', '--no-progress', '--retry-delay', '0'];
  return { server, dir, args };
}

const searchActions = (server: FaultServer): string[] =>
  server.requests.filter((request) => request.path === '/cgi-bin/mediaFileFind.cgi').map((request) => /action=([a-zA-Z.]+)/.exec(request.target)?.[1] ?? '');

describe('amcrest-dl against a broken camera', () => {
  it('11.5: a Connection: close short body under the rate limiter is a clean retry', async () => {
    const { server, dir, args } = await setup();
    const content = mp4Bytes(2 * 1024 * 1024, 71);
    const path = '/mnt/sd/2026-01-16/001/dav/10/10.00.00-10.08.00[M][0@0][0].mp4';
    serveAmcrest(
      server,
      [
        keyValues({
          found: 1,
          'items[0].Channel': 0,
          'items[0].Duration': 480,
          'items[0].StartTime': '2026-01-16 10:00:00',
          'items[0].EndTime': '2026-01-16 10:08:00',
          'items[0].FilePath': path,
          'items[0].Length': content.length,
          'items[0].Type': 'dav',
        }),
      ],
      { [path]: content },
    );
    server.queueFaults(`/cgi-bin/RPC_Loadfile${path}`, { kind: 'close', afterBytes: 700_000 });
    const run = await runAmcrestDl([...args, '--rate-limit', '20', '--max-retries', '2'], { password: 'pw' });
    expect(run.stderr).not.toMatch(/AssertionError|ERR_ASSERTION/);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const stored = await readFile(join(dir.path, '.amcrest_download', '2026-01-16_10.00.00-10.08.00_ch1.mp4'));
    expect(sha256(stored)).toBe(sha256(content));
  });

  it('11.7: a search answer trickling one byte at a time fails within the timeout, and the search is closed', async () => {
    const { server, args } = await setup();
    serveAmcrest(server, [searchPage(0, 3)]);
    server.queueFaults(AMCREST_FIND_FILE, { kind: 'trickle', bytes: 1, intervalMs: 1500 });
    const started = Date.now();
    const run = await runAmcrestDl([...args, '--timeout', '2'], { password: 'pw' });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/deadline|timed out|Timeout/i);
    expect(Date.now() - started).toBeLessThan(2000 + 8000);
    expect(searchActions(server)).toEqual(expect.arrayContaining(['close', 'destroy']));
  });

  it('11.8: a search whose pages never end stops with a clear error, and the search is closed and destroyed', async () => {
    const { server, args } = await setup();
    // A one-hour window, and a new page of 100 items every time: 6,000 "recordings" and counting.
    serveAmcrest(server, Array.from({ length: 60 }, (_, page) => searchPage(page * 100, 100)));
    const run = await runAmcrestDl(args, { password: 'pw' });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/more results than the window can hold|never ends/);
    const actions = searchActions(server);
    expect(actions.slice(-2)).toEqual(['close', 'destroy']);
    // Stopped once the count passed one per second of the window, not after all 60 pages.
    expect(actions.filter((action) => action === 'findNextFile').length).toBeLessThanOrEqual(38);
  });
});
