/**
 * `camdl film` against the hand-written one-command ffmpeg equivalent (every input concatenated,
 * `select` one frame in N, `drawtext`, one encode), side by side in one run, rounds interleaved:
 *   - large: 60 archives of 1,440 frames at 1280x720 (half Timelapse2 1.x MJPEG AVI, half Timelapse 3.x
 *     H.264 MP4 with a key frame every 10 s) → a 60 s stamped film;
 *   - small: 20 archives of 240 frames → a 20 s stamped film.
 * Wall time, CPU (user + sys of the whole process tree, from /usr/bin/time) and peak memory (the sum of
 * the tree's RSS sampled from /proc every 50 ms), with `uptime`'s load before each figure.
 * Inputs are generated once with ffmpeg's testsrc2 into $CAMDL_FILM_BENCH_CACHE (default
 * /tmp/camdl-film-bench-cache) and kept between runs. Run `pnpm build` first, under the CPU lock:
 *   flock /tmp/camdl-cpu.lock pnpm exec tsx bench/film/bench.ts [rounds=3] [large|small|both=both] [camdl|ffmpeg|both=both]
 *   pnpm exec tsx bench/film/bench.ts --prepare      # only generate the inputs
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const camdl = join(root, 'packages/cli/bin/camdl.js');
const cache = process.env['CAMDL_FILM_BENCH_CACHE'] ?? join(tmpdir(), 'camdl-film-bench-cache');
const FPS = 10;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

interface Scenario {
  name: 'large' | 'small';
  archives: number;
  frames: number;
  filmSeconds: number;
}
const SCENARIOS: Scenario[] = [
  { name: 'large', archives: 60, frames: 1440, filmSeconds: 60 },
  { name: 'small', archives: 20, frames: 240, filmSeconds: 20 },
];

/** One MJPEG AVI and one H.264 MP4 per scenario, copied to every archive of that codec (generation is the slow part). */
function prepare(scenario: Scenario): string {
  const dir = join(cache, scenario.name);
  if (existsSync(join(dir, 'listing.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const source = `testsrc2=size=1280x720:rate=${FPS}:duration=${scenario.frames / FPS}`;
  const bases = {
    avi: ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'],
    // A key frame every 10 s, none forced at scene cuts: what a Timelapse 3.x camera writes.
    mp4: ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(10 * FPS), '-keyint_min', String(10 * FPS), '-sc_threshold', '0'],
  };
  for (const [extension, codec] of Object.entries(bases)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...codec, join(cache, `${scenario.name}-base.${extension}`)]);
  }
  const listing = [];
  const day = 86_400_000;
  for (let index = 0; index < scenario.archives; index++) {
    const extension = index % 2 === 0 ? 'avi' : 'mp4';
    const date = new Date(Date.UTC(2025, 0, 1) + index * day);
    const name = `Site_${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, '0')}_${String(date.getUTCDate()).padStart(2, '0')}_0000.${extension}`;
    copyFileSync(join(cache, `${scenario.name}-base.${extension}`), join(dir, name));
    // One frame a minute from midnight: a day's archive.
    const first = date.getTime();
    listing.push({ filename: name, frames: scenario.frames, fps: FPS, first, last: first + (scenario.frames - 1) * 60_000 });
  }
  writeFileSync(join(dir, 'listing.json'), JSON.stringify(listing));
  return dir;
}

interface Measure {
  wall: number;
  cpu: number;
  peakMiB: number;
  load: number;
  frames: number;
}

function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop()!;
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${current}/status`, 'utf8'));
      total += match ? Number(match[1]) : 0;
    } catch {
      // gone
    }
    stack.push(...(children.get(current) ?? []));
  }
  return total;
}

async function measure(command: string, args: string[], output: string): Promise<Measure> {
  rmSync(output, { force: true });
  const load = loadavg()[0]!;
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  let peakKiB = 0;
  const timer = setInterval(() => {
    if (child.pid) peakKiB = Math.max(peakKiB, treeRss(child.pid));
  }, 50);
  const code: number = await new Promise((resolve) => child.on('close', (value) => resolve(value ?? 1)));
  clearInterval(timer);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${command} exited ${code}: ${stderr}`);
  const times = /TIME ([\d.]+) ([\d.]+)/.exec(stderr);
  const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', output], { encoding: 'utf8' }).trim());
  return { wall, cpu: times ? Number(times[1]) + Number(times[2]) : Number.NaN, peakMiB: peakKiB / 1024, load, frames };
}

/** The one-liner a person would write: every input into one concat, one frame in N kept, stamped, one encode. */
function oneLinerArgs(dir: string, scenario: Scenario, output: string): string[] {
  const listing = JSON.parse(readFileSync(join(dir, 'listing.json'), 'utf8')) as Array<{ filename: string }>;
  const every = Math.round((scenario.archives * scenario.frames) / (scenario.filmSeconds * FPS));
  const inputs = listing.flatMap((entry) => ['-i', join(dir, entry.filename)]);
  const labels = listing.map((_, index) => `[${index}:v]`).join('');
  const graph = `${labels}concat=n=${listing.length}:v=1:a=0,select='not(mod(n\\,${every}))',setpts=N/(${FPS}*TB),drawtext=fontfile='${FONT}':text='%{pts\\:gmtime\\:${Date.UTC(2025, 0, 1) / 1000}\\:%Y-%m-%d %R}':fontcolor=white:fontsize=h/14:box=1:boxcolor=black@0.6:x=w-tw-8:y=h-th-8,format=yuv420p[v]`;
  return ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...inputs, '-filter_complex', graph, '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-movflags', '+faststart', output];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const argv = process.argv.slice(2);
if (argv.includes('--prepare')) {
  for (const scenario of SCENARIOS) console.log(`inputs: ${prepare(scenario)}`);
} else {
  if (!existsSync(camdl)) throw new Error('run `pnpm build` first');
  const rounds = Number(argv[0] ?? 3);
  const which = argv[1] ?? 'both';
  const clients = (['camdl', 'ffmpeg'] as const).filter((who) => (argv[2] ?? 'both') === 'both' || argv[2] === who);
  const work = join(tmpdir(), `camdl-film-bench-out-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    for (const scenario of SCENARIOS.filter((item) => which === 'both' || which === item.name)) {
      const dir = prepare(scenario);
      const results: Record<'camdl' | 'ffmpeg', Measure[]> = { camdl: [], ffmpeg: [] };
      for (let round = 0; round < rounds; round++) {
        // Alternate who goes first: neither always gets the warmer cache.
        const order = round % 2 === 0 ? (['camdl', 'ffmpeg'] as const) : (['ffmpeg', 'camdl'] as const);
        for (const who of order.filter((item) => clients.includes(item))) {
          const output = join(work, `${who}.mp4`);
          const result =
            who === 'camdl'
              ? await measure(process.execPath, [camdl, 'film', dir, '--out', output, '--length', `${scenario.filmSeconds}s`, '--stamp', '--overwrite', '--no-progress'], output)
              : await measure('ffmpeg', oneLinerArgs(dir, scenario, output), output);
          results[who].push(result);
          console.error(`${scenario.name} round ${round + 1} ${who}: ${result.wall.toFixed(1)} s wall, ${result.cpu.toFixed(1)} s CPU, ${result.peakMiB.toFixed(0)} MiB, ${result.frames} frames, load ${result.load.toFixed(2)}`);
        }
      }
      console.log(`\n${scenario.name}: ${scenario.archives} archives × ${scenario.frames} frames at 1280x720 (half MJPEG AVI, half H.264 MP4, key frame every 10 s) → ${scenario.filmSeconds} s stamped film, ${rounds} rounds, medians`);
      console.log('| client | film frames | wall s | CPU s (user+sys) | peak RSS, tree MiB | load (1 min) at start |\n|---|---:|---:|---:|---:|---|');
      for (const who of clients) {
        const list = results[who];
        const loads = list.map((item) => item.load);
        console.log(
          `| ${who === 'camdl' ? '`camdl film`' : 'one-command ffmpeg'} | ${list[0]!.frames} | ${median(list.map((item) => item.wall)).toFixed(1)} | ${median(list.map((item) => item.cpu)).toFixed(1)} | ${median(list.map((item) => item.peakMiB)).toFixed(0)} | ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} |`,
        );
      }
      if (clients.length === 2) console.log(`camdl / one-liner wall: ${(median(results.camdl.map((item) => item.wall)) / median(results.ffmpeg.map((item) => item.wall))).toFixed(2)}×`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
