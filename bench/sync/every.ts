/**
 * `camdl sync --every`: what a long-running loop costs per run once everything is archived. Two
 * simulated cameras holding many recordings (an Amcrest and a Timelapse 3.x) are synced once, then the
 * built `camdl sync --every 1s` runs for a fixed time and is stopped with SIGTERM; each run lists both
 * cameras and checks the listing against the ledger, with nothing to download. Prints the runs done,
 * CPU (user+sys, the whole process) per run and peak RSS, for each bin script given (an A/B: the
 * default one and others, alternating).
 *   pnpm exec tsx bench/sync/every.ts [seconds] [recordings per camera] [rounds] [bin script...]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { simCameraLines } from './sim-cameras.js';

const seconds = Number(process.argv[2] ?? 60);
const perCamera = Number(process.argv[3] ?? 2000);
const rounds = Number(process.argv[4] ?? 1);
const defaultBin = fileURLToPath(new URL('../../packages/cli/bin/camdl.js', import.meta.url));
const bins = process.argv.length > 5 ? process.argv.slice(5) : [defaultBin];
const DAY = 86_400_000;
const start = Date.parse('2026-01-01T00:00:00Z');
const pad = (n: number): string => String(n).padStart(2, '0');
const wall = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
/** Recordings of 10 minutes back to back, from 2026-01-01 on. */
const spacing = 600_000;
const until = start + perCamera * spacing + DAY;

/** Runs `camdl sync` under /usr/bin/time; with `stopAfterMs`, sends SIGTERM then. Returns runs done, CPU ms and peak RSS (KiB). */
function runSync(bin: string, config: string, env: NodeJS.ProcessEnv, args: string[], stopAfterMs?: number): Promise<{ runs: number; cpuMs: number; maxRssKiB: number; stderr: string }> {
  const timeOut = `${config}.time`;
  return new Promise((resolve, reject) => {
    const proc = spawn('/usr/bin/time', ['-o', timeOut, '-f', '%M %U %S', process.execPath, bin, 'sync', '--config', config, '--json', '--no-progress', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let runs = 0;
    let stderr = '';
    let pending = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      runs += lines.filter((line) => line.startsWith('{"type":"run-done"')).length;
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // SIGTERM to `node` itself (its child under `time`, which would die of it and leave `node` running).
    const stop = (): void => {
      const node = Number(readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(' ')[0]);
      if (node > 0) process.kill(node, 'SIGTERM');
    };
    const timer = stopAfterMs === undefined ? undefined : setTimeout(stop, stopAfterMs);
    proc.on('error', reject);
    proc.on('close', () => {
      clearTimeout(timer);
      readFile(timeOut, 'utf8').then((text) => {
        const [maxRssKiB, user, sys] = text.trim().split('\n').pop()!.split(' ').map(Number);
        resolve({ runs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, maxRssKiB: maxRssKiB ?? 0, stderr });
      }, reject);
    });
  });
}

const sims: CameraSim[] = [
  await startCameraSim({
    profile: 'amcrest',
    content: { recordings: Array.from({ length: perCamera }, (_, i) => ({ start: wall(start + i * spacing), end: wall(start + (i + 1) * spacing - 1000), content: 'synthetic' as const, size: 4096 })) },
  }),
  await startCameraSim({
    profile: 'timelapse3',
    content: { archives: Array.from({ length: perCamera }, (_, i) => ({ filename: `Site_${i}`, content: 'synthetic' as const, size: 4096, first: start + i * spacing })) },
  }),
];
const dir = await mkdtemp(join(tmpdir(), 'camdl-bench-every-'));
try {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1' };
  const cameraLines = simCameraLines(sims, env, { since: new Date(start).toISOString().slice(0, 19), until: new Date(until).toISOString().slice(0, 19) });
  const configs = await Promise.all(
    bins.map(async (_, index) => {
      await mkdir(join(dir, String(index)));
      const file = join(dir, String(index), 'camdl.yaml');
      await writeFile(file, `${['archive: ./archive', 'cameras:', ...cameraLines].join('\n')}\n`);
      return file;
    }),
  );
  for (const [index, bin] of bins.entries()) {
    const first = await runSync(bin, configs[index]!, env, []);
    if (first.runs !== 1) throw new Error(`the first sync of ${bin} did not finish: ${first.stderr}`);
  }
  console.log(`### camdl sync --every 1s for ${seconds} s, 2 cameras × ${perCamera} recordings, all archived (Node ${process.version})\n`);
  console.log('| bin | runs | CPU (user+sys) | CPU per run | peak RSS |\n|---|---:|---:|---:|---:|');
  for (let round = 0; round < rounds; round++) {
    for (const [index, bin] of bins.entries()) {
      const loop = await runSync(bin, configs[index]!, env, ['--every', '1s'], seconds * 1000);
      console.log(`| ${bin} | ${loop.runs} | ${(loop.cpuMs / 1000).toFixed(2)} s | ${loop.runs > 0 ? (loop.cpuMs / loop.runs).toFixed(0) : '—'} ms | ${(loop.maxRssKiB / 1024).toFixed(1)} MiB |`);
    }
  }
} finally {
  await Promise.all(sims.map((sim) => sim.close()));
  await rm(dir, { recursive: true, force: true });
}
