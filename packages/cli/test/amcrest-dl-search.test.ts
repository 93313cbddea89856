import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CameraSim, RecordingSpec } from '@camdl/camera-sim';
import { createAmcrestClient } from '@camdl/amcrest-recordings';
import { describe, expect, it } from 'vitest';
import { jsonEvents, runAmcrestDl, simulatorArgs, spawnAmcrestDl, startRecordingProxy, useSimulatorSuite, waitFor, type CliRun } from './amcrest-dl-helpers.js';

const wall = (utcMs: number): string => new Date(utcMs).toISOString().slice(0, 19).replace('T', ' ');

function minuteRecordings(count: number): RecordingSpec[] {
  const base = Date.UTC(2026, 0, 16, 0, 0, 0);
  return Array.from({ length: count }, (_, index) => ({
    start: wall(base + index * 60_000),
    end: wall(base + (index + 1) * 60_000),
    content: 'synthetic' as const,
    size: 1024,
  }));
}

/**
 * 10-minute recordings by instant from 00:40 EDT to 02:20 EST on 2026-11-01: the repeated hour holds
 * two files labelled 01:00–01:10 etc. (paths `…[0].mp4` and `…[1].mp4`).
 */
function dstRecordings(): RecordingSpec[] {
  const first = Date.UTC(2026, 10, 1, 4, 40);
  return Array.from({ length: 16 }, (_, index) => ({
    start: first + index * 600_000,
    end: first + (index + 1) * 600_000,
    content: 'synthetic' as const,
    size: 2048,
  }));
}

describe('amcrest-dl search (built binary against the camera simulator)', () => {
  const suite = useSimulatorSuite();
  let sim: CameraSim | undefined;
  const base = (camera: CameraSim, extra: string[]): string[] => simulatorArgs(camera, suite.dir.path, extra);
  /** Runs the built amcrest-dl against `camera`, writing into this test's folder. */
  const runOn = (camera: CameraSim, extra: string[]): Promise<CliRun> => runAmcrestDl(base(camera, extra), { password: camera.password });

  it.each(['found=0', 'error-body', '400'] as const)('pages through more than 100 results (end of results: %s) and destroys the search', async (endOfResults) => {
    sim = await suite.start({ profile: 'amcrest', content: { recordings: minuteRecordings(230) }, amcrest: { endOfResults } });
    const run = await runOn(sim, ['--start', '2026-01-16T00:00:00', '--end', '2026-01-16T23:00:00', '--list', '--json', '--camera-tz', 'America/New_York']);
    expect(run.code, run.stderr).toBe(0);
    const recordings = jsonEvents(run.stdout).filter((event) => event['type'] === 'recording');
    expect(recordings).toHaveLength(230);
    expect(new Set(recordings.map((event) => event['path'])).size).toBe(230);
    // create + findFile + 3 pages + the end + close + destroy
    expect(sim.counters.requests['mediaFileFind']).toBe(8);
    expect(sim.counters.searchesDestroyed).toBe(1);
    expect(sim.counters.searchesLeaked).toBe(0);
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
  });

  it('the library closes and destroys the search on an early break and on abort', async () => {
    sim = await suite.start({ profile: 'amcrest', content: { recordings: minuteRecordings(150) } });
    const client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    try {
      let seen = 0;
      for await (const item of client.searchRecordings({ start: '2026-01-16 00:00:00', end: '2026-01-16 23:00:00' })) {
        expect(item.filePath).toMatch(/\.mp4$/);
        if (++seen === 3) break;
      }
      expect(sim.counters.searchesDestroyed).toBe(1);
      const controller = new AbortController();
      const consume = async (): Promise<void> => {
        for await (const _item of client.searchRecordings({ start: '2026-01-16 00:00:00', end: '2026-01-16 23:00:00', signal: controller.signal })) {
          controller.abort(new Error('stop'));
        }
      };
      await expect(consume()).rejects.toMatchObject({ code: 'ERR_AMCREST_ABORTED' });
      expect(sim.counters.searchesCreated).toBe(2);
      expect(sim.counters.searchesDestroyed).toBe(2);
      expect(sim.counters.searchesLeaked).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('sends an instant with an offset as the right camera wall-clock time (%20, no fractions)', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny', timeZone: 'America/New_York' });
    const proxy = suite.track(await startRecordingProxy(sim.port));
    const run = await runAmcrestDl(
      ['--host', proxy.url, '--username', sim.username, '--no-progress', '--list', '--start', '2026-01-16T17:00:00.250-08:00', '--end', '2026-01-16T19:30:00-08:00', '--camera-tz', 'America/New_York'],
      { password: sim.password },
    );
    expect(run.code, run.stderr).toBe(0);
    const find = proxy.targets.find((target) => target.includes('action=findFile'));
    expect(find).toContain('condition.StartTime=2026-01-16%2020:00:00');
    expect(find).toContain('condition.EndTime=2026-01-16%2022:30:00');
    expect(find).not.toContain('+');
    expect(run.stdout).toContain('converted to camera time with America/New_York');
    expect(run.stdout.match(/^LIST /gm)).toHaveLength(3);
  });

  it('without --camera-tz converts with the offset measured from the camera clock and says so', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny', timeZone: 'Asia/Kolkata' });
    const proxy = suite.track(await startRecordingProxy(sim.port));
    const run = await runAmcrestDl(['--host', proxy.url, '--username', sim.username, '--no-progress', '--list', '--start', '2026-01-16T14:30:00Z', '--end', '2026-01-16T16:30:00Z'], {
      password: sim.password,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(proxy.targets.some((target) => target.includes('action=getCurrentTime'))).toBe(true);
    const find = proxy.targets.find((target) => target.includes('action=findFile'));
    // Kolkata has no DST: UTC+05:30 whatever today's date.
    expect(find).toContain('condition.StartTime=2026-01-16%2020:00:00');
    expect(find).toContain('condition.EndTime=2026-01-16%2022:00:00');
    expect(run.stdout).toContain('UTC+05:30 (measured from the camera clock)');
  });

  it('across the autumn DST change keeps exactly the recordings of the instants asked for, none lost or doubled', async () => {
    sim = await suite.start({ profile: 'amcrest', content: { recordings: dstRecordings() }, timeZone: 'America/New_York' });
    const proxy = suite.track(await startRecordingProxy(sim.port));
    const args = (start: string, end: string): string[] => [
      '--host', proxy.url, '--username', sim!.username, '--no-progress', '--list', '--json', '--camera-tz', 'America/New_York', '--start', start, '--end', end,
    ];
    // The first 01:00–02:00 (EDT) only: 05:00Z–06:00Z.
    const first = await runAmcrestDl(args('2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00'), { password: sim.password });
    expect(first.code, first.stderr).toBe(0);
    const expected = sim.recordings
      .filter((recording) => recording.endMs > Date.UTC(2026, 10, 1, 5) && recording.startMs < Date.UTC(2026, 10, 1, 6))
      .map((recording) => recording.filePath);
    const got = jsonEvents(first.stdout).filter((event) => event['type'] === 'recording');
    expect(got.map((event) => event['path'])).toEqual(expected);
    expect(got.map((event) => event['start'])).toEqual(
      sim.recordings.filter((recording) => expected.includes(recording.filePath)).map((recording) => new Date(recording.startMs).toISOString()),
    );
    // The wall clock ran 01:00 → 01:59:59 → 01:00: the search covers the whole span.
    const find = proxy.targets.filter((target) => target.includes('action=findFile')).at(-1);
    expect(find).toContain('condition.StartTime=2026-11-01%2001:00:00');
    expect(find).toContain('condition.EndTime=2026-11-01%2001:59:59');

    // The whole night by instants: every recording exactly once, in order, with distinct local names.
    const all = await runAmcrestDl(args('2026-11-01T04:40:00Z', '2026-11-01T07:20:00Z'), { password: sim.password });
    expect(all.code, all.stderr).toBe(0);
    const allEvents = jsonEvents(all.stdout).filter((event) => event['type'] === 'recording');
    expect(allEvents.map((event) => event['path'])).toEqual(sim.recordings.map((recording) => recording.filePath));
    expect(new Set(allEvents.map((event) => event['fileName'])).size).toBe(16);
    expect(allEvents.filter((event) => String(event['path']).endsWith('[1].mp4')).length).toBeGreaterThan(0);
    expect(jsonEvents(all.stdout).filter((event) => event['type'] === 'gap')).toEqual([]);

    // Camera wall-clock input 01:00–02:00 means both occurrences of the repeated hour.
    const wallClock = await runAmcrestDl(args('2026-11-01T01:00:00', '2026-11-01T02:00:00'), { password: sim.password });
    const wallPaths = jsonEvents(wallClock.stdout)
      .filter((event) => event['type'] === 'recording')
      .map((event) => event['path']);
    expect(new Set(wallPaths).size).toBe(wallPaths.length);
    const inHourOne = sim.recordings.filter((recording) => recording.startTime.slice(11, 13) === '01');
    expect(inHourOne.some((recording) => recording.startMs < Date.UTC(2026, 10, 1, 6))).toBe(true);
    expect(inHourOne.some((recording) => recording.startMs >= Date.UTC(2026, 10, 1, 6))).toBe(true);
    expect(wallPaths).toEqual(expect.arrayContaining(inHourOne.map((recording) => recording.filePath)));
  });

  it('Ctrl+C during the search closes and destroys the search object and exits 130', async () => {
    sim = await suite.start({
      profile: 'amcrest',
      content: 'demo',
      faults: [{ route: 'mediaFileFind', match: 'findNextFile', kind: 'stall', ms: 15_000 }],
    });
    const camera = sim;
    const cli = spawnAmcrestDl(base(camera, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--camera-tz', 'America/New_York']), {
      password: camera.password,
    });
    await waitFor(() => camera.faults.attemptsOf('mediaFileFind', 'findNextFile') >= 1, 'the stalled findNextFile');
    const started = Date.now();
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.stderr).toContain('Interrupted during the search');
    expect(camera.counters.searchesCreated).toBe(1);
    expect(camera.counters.searchesDestroyed).toBe(1);
    expect(camera.counters.searchesLeaked).toBe(0);
    expect(existsSync(join(suite.dir.path, '.amcrest_download'))).toBe(false);
    expect((await readdir(suite.dir.path)).filter((name) => name.endsWith('.mp4'))).toEqual([]);
  });

  it('a wrong password: clear message, exit 2, one failed login only', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny' });
    const run = await runAmcrestDl(base(sim, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00']), { password: 'wrong-password' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('refused the user name or password');
    expect(run.stderr).not.toContain('wrong-password');
    expect(sim.counters.authFailures).toBe(1);
    expect(sim.counters.searchesCreated).toBe(0);
  });

  it('a camera answering "Error Bad Request!" with status 200: clear message, exit 2', async () => {
    sim = await suite.start({
      profile: 'amcrest',
      content: 'tiny',
      amcrest: { errorsAs200: true },
      faults: [{ route: 'mediaFileFind', match: 'findFile', kind: 'status', status: 200, body: 'Error\r\nBad Request!\r\n' }],
    });
    const run = await runOn(sim, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--camera-tz', 'America/New_York']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ERR_AMCREST_BAD_REQUEST');
    expect(run.stderr).toContain('Bad Request!');
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  /** Runs amcrest-dl over a window without recordings: exit 0, the no-recordings line, nothing written. */
  const expectNothingFound = async (camera: CameraSim): Promise<{ stderr: string }> => {
    const run = await runOn(camera, ['--start', '2026-02-01T00:00:00', '--end', '2026-02-01T06:00:00']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('No recordings found on channel 1 between 2026-02-01 00:00:00 and 2026-02-01 06:00:00');
    expect(await readdir(suite.dir.path)).toEqual([]);
    return run;
  };

  it('no recordings in the range: a clear message and exit 0, nothing written', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny' });
    await expectNothingFound(sim);
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
  });

  it('firmware answering findFile 400 for an empty window (with and without Types): "0 recordings", exit 0', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny', amcrest: { emptyWindow: '400' } });
    const run = await expectNothingFound(sim);
    expect(run.stderr).toContain('taken as no recordings');
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  it('an --end before --start (one with an offset, one without) is a usage error; nothing is searched', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny' });
    const run = await runOn(sim, ['--start', '2026-01-16T22:00:00', '--end', '2026-01-16T20:00:00-05:00', '--camera-tz', 'America/New_York']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must be after start');
    expect(run.stderr).toContain('--help');
    expect(sim.counters.searchesCreated).toBe(0);
  });

  it('an existing merged file stops the run before any download (exit 2, file untouched)', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny' });
    const existing = join(suite.dir.path, 'my recording.mp4');
    await writeFile(existing, 'precious');
    const run = await runOn(sim, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--camera-tz', 'America/New_York', '--output-file', 'my recording.mp4']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already exists');
    expect(run.stderr).toContain('--overwrite');
    expect(await readFile(existing, 'utf8')).toBe('precious');
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  it('missing ffmpeg is reported before the camera is even contacted', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny' });
    const run = await runAmcrestDl(base(sim, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00']), {
      password: sim.password,
      env: { FFMPEG_PATH: join(suite.dir.path, 'no-such-ffmpeg') },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apt-get install ffmpeg');
    expect(run.stderr).toContain('--no-merge');
    expect(sim.counters.totalRequests).toBe(0);
  });
});
