// @camdl/throttled-download vs curl on 127.0.0.1: unthrottled throughput, rate-limit accuracy,
// peak RSS against file size, requests per file with pre-emptive digest auth.
//
//   pnpm --filter @camdl/throttled-download build && pnpm exec tsx bench/throttled-download/bench.ts
//
// The file server (server.mjs) runs in its own process; each client run is its own process under
// /usr/bin/time (peak RSS): `curl`, or `node child.mjs` with the BUILT package (no TypeScript loader).
// `sync` runs before every client so one run's dirty pages are not written back during the next.
// Env: BENCH_THROUGHPUT_MIB (2048), BENCH_REPEAT (3, median), BENCH_RSS_SMALL_MIB (256),
// BENCH_RSS_LARGE_MIB (4096), BENCH_RATE_SECONDS (6), BENCH_RATES ("1,10,90"), BENCH_DIGEST_FILES (20),
// BENCH_ONLY ("throughput,rate,rss,digest"), BENCH_QUICK=1 (a small version of everything).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// The bench is not a workspace package: undici from the package that depends on it.
import { Agent } from '../../packages/throttled-download/node_modules/undici/index.js';
import { startCameraSim } from '../../packages/camera-sim/src/index.js';
import { digestInterceptor } from '../../packages/http-digest/src/index.js';
import { download } from '../../packages/throttled-download/src/index.js';

const quick = process.env['BENCH_QUICK'] === '1';
const MiB = 1024 * 1024;
const envNumber = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const throughputBytes = envNumber('BENCH_THROUGHPUT_MIB', quick ? 256 : 2048) * MiB;
const repeat = envNumber('BENCH_REPEAT', quick ? 1 : 3);
const rssSmall = envNumber('BENCH_RSS_SMALL_MIB', quick ? 64 : 256) * MiB;
const rssLarge = envNumber('BENCH_RSS_LARGE_MIB', quick ? 640 : 4096) * MiB;
const rateSeconds = envNumber('BENCH_RATE_SECONDS', quick ? 3 : 6);
const rates = (process.env['BENCH_RATES'] ?? '1,10,90').split(',').map(Number);
const digestFiles = envNumber('BENCH_DIGEST_FILES', quick ? 5 : 20);
const only = new Set((process.env['BENCH_ONLY'] ?? 'throughput,rate,rss,digest').split(','));

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');
const childScript = join(here, 'child.mjs');
const built = join(repoRoot, 'packages/throttled-download/dist/index.js');
if (!existsSync(built)) throw new Error('build first: pnpm --filter @camdl/throttled-download build');
// A snapshot of the build, so a rebuild (which empties dist/) while the bench runs cannot break it; inside
// the package's node_modules so that its `undici` import resolves as from dist/.
const snapshotDir = join(repoRoot, 'packages/throttled-download/node_modules/.camdl-bench');
mkdirSync(snapshotDir, { recursive: true });
const snapshot = join(snapshotDir, `index-${process.pid}.js`);
copyFileSync(built, snapshot);
const work = mkdtempSync(join(tmpdir(), 'camdl-bench-dl-'));

// The server, in its own process.
const server = spawn(process.execPath, [join(here, 'server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const origin = await new Promise<string>((resolve, reject) => {
  server.once('error', reject);
  createInterface({ input: server.stdout }).once('line', (line) => resolve((JSON.parse(line) as { origin: string }).origin));
});

interface Run {
  bytes: number;
  ms: number;
  maxRssKb: number;
  /** Load average (1 min) when the run ended. */
  load: number;
  /** (ms since start, bytes on disk) sampled every 10 ms by this process. */
  samples: [number, number][];
}

const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Runs a command under /usr/bin/time (peak RSS) while sampling the size of `watch` (+ `.part`). */
function run(command: string, args: string[], watch: string[]): Promise<Run & { stdout: string }> {
  spawnSync('sync');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M', command, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const samples: [number, number][] = [];
    const onDisk = (): number => watch.reduce((sum, path) => sum + Math.max(fileSize(path), fileSize(`${path}.part`)), 0);
    const timer = setInterval(() => samples.push([performance.now() - started, onDisk()]), 10);
    child.once('exit', (code) => {
      clearInterval(timer);
      const ms = performance.now() - started;
      samples.push([ms, onDisk()]);
      const rss = /MAXRSS (\d+)/.exec(stderr)?.[1];
      if (code !== 0 || !rss) return reject(new Error(`${command} failed (${code}): ${stderr}`));
      resolve({ bytes: onDisk(), ms, maxRssKb: Number(rss), load: loadavg()[0] ?? 0, samples, stdout });
    });
  });
}

async function ours(size: number, options: { mbps?: number; parallel?: number; fsync?: boolean } = {}): Promise<Run> {
  const { mbps = 0, parallel = 1, fsync = true } = options;
  const dest = join(work, `ours-${size}`);
  const watch = parallel === 1 ? [dest] : Array.from({ length: parallel }, (_, i) => `${dest}.${i}`);
  const r = await run(process.execPath, [childScript, snapshot, `${origin}/bytes/${size}`, dest, String(mbps), String(parallel), fsync ? '1' : '0'], watch);
  const inner = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { bytes: number; ms: number };
  for (const path of watch) rmSync(path, { force: true });
  // Time inside the process (from the call to download() to its result: excludes Node start-up);
  // curl's is its own -w %{time_total}.
  return { ...r, bytes: inner.bytes, ms: inner.ms };
}

async function curl(size: number, options: { mbps?: number; sync?: boolean } = {}): Promise<Run> {
  const { mbps = 0, sync = false } = options;
  const dest = join(work, `curl-${size}`);
  const args = ['-s', '-o', dest, '-w', '%{time_total}', ...(mbps > 0 ? ['--limit-rate', String(mbps * 125_000)] : []), `${origin}/bytes/${size}`];
  const r = await run('curl', args, [dest]);
  let ms = Number(r.stdout) * 1000;
  if (sync) {
    // `sync FILE` = fsync(FILE), what we do before the rename (plus the directory).
    const started = performance.now();
    spawnSync('sync', [dest]);
    ms += performance.now() - started;
  }
  rmSync(dest, { force: true });
  return { ...r, ms };
}

/**
 * Achieved rate after the first second, from the sampled file sizes (same method for both): from the
 * first sample ≥ 1 s after the first byte to the first sample holding every byte (so the process's
 * fsync, rename and exit after the last byte are not counted as time spent receiving).
 */
function rateAfterFirstSecond(samples: [number, number][]): number {
  const firstByte = samples.find(([, bytes]) => bytes > 0)?.[0] ?? 0;
  const from = samples.find(([ms]) => ms >= firstByte + 1000);
  const final = samples.at(-1)?.[1] ?? 0;
  const last = samples.find(([, bytes]) => bytes >= final);
  if (!from || !last || last[0] <= from[0]) return Number.NaN;
  return ((last[1] - from[1]) / (last[0] - from[0])) * 1000;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const mibps = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000);
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;
const loads = (runs: Run[]): string => runs.map((r) => r.load.toFixed(1)).join('/');
const tables: { title: string; header: string[]; rows: string[][] }[] = [];

const curlVersion = spawnSync('curl', ['--version'], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '?';
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, curl ${curlVersion}, ${new Date().toISOString().slice(0, 10)}; ` +
    `server and each client in their own process; load average (1 min) at start ${loadavg()[0]?.toFixed(2)}`,
);

// 1. Unthrottled throughput: REPEAT interleaved rounds, medians.
if (only.has('throughput')) {
  const runs: Record<string, Run[]> = { curl: [], curlSync: [], ours: [], oursNoSync: [] };
  for (let i = 0; i < repeat; i++) {
    runs['curl']?.push(await curl(throughputBytes));
    runs['ours']?.push(await ours(throughputBytes));
    runs['curlSync']?.push(await curl(throughputBytes, { sync: true }));
    runs['oursNoSync']?.push(await ours(throughputBytes, { fsync: false }));
  }
  const speed = (key: string): number => median((runs[key] ?? []).map((r) => mibps(r.bytes, r.ms)));
  const curlSpeed = speed('curl');
  const row = (label: string, key: string): string[] => [
    label,
    `${speed(key).toFixed(0)} MiB/s`,
    `${(speed(key) / curlSpeed).toFixed(2)}×`,
    (runs[key] ?? []).map((r) => mibps(r.bytes, r.ms).toFixed(0)).join(', '),
    loads(runs[key] ?? []),
  ];
  tables.push({
    title: `Unthrottled ${throughputBytes / MiB} MiB (median of ${repeat})`,
    header: ['client', 'throughput', 'vs curl -o', 'runs (MiB/s)', 'load avg'],
    rows: [
      row('curl -o', 'curl'),
      row('curl -o, then sync FILE', 'curlSync'),
      row('ours, fsync: true (default)', 'ours'),
      row('ours, fsync: false', 'oursNoSync'),
    ],
  });
}

// 2. Rate accuracy: achieved/target, over the whole transfer and after the first second.
if (only.has('rate')) {
  const rows: string[][] = [];
  const fmt = (r: Run, target: number): string =>
    `${(r.bytes / (r.ms / 1000) / target).toFixed(3)} / ${(rateAfterFirstSecond(r.samples) / target).toFixed(3)}`;
  for (const mbps of rates) {
    const size = Math.round(mbps * 125_000 * rateSeconds);
    const target = mbps * 125_000;
    const c = await curl(size, { mbps });
    const o = await ours(size, { mbps });
    rows.push([`${mbps} Mbps, one download`, fmt(c, target), fmt(o, target), loads([c, o])]);
  }
  for (const mbps of [10, 90].filter((m) => rates.includes(m))) {
    const size = Math.round((mbps * 125_000 * rateSeconds) / 4);
    const o = await ours(size, { mbps, parallel: 4 });
    rows.push([`${mbps} Mbps shared by 4 (sum)`, '—', fmt(o, mbps * 125_000), loads([o])]);
  }
  tables.push({
    title: `Rate accuracy, ${rateSeconds} s transfers (achieved/target: whole transfer / after the first second)`,
    header: ['case', 'curl --limit-rate', 'ours (RateLimiter)', 'load avg'],
    rows,
  });
}

// 3. Peak RSS against size (default options: fsync on).
if (only.has('rss')) {
  const cs = await curl(rssSmall);
  const os = await ours(rssSmall);
  const cl = await curl(rssLarge);
  const ol = await ours(rssLarge);
  const node = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, '-e', "await import('undici')", '--input-type=module'], {
    cwd: join(repoRoot, 'packages/throttled-download'),
    encoding: 'utf8',
  });
  const bare = Number(/MAXRSS (\d+)/.exec(node.stderr)?.[1] ?? Number.NaN);
  tables.push({
    title: 'Peak RSS (max resident set, /usr/bin/time)',
    header: ['file', 'curl -o', 'ours (node child.mjs, dist)', 'load avg'],
    rows: [
      [`${rssSmall / MiB} MiB`, mb(cs.maxRssKb), mb(os.maxRssKb), loads([cs, os])],
      [`${rssLarge / MiB} MiB`, mb(cl.maxRssKb), mb(ol.maxRssKb), loads([cl, ol])],
      ['difference', mb(cl.maxRssKb - cs.maxRssKb), mb(ol.maxRssKb - os.maxRssKb), ''],
      ['node + undici, no download', '—', mb(bare), ''],
    ],
  });
}

// 4. Requests per file with pre-emptive digest auth, against the camera simulator (3.x profile).
if (only.has('digest')) {
  const archives = Array.from({ length: digestFiles }, (_, i) => ({ filename: `bench_${i}.mp4`, content: 'synthetic' as const, size: 256 * 1024 }));
  const sim = await startCameraSim({ profile: 'timelapse3', content: { archives } });
  const rows: string[][] = [];
  try {
    for (const concurrency of [1, 4]) {
      sim.resetCounters();
      const dispatcher = new Agent().compose(digestInterceptor({ username: sim.username, password: sim.password }));
      const queue = [...sim.archives];
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let item = queue.shift(); item; item = queue.shift()) {
            const result = await download(`${sim.url}${sim.downloadPath(item)}`, join(work, `digest-${concurrency}-${item.filename}`), {
              dispatcher,
              fsync: false,
            });
            if (result.size !== item.size) throw new Error(`digest bench: ${item.filename} is ${result.size} bytes`);
          }
        }),
      );
      await dispatcher.close();
      const requests = sim.counters.requests['download'] ?? 0;
      rows.push([
        `${digestFiles} files, ${concurrency} at a time`,
        String(requests),
        String(sim.counters.challenges),
        `${(requests / digestFiles).toFixed(2)}`,
        `${digestFiles + 1}`,
      ]);
    }
  } finally {
    await sim.close();
  }
  tables.push({
    title: 'Requests per file, digest auth (@camdl/http-digest digestInterceptor, camera-sim timelapse3)',
    header: ['case', 'requests', '401 challenges', 'requests/file', 'N+1'],
    rows,
  });
}

server.stdin.end();
rmSync(work, { recursive: true, force: true });
rmSync(snapshot, { force: true });

for (const { title, header, rows } of tables) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`\n${title}\n\n${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}`);
}
