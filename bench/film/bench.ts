/**
 * `createFilm` from N generated Timelapse archives (half 1.x MJPEG AVI, half 3.x H.264 MP4, a listing
 * with first/last): wall time and peak memory (the Node process plus its ffmpeg children, sampled from
 * /proc every 50 ms). Run `pnpm build` first.
 *   pnpm exec tsx bench/film/bench.ts [archives=60] [framesPerArchive=240] [lengthSeconds=60]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const archives = Number(process.argv[2] ?? 60);
const frames = Number(process.argv[3] ?? 240);
const lengthSeconds = Number(process.argv[4] ?? 60);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'packages/media/dist/index.js');
if (!existsSync(dist)) throw new Error('run `pnpm build` first');

const dir = mkdtempSync(join(tmpdir(), 'camdl-film-bench-'));
try {
  const listing = [];
  const day = 86_400_000;
  for (let index = 0; index < archives; index++) {
    const avi = index % 2 === 0;
    const name = `Site_2025_${String(1 + Math.floor(index / 28)).padStart(2, '0')}_${String(1 + (index % 28)).padStart(2, '0')}_0000.${avi ? 'avi' : 'mp4'}`;
    const source = `testsrc2=size=640x360:rate=10:duration=${frames / 10}`;
    const codec = avi ? ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...codec, join(dir, name)]);
    const first = Date.UTC(2025, 0, 1) + index * day;
    listing.push({ filename: name, frames, fps: 10, first, last: first + (frames - 1) * 60_000 });
  }
  writeFileSync(join(dir, 'listing.json'), JSON.stringify(listing));
  const script = `import { createFilm } from ${JSON.stringify(dist)};
const r = await createFilm({ source: ${JSON.stringify(dir)}, output: ${JSON.stringify(join(dir, 'film.mp4'))}, lengthSeconds: ${lengthSeconds}, stamp: true });
console.log(JSON.stringify({ frames: r.frames, seconds: r.durationSeconds, nodeMaxRssKiB: process.resourceUsage().maxRSS }));`;
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let peakKiB = 0;
  const rss = (pid: number): number => {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) : 0;
    } catch {
      return 0;
    }
  };
  const descendants = (pid: number): number[] => {
    const all: number[] = [pid];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent === pid) all.push(...descendants(Number(entry)));
      } catch {
        // gone
      }
    }
    return all;
  };
  const timer = setInterval(() => {
    if (child.pid) peakKiB = Math.max(peakKiB, descendants(child.pid).reduce((sum, pid) => sum + rss(pid), 0));
  }, 50);
  const code: number = await new Promise((resolve) => child.on('close', (value) => resolve(value ?? 1)));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`createFilm exited ${code}`);
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { frames: number; seconds: number; nodeMaxRssKiB: number };
  console.log(`createFilm: ${archives} archives × ${frames} frames (640x360, half MJPEG AVI, half H.264 MP4) → ${lengthSeconds} s film with --stamp`);
  console.log('| archives | film frames | film s | wall s | peak RSS node+ffmpeg MiB | node max RSS MiB |\n|---:|---:|---:|---:|---:|---:|');
  console.log(`| ${archives} | ${result.frames} | ${result.seconds.toFixed(2)} | ${seconds.toFixed(1)} | ${(peakKiB / 1024).toFixed(0)} | ${(result.nodeMaxRssKiB / 1024).toFixed(0)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
