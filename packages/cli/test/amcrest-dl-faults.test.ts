import { makeTempDir, startFaultServer, type FaultServer, type TempDir } from '@camdl/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { runAmcrestDl } from './amcrest-dl-helpers.js';
import { AMCREST_END, AMCREST_FIND_FILE, AMCREST_START, searchPage, serveAmcrest } from './fault-cameras.js';

// issue 11 ("Never lose footage"): a broken Amcrest camera, on the wire, against the built binary.

let server: FaultServer | undefined;
let dir: TempDir | undefined;

afterEach(async () => {
  await server?.close();
  await dir?.cleanup();
  server = undefined;
  dir = undefined;
});

async function setup(): Promise<{ server: FaultServer; dir: TempDir; args: string[] }> {
  server = await startFaultServer();
  dir = await makeTempDir('camdl-amfault-');
  const args = ['--host', server.origin, '--username', 'admin', '--start', AMCREST_START, '--end', AMCREST_END, '--output-dir', dir.path, '--camera-tz', 'UTC', '--no-merge', '--no-progress', '--retry-delay', '0'];
  return { server, dir, args };
}

const searchActions = (server: FaultServer): string[] =>
  server.requests.filter((request) => request.path === '/cgi-bin/mediaFileFind.cgi').map((request) => /action=([a-zA-Z.]+)/.exec(request.target)?.[1] ?? '');

describe('amcrest-dl against a broken camera (issue 11)', () => {
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
