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

  it('usage errors exit 2; an empty folder names it and writes nothing', async () => {
    const both = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--length', '3m', '--speed', '600']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('only one of --length, --speed and --every');
    const badLength = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--length', 'soon']);
    expect(badLength.code).toBe(2);
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

describe.skipIf(skip || !sqliteAvailable())('camdl film of a camdl sync archive (real sync, real ledger, real ffmpeg)', { timeout: 240_000 }, () => {
  let fleet: CamdlFleet | undefined;
  afterAll(async () => {
    await fleet?.close();
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
    const run = await runCamdl(['film', fleet.archive, '--out', out, '--json', '--no-progress']);
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
