import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CameraSim } from '@camdl/camera-sim';
import { missingSystemTools, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { runAmcrestDl, simulatorArgs, spawnAmcrestDl, useSimulatorSuite, waitFor } from './amcrest-dl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

describe.skipIf(skip)('amcrest-dl downloads (built binary against the camera simulator)', () => {
  const suite = useSimulatorSuite();
  let sim: CameraSim | undefined;
  const args = (camera: CameraSim, extra: string[]): string[] => simulatorArgs(camera, suite.dir.path, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--camera-tz', 'America/New_York', ...extra]);
  const videosOf = (camera: CameraSim) => camera.recordings.filter((recording) => recording.type === 'mp4');

  it('runs 4 downloads at once; one failing twice recovers on its third attempt', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'demo' });
    const flaky = videosOf(sim)[2]!.filePath;
    sim.setFaults([
      { route: 'RPC_Loadfile', match: flaky, attempts: [1, 2], kind: 'status', status: 503 },
      // Slow enough that downloads overlap.
      { route: 'RPC_Loadfile', kind: 'slow', bytesPerSec: 150_000 },
    ]);
    const run = await runAmcrestDl(args(sim, ['--no-merge', '--retry-delay', '0.05']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(sim.faults.attemptsOf('RPC_Loadfile', flaky)).toBe(3);
    expect(run.stdout.match(/^WARN .*retry/gm)).toHaveLength(2);
    // 4 downloads overlap; the simulator may still be finishing one response (its handler ends after the
    // last byte is flushed) when the client already started the next file: hence at most 5.
    expect(sim.counters.peakConcurrentRequests).toBeGreaterThanOrEqual(4);
    expect(sim.counters.peakConcurrentRequests).toBeLessThanOrEqual(5);
    const parts = join(suite.dir.path, '.amcrest_download');
    for (const recording of videosOf(sim)) {
      const name = (await readdir(parts)).find((file) => file.startsWith(`${recording.startTime.slice(0, 10)}_${recording.startTime.slice(11).replaceAll(':', '.')}`));
      expect(name).toBeDefined();
      expect(await sha256File(join(parts, name!))).toBe(recording.sha256);
    }
  });

  it('a camera with one-time nonces and a connection cap: every file arrives, never more than max-concurrent + 1 connections, no auth loop', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'tiny', digest: { oneTimeNonce: true }, maxConnections: 3 });
    const run = await runAmcrestDl(args(sim, ['--no-merge', '--max-concurrent', '2', '--retry-delay', '0.05']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    const videos = videosOf(sim);
    expect((await readdir(join(suite.dir.path, '.amcrest_download'))).filter((name) => name.endsWith('.mp4'))).toHaveLength(videos.length);
    expect(sim.counters.peakConnections).toBeLessThanOrEqual(3);
    expect(sim.counters.searchesLeaked).toBe(0);
    // Each request may need one fresh challenge after a refused reused nonce, never more.
    const apiRequests = sim.counters.totalRequests - (sim.counters.requests['RPC_Loadfile'] ?? 0);
    expect(sim.counters.requests['RPC_Loadfile']).toBeLessThanOrEqual(videos.length * 3);
    expect(apiRequests).toBeLessThan(50);
  });

  it('a failure that does not recover: exit 1, nothing merged, and the re-run fetches only that file', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'demo' });
    const broken = videosOf(sim)[4]!.filePath;
    sim.setFaults([{ route: 'RPC_Loadfile', match: broken, kind: 'status', status: 500 }]);
    const failed = await runAmcrestDl(args(sim, ['--max-retries', '1', '--retry-delay', '0.01']), { password: sim.password });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL /m);
    expect(failed.stdout).toContain('Not merging an incomplete set');
    expect((await readdir(suite.dir.path)).filter((name) => name.endsWith('.mp4'))).toEqual([]);

    sim.setFaults([]);
    const before = new Map(videosOf(sim).map((recording) => [recording.filePath, sim!.faults.attemptsOf('RPC_Loadfile', recording.filePath)]));
    const again = await runAmcrestDl(args(sim, []), { password: sim.password });
    expect(again.code, again.stderr).toBe(0);
    for (const recording of videosOf(sim)) {
      const extra = sim.faults.attemptsOf('RPC_Loadfile', recording.filePath) - (before.get(recording.filePath) ?? 0);
      expect(extra, recording.filePath).toBe(recording.filePath === broken ? 1 : 0);
    }
    expect(existsSync(join(suite.dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.mp4'))).toBe(true);
  });

  it('after SIGKILL mid-download, a re-run downloads only what is missing and resumes the partial file', async () => {
    sim = await suite.start({ profile: 'amcrest', content: 'demo', amcrest: { rangeSupport: true } });
    const camera = sim;
    const stalled = videosOf(camera)[5]!;
    camera.setFaults([{ route: 'RPC_Loadfile', match: stalled.filePath, kind: 'stall', ms: 60_000, afterBytes: 8_000 }]);
    const parts = join(suite.dir.path, '.amcrest_download');
    const complete = async (): Promise<string[]> =>
      existsSync(parts) ? (await readdir(parts)).filter((name) => name.endsWith('.mp4')) : [];
    const cli = spawnAmcrestDl(args(camera, ['--max-concurrent', '2']), { password: camera.password });
    await waitFor(async () => camera.faults.attemptsOf('RPC_Loadfile', stalled.filePath) >= 1 && (await complete()).length >= 8, 'the stalled file and 8 complete ones');
    cli.child.kill('SIGKILL');
    await cli.done;
    const doneBefore = await complete();
    expect(doneBefore.length).toBeLessThan(15);
    const attemptsBefore = new Map(videosOf(camera).map((recording) => [recording.filePath, camera.faults.attemptsOf('RPC_Loadfile', recording.filePath)]));

    camera.setFaults([]);
    const run = await runAmcrestDl(args(camera, ['--keep-files']), { password: camera.password });
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout.match(/^SKIP .*already downloaded/gm)).toHaveLength(doneBefore.length);
    const refetched = videosOf(camera).filter((recording) => camera.faults.attemptsOf('RPC_Loadfile', recording.filePath) > attemptsBefore.get(recording.filePath)!);
    expect(refetched).toHaveLength(15 - doneBefore.length);
    expect(refetched.map((recording) => recording.filePath)).toContain(stalled.filePath);
    expect(run.stdout).toContain('resuming at');
    for (const recording of videosOf(camera)) {
      const name = `${recording.startTime.slice(0, 10)}_${recording.startTime.slice(11).replaceAll(':', '.')}-${recording.endTime.slice(11).replaceAll(':', '.')}_ch1.mp4`;
      expect(await sha256File(join(parts, name))).toBe(recording.sha256);
    }
  });
});
