import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, events, runCamdl, startCamdlFleet, type CamdlFleet } from './camdl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function frames(path: string): { frames: number; size: string } {
  const [width, height, count] = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim().split(',');
  return { frames: Number(count), size: `${width}x${height}` };
}

describe.skipIf(skip)('camdl film (built binary, real ffmpeg)', { timeout: 240_000 }, () => {
  let dir: TempDir;
  let archive: string;

  beforeAll(async () => {
    assertCamdlBuilt();
    dir = await makeTempDir();
    archive = join(dir.path, 'archive', 'North Gate');
    await mkdir(archive, { recursive: true });
    const listing = [];
    // A 1.x AVI and a 3.x MP4, 40 frames each, one a minute; the AVI's name says the later day.
    for (const [index, name] of ['North_Gate_2025_10_02_0000.avi', 'North_Gate_2025_10_01_0000.mp4'].entries()) {
      const codec = name.endsWith('.avi') ? ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=4', ...codec, join(archive, name)]);
      const first = Date.UTC(2025, 8, 30) + index * 86_400_000;
      listing.push({ filename: name, first, last: first + 39 * 60_000 });
    }
    await writeFile(join(archive, 'listing.json'), JSON.stringify(listing));
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  it('makes a film of the asked length from mixed archives, in covered-time order, and reports it as NDJSON', async () => {
    const out = join(dir.path, 'project.mp4');
    const run = await runCamdl(['film', join(dir.path, 'archive'), '--out', out, '--length', '4s', '--stamp', '--size', '320x240', '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const plan = events(run.stdout).find((event) => event.type === 'plan') as { parts: Array<{ path: string }> } | undefined;
    expect(plan?.parts.map((part) => part.path.split('/').pop())).toEqual(['North_Gate_2025_10_02_0000.avi', 'North_Gate_2025_10_01_0000.mp4']);
    expect(frames(out)).toEqual({ frames: 40, size: '320x240' });
    const done = events(run.stdout).find((event) => event.type === 'done');
    expect(done).toMatchObject({ exitCode: 0, frames: 40, width: 320, height: 240 });
  });

  it('--help shows real examples and the film\'s own exit codes', async () => {
    const help = await runCamdl(['film', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n\s+camdl film archive --camera \S+ --out/);
    expect(help.stdout).toContain('several cameras without --camera');
    expect(help.stdout).not.toContain('everything in the window archived');
  });

  it('a short plan unless --dry-run or --verbose; an existing film is kept and --overwrite named', async () => {
    const out = join(dir.path, 'short-plan.mp4');
    const run = await runCamdl(['film', join(dir.path, 'archive'), '--out', out, '--length', '2s', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const plans = (run.stdout + run.stderr).split('\n').filter((line) => line.startsWith('PLAN'));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/^PLAN +2 source\(s\) → 20 frames .*decoding \d+ of 80 source frames/);
    const again = await runCamdl(['film', join(dir.path, 'archive'), '--out', out, '--length', '2s', '--no-progress']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${out} already exists: add --overwrite to replace it`);
    const dry = await runCamdl(['film', join(dir.path, 'archive'), '--out', join(dir.path, 'dry.mp4'), '--length', '2s', '--dry-run', '--no-progress']);
    expect((dry.stdout + dry.stderr).split('\n').filter((line) => line.startsWith('PLAN'))).toHaveLength(3);
  });

  it('usage errors exit 2; an empty folder names it and writes nothing', async () => {
    const both = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--length', '3m', '--speed', '600']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('only one of --length, --speed and --every');
    const badLength = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--length', 'soon']);
    expect(badLength.code).toBe(2);
    const badZone = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--stamp', '--time-zone', 'Mars/Olympus']);
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toContain('unknown time zone "Mars/Olympus"');
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    const none = await runCamdl(['film', empty, '--out', join(dir.path, 'none.mp4')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(empty);
    expect(existsSync(join(dir.path, 'none.mp4'))).toBe(false);
  });

  it('names with control characters are shown escaped (no raw ESC or newline reaches the terminal); a broken one is named', async () => {
    const hostile = join(dir.path, 'hostile');
    await mkdir(hostile);
    const name = 'Gate\u001b[2J\nDone. downloaded=99_2025_10_03_0000.mp4';
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(hostile, name)]);
    const dry = await runCamdl(['film', hostile, '--out', join(dir.path, 'hostile.mp4'), '--dry-run', '--no-progress']);
    expect(dry.code, dry.stderr).toBe(0);
    const all = dry.stdout + dry.stderr;
    expect(all).not.toContain('\u001b');
    expect(all).not.toMatch(/^Done\. downloaded=99/m);
    expect(all).toContain('Gate\\x1b[2J\\nDone. downloaded=99_2025_10_03_0000.mp4');
    // Not media at all: the error names it, escaped, on lines of its own.
    await writeFile(join(hostile, 'Broken\u0007_2025_10_04_0000.mp4'), 'not a video');
    const broken = await runCamdl(['film', hostile, '--out', join(dir.path, 'hostile.mp4'), '--no-progress']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('Broken\\x07_2025_10_04_0000.mp4');
    expect(broken.stderr).not.toContain('\u0007');
    expect(existsSync(join(dir.path, 'hostile.mp4'))).toBe(false);
  });
});

/** The decoded picture of a film, as an MD5 of its raw frames. */
function pictureDigest(path: string): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'md5', '-'], { encoding: 'utf8' }).trim();
}

describe.skipIf(skip || !sqliteAvailable())('camdl film of a camdl sync archive (real sync, real ledger, real ffmpeg)', { timeout: 240_000 }, () => {
  let fleet: CamdlFleet | undefined;
  let pair: CamdlFleet | undefined;
  afterAll(async () => {
    await fleet?.close();
    await pair?.close();
  });

  it("several cameras are refused with their names unless --camera; --stamp shows that camera's zone, not the computer's", async () => {
    assertCamdlBuilt();
    // 06:00 UTC: 15:00 in Tokyo, 01:00 in New York.
    const first = Date.UTC(2026, 2, 1, 6);
    const archives = (name: string): Array<{ filename: string; content: 'media'; durationSec: number; first: number }> => [{ filename: `${name}_2026_03_01_0600`, content: 'media', durationSec: 2, first }];
    pair = await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: archives('Roof') } }, extra: ['time-zone: Asia/Tokyo'] },
      { sim: { profile: 'timelapse3', content: { archives: archives('Gate') } }, extra: ['time-zone: Europe/Berlin'] },
    ]);
    const sync = await runCamdl(['sync', '--config', pair.config], pair.env);
    expect(sync.code, sync.stderr).toBe(0);
    const all = await runCamdl(['film', pair.archive, '--out', join(pair.dir.path, 'all.mp4'), '--no-progress']);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('holds 2 cameras (cam0, cam1): a film is of one camera; add --camera cam0');
    expect(existsSync(join(pair.dir.path, 'all.mp4'))).toBe(false);
    const film = async (name: string, extra: string[], env: NodeJS.ProcessEnv): Promise<string> => {
      const out = join(pair!.dir.path, `${name}.mp4`);
      const run = await runCamdl(['film', pair!.archive, '--camera', 'cam0', '--stamp', '--size', '640x480', '--out', out, '--json', '--no-progress', ...extra], env);
      expect(run.code, run.stderr).toBe(0);
      const plan = events(run.stdout).find((event) => event.type === 'plan') as { parts: Array<{ path: string }> } | undefined;
      expect(plan?.parts.map((part) => part.path.split('/').pop())).toEqual(['Roof_2026_03_01_0600.mp4']);
      return pictureDigest(out);
    };
    // The computer is in New York; the config says the camera is in Tokyo.
    const newYork = { ...pair.env, TZ: 'America/New_York' };
    const fromConfig = await film('config', ['--config', pair.config], newYork);
    expect(fromConfig).toBe(await film('tokyo', ['--time-zone', 'Asia/Tokyo'], {}));
    expect(fromConfig).not.toBe(await film('new-york', ['--time-zone', 'America/New_York'], {}));
  });

  it('orders the archives by the time the ledger says they cover, not by name nor file date', async () => {
    assertCamdlBuilt();
    const day = 86_400_000;
    const first = Date.UTC(2026, 2, 1, 6);
    // In time: Zeta (1 March), Mid (2 March), Alpha (3 March); by name the other way round.
    const archives = ['Zeta', 'Mid', 'Alpha'].map((name, index) => ({ filename: `${name}_2026_03_0${index + 2}_0000`, content: 'media' as const, durationSec: 2, first: first + index * day }));
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives } }, extra: ['time-zone: UTC'] }]);
    await writeFile(fleet.config, (await readFile(fleet.config, 'utf8')).replace('archive: ./archive', 'archive: ./archive\nlayout: "{camera}/{file}"'));
    const sync = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(sync.code, sync.stderr).toBe(0);
    // File dates the other way round too: only the ledger can order them.
    const files = ['Zeta', 'Mid', 'Alpha'].map((name, index) => ({ path: join(fleet!.archive, 'cam0', `${name}_2026_03_0${index + 2}_0000.mp4`), index }));
    for (const file of files) await utimes(file.path, new Date(first + (10 - file.index) * day), new Date(first + (10 - file.index) * day));
    const out = join(fleet.dir.path, 'film.mp4');
    const run = await runCamdl(['film', fleet.archive, '--out', out, '--json', '--no-progress', '--verbose']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`times from the camdl sync ledger ${join(fleet.archive, '.camdl', 'ledger.sqlite')} (3 archived files)`);
    expect(run.stderr).toMatch(/^PLAN .*Zeta_2026_03_02_0000\.mp4 \(time from the camdl sync ledger\)$/m);
    const plan = events(run.stdout).find((event) => event.type === 'plan') as { parts: Array<{ path: string; first: string; last: string; origin: string }> } | undefined;
    expect(plan?.parts.map((part) => [part.path.split('/').pop(), part.origin])).toEqual([
      ['Zeta_2026_03_02_0000.mp4', 'given'],
      ['Mid_2026_03_03_0000.mp4', 'given'],
      ['Alpha_2026_03_04_0000.mp4', 'given'],
    ]);
    const sim = fleet.sims[0]!;
    for (const part of plan!.parts) {
      const archive = sim.archives.find((candidate) => part.path.split('/').pop()!.startsWith(candidate.filename))!;
      expect(Date.parse(part.first)).toBe(archive.first);
      expect(Date.parse(part.last)).toBe(archive.last);
    }
    // A folder inside the archive finds the same ledger.
    const inner = await runCamdl(['film', join(fleet.archive, 'cam0'), '--out', join(fleet.dir.path, 'inner.mp4'), '--dry-run', '--json']);
    expect(inner.code, inner.stderr).toBe(0);
    expect((events(inner.stdout).find((event) => event.type === 'plan') as unknown as { parts: Array<{ origin: string }> }).parts.map((part) => part.origin)).toEqual(['given', 'given', 'given']);
  });
});
