import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteAvailable } from '@camdl/sync';
import { missingSystemTools } from '@camdl/test-utils';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, events, runCamdl } from './camdl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function probe(path: string): { frames: number; seconds: number } {
  const [count, duration] = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames:format=duration', '-of', 'default=nw=1:nk=1', path], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return { frames: Number(count), seconds: Number(duration) };
}

function pictureDigest(path: string): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'md5', '-'], { encoding: 'utf8' }).trim();
}

describe.skipIf(skip || !sqliteAvailable())('camdl film of an Axis edge archive synced as streamed Matroska (built camdl, real ffmpeg)', { timeout: 120_000 }, () => {
  const startCamdlFleet = camdlFleetsClosedAfterEach();
  beforeAll(() => assertCamdlBuilt());

  it('films every synced recording in camera order, with the length asked and stamps in camera time', async () => {
    // Three recordings (4, 5 and 6 s at 10 fps, no Duration, no Cues) at 20:00, 20:10, 20:20 UTC: 05:00… in Tokyo.
    const fleet = await startCamdlFleet([{ sim: { profile: 'axis-edge', timeZone: 'Asia/Tokyo', axisEdge: { recordings: 3, inProgress: false } }, extra: ['time-zone: Asia/Tokyo', 'since: 2026-01-16T00:00:00Z', 'until: 2026-01-18T00:00:00Z'] }]);
    const sync = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(sync.stdout.match(/^SAVE .*\.mkv /gm)).toHaveLength(3);
    const recordings = fleet.sims[0]!.axisEdge!.recordings;

    const film = async (name: string, extra: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; run: Awaited<ReturnType<typeof runCamdl>> }> => {
      const out = join(fleet.dir.path, `${name}.mp4`);
      const run = await runCamdl(['film', fleet.archive, '--camera', 'cam0', '--length', '3s', '--stamp', '--out', out, '--json', '--no-progress', ...extra], { ...fleet.env, ...env });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      return { out, run };
    };
    // The computer is in New York; the config says the camera is in Tokyo.
    const { out, run } = await film('dock', ['--config', fleet.config], { TZ: 'America/New_York' });
    const plan = events(run.stdout).find((event) => event.type === 'plan') as { frames: number; parts: Array<{ path: string; first: string; frames: number; origin: string }> } | undefined;
    // Every recording, all its frames counted, in time order, timed by the camera's listing as the ledger recorded it;
    // filed under the camera's day (20:00 UTC on 16 January is 17 January in Tokyo).
    expect(plan?.parts.map((part) => part.path.split('/').slice(-2).join('/'))).toEqual(recordings.map((recording) => `2026-01-17/${recording.diskId}_${recording.recordingId}.mkv`));
    expect(plan?.parts.map((part) => part.frames)).toEqual(recordings.map((recording) => recording.durationSec * 10));
    expect(plan?.parts.map((part) => Date.parse(part.first))).toEqual(recordings.map((recording) => recording.startMs));
    // 150 frames of 10 fps material to 3 s: 30 frames, as ffprobe counts them in the film.
    const done = events(run.stdout).find((event) => event.type === 'done') as { frames: number; durationSeconds: number } | undefined;
    const probed = probe(out);
    expect(done?.frames).toBe(30);
    expect(probed.frames).toBe(30);
    expect(Math.abs(probed.seconds - 3)).toBeLessThan(0.1);
    // The stamps are the camera's clock: the same picture as with --time-zone Asia/Tokyo, not New York's.
    const tokyo = await film('tokyo', ['--time-zone', 'Asia/Tokyo']);
    const newYork = await film('new-york', ['--time-zone', 'America/New_York']);
    expect(pictureDigest(out)).toBe(pictureDigest(tokyo.out));
    expect(pictureDigest(out)).not.toBe(pictureDigest(newYork.out));
  });
});
