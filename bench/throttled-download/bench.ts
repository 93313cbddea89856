// @camdl/throttled-download vs curl on 127.0.0.1: unthrottled throughput, rate-limit accuracy,
// peak RSS against file size. Run: pnpm exec tsx bench/throttled-download/bench.ts
// Sizes by env: BENCH_THROUGHPUT_MIB (2048), BENCH_RSS_SMALL_MIB (256), BENCH_RSS_LARGE_MIB (4096),
// BENCH_RATE_SECONDS (6), BENCH_RATES ("1,10,90"). BENCH_QUICK=1 runs a small version of everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const quick = process.env['BENCH_QUICK'] === '1';
const MiB = 1024 * 1024;
const envNumber = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const throughputBytes = envNumber('BENCH_THROUGHPUT_MIB', quick ? 256 : 2048) * MiB;
const rssSmall = envNumber('BENCH_RSS_SMALL_MIB', quick ? 64 : 256) * MiB;
const rssLarge = envNumber('BENCH_RSS_LARGE_MIB', quick ? 640 : 4096) * MiB;
const rateSeconds = envNumber('BENCH_RATE_SECONDS', quick ? 3 : 6);
const rates = (process.env['BENCH_RATES'] ?? '1,10,90').split(',').map(Number);

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');
const childScript = join(here, 'child.ts');
const work = mkdtempSync(join(tmpdir(), 'camdl-bench-dl-'));

// A virtual file of any size: one random MiB repeated, streamed with backpressure.
const block = randomBytes(MiB);
async function sendBytes(res: ServerResponse, size: number): Promise<void> {
  let left = size;
  while (left > 0 && !res.destroyed) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    left -= chunk.length;
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
const server = createServer((req, res) => {
  const size = Number(/^\/bytes\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  if (size < 0) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': String(size), etag: `"${size}"`, 'content-type': 'application/octet-stream' });
  void sendBytes(res, size);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface Run {
  bytes: number;
  ms: number;
  maxRssKb: number;
  /** (ms since start, bytes on disk) sampled every 50 ms by this process. */
  samples: [number, number][];
}

/** Runs a command under /usr/bin/time (peak RSS) while sampling the size of `watch` (+ `.part`). */
function run(command: string, args: string[], watch: string): Promise<Run & { stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M', command, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const samples: [number, number][] = [];
    const size = (path: string): number => {
      try {
        return statSync(path).size;
      } catch {
        return 0;
      }
    };
    const timer = setInterval(() => samples.push([performance.now() - started, Math.max(size(watch), size(`${watch}.part`))]), 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      const ms = performance.now() - started;
      samples.push([ms, Math.max(size(watch), size(`${watch}.part`))]);
      const rss = /MAXRSS (\d+)/.exec(stderr)?.[1];
      if (code !== 0 || !rss) return reject(new Error(`${command} failed (${code}): ${stderr}`));
      resolve({ bytes: size(watch), ms, maxRssKb: Number(rss), samples, stdout });
    });
  });
}

function ours(size: number, mbps = 0, parallel = 1, fsync = true): Promise<Run> {
  const dest = join(work, `ours-${size}`);
  return run(process.execPath, ['--import', 'tsx', childScript, `${origin}/bytes/${size}`, dest, String(mbps), String(parallel), fsync ? '1' : '0'], dest).then((r) => {
    const inner = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { bytes: number; ms: number };
    rmSync(dest, { force: true });
    for (let i = 0; i < parallel; i++) rmSync(`${dest}.${i}`, { force: true });
    // Time inside the process (excludes Node + tsx start-up); curl's is its own -w time_total.
    return { ...r, bytes: inner.bytes, ms: inner.ms };
  });
}

function curl(size: number, mbps = 0): Promise<Run> {
  const dest = join(work, `curl-${size}`);
  const args = ['-s', '-o', dest, '-w', '%{time_total}', ...(mbps > 0 ? ['--limit-rate', String(mbps * 125_000)] : []), `${origin}/bytes/${size}`];
  return run('curl', args, dest).then((r) => {
    rmSync(dest, { force: true });
    return { ...r, ms: Number(r.stdout) * 1000 };
  });
}

/** Achieved rate after the first second, from the sampled file sizes (same method for both). */
function rateAfterFirstSecond(samples: [number, number][]): number {
  const firstByte = samples.find(([, bytes]) => bytes > 0)?.[0] ?? 0;
  const from = samples.find(([ms]) => ms >= firstByte + 1000);
  const last = samples.at(-1);
  if (!from || !last || last[0] <= from[0]) return Number.NaN;
  return ((last[1] - from[1]) / (last[0] - from[0])) * 1000;
}

const mbs = (bytes: number, ms: number): string => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;
const rows: string[][] = [];

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, server in this process, clients in their own`);

// 1. Unthrottled throughput.
{
  const c = await curl(throughputBytes);
  const o = await ours(throughputBytes);
  const n = await ours(throughputBytes, 0, 1, false);
  rows.push([`unthrottled ${throughputBytes / MiB} MiB`, mbs(c.bytes, c.ms), `${mbs(o.bytes, o.ms)} (fsync) / ${mbs(n.bytes, n.ms)} (no fsync)`, `${(n.ms > 0 ? c.ms / n.ms : 0).toFixed(2)}× curl (no fsync), ${(c.ms / o.ms).toFixed(2)}× (fsync)`]);
}

// 2. Rate accuracy.
for (const mbps of rates) {
  const size = Math.round(mbps * 125_000 * rateSeconds);
  const target = mbps * 125_000;
  const c = await curl(size, mbps);
  const o = await ours(size, mbps);
  const fmt = (r: Run): string => `${((r.bytes / (r.ms / 1000)) / target).toFixed(3)} overall, ${(rateAfterFirstSecond(r.samples) / target).toFixed(3)} after 1 s`;
  rows.push([`${mbps} Mbps × ${rateSeconds} s (achieved/target)`, fmt(c), fmt(o), '']);
}
{
  const size = Math.round(10 * 125_000 * rateSeconds) / 4;
  const o = await ours(Math.round(size), 10, 4);
  rows.push([`4 × shared 10 Mbps (sum achieved/target)`, '—', `${((o.bytes / (o.ms / 1000)) / (10 * 125_000)).toFixed(3)}`, '']);
}

// 3. Peak RSS against size.
{
  const cs = await curl(rssSmall);
  const cl = await curl(rssLarge);
  const os = await ours(rssSmall);
  const ol = await ours(rssLarge);
  rows.push([`peak RSS ${rssSmall / MiB} MiB`, mb(cs.maxRssKb), mb(os.maxRssKb), '']);
  rows.push([`peak RSS ${rssLarge / MiB} MiB`, mb(cl.maxRssKb), mb(ol.maxRssKb), `ours grows by ${mb(ol.maxRssKb - os.maxRssKb)}`]);
}

server.close();
rmSync(work, { recursive: true, force: true });

const header = ['case', 'curl', '@camdl/throttled-download', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
