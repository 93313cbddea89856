/**
 * `camdl sync` benchmarks (run `pnpm build` first):
 * 1. three simulated cameras (Timelapse2 1.x, Timelapse 3.x, Amcrest) synced in parallel under one
 *    200 Mbps global limit: achieved rate vs the limit, CPU, peak RSS — the built `camdl sync` in its
 *    own process, then the library's `syncFleet` in its own process, and side by side three parallel
 *    `curl --digest --limit-rate` (each a third of the limit);
 * 2. listing and planning 100,000 recordings against the ledger: time per step and peak RSS (skipped
 *    when [recordings] is 0).
 *   pnpm exec tsx bench/sync/bench.ts [megabytes per camera] [recordings]
 * BENCH_SYNC_ROWS=cli,library,curl (the default) picks the rows of the first table; BENCH_SYNC_NODE_ARGS
 * adds Node flags to the CLI's process, BENCH_SYNC_CAMDL_BIN runs another `camdl` bin script (an A/B).
 */
import { spawnSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { simCameraLines } from './sim-cameras.js';

const perCameraMiB = Number(process.argv[2] ?? 64);
const recordings = Number(process.argv[3] ?? 100_000);
const here = fileURLToPath(new URL('.', import.meta.url));
const CAMDL_BIN = process.env['BENCH_SYNC_CAMDL_BIN'] ?? fileURLToPath(new URL('../../packages/cli/bin/camdl.js', import.meta.url));
/** Node flags for the CLI child (an A/B of V8 flags without a rebuild): BENCH_SYNC_NODE_ARGS='--max-semi-space-size=1'. */
const cliNodeArgs = (process.env['BENCH_SYNC_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const benchRows = new Set((process.env['BENCH_SYNC_ROWS'] ?? 'cli,library,curl').split(','));
const LIMIT_MBPS = 200;
const FILES = 4;
const fileSize = Math.floor((perCameraMiB * 1024 * 1024) / FILES);

function archives(prefix: string): Array<{ filename: string; content: 'synthetic'; size: number; first: number }> {
  return Array.from({ length: FILES }, (_, index) => ({
    filename: `${prefix}_2026_03_${String(index + 2).padStart(2, '0')}_0000`,
    content: 'synthetic' as const,
    size: fileSize,
    first: Date.parse('2026-03-01T00:00:00Z') + index * 86_400_000,
  }));
}

function amcrestRecordings(): Array<{ start: string; end: string; content: 'synthetic'; size: number }> {
  return Array.from({ length: FILES }, (_, index) => ({
    start: `2026-01-16 ${String(20 + index).padStart(2, '0')}:00:00`,
    end: `2026-01-16 ${String(20 + index).padStart(2, '0')}:59:59`,
    content: 'synthetic' as const,
    size: fileSize,
  }));
}

/** What one sync client did, as the bench reports it. */
interface SyncRow {
  label: string;
  outcome: string;
  bytes: number;
  wallMs: number;
  downloadMs: number;
  cpuMs: number;
  maxRssMiB: number;
  cameras?: unknown;
}

/** Runs a command asynchronously (the simulators answer from this process's event loop), calling `onLine` with each stdout line as it arrives. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string, at: number) => void = () => {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      const at = performance.now();
      const text = chunk.toString();
      stdout += text;
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, newline), at);
        pending = pending.slice(newline + 1);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

/**
 * The product as users run it: the built `camdl sync --config … --json` in its own process, under
 * `/usr/bin/time`. Its peak RSS is the process's own high-water mark (VmHWM) as the kernel hands it to
 * `time` at exit (`%M`, getrusage of the child): `time` forks a process of about 2 MiB and execs `node`
 * in it, so nothing of this bench's 100 MiB is inherited, nothing is sampled (so no peak is missed
 * between samples) and nothing is loaded into the measured process. CPU is the whole process's
 * (start-up included); the download phase runs from the first `file-start` line to the last
 * `file-done` line, stamped as each line arrives here (the pipe is written synchronously).
 */
async function cliSync(config: string, env: NodeJS.ProcessEnv): Promise<SyncRow> {
  const timeOut = join(dirname(config), 'time.txt');
  let firstStart: number | undefined;
  let lastDone: number | undefined;
  let bytes = 0;
  let outcome = 'no run-done event';
  let cameras: unknown;
  const run = await runChild('/usr/bin/time', ['-o', timeOut, '-f', '%M %U %S', process.execPath, ...cliNodeArgs, CAMDL_BIN, 'sync', '--config', config, '--json', '--no-progress'], env, (line, at) => {
    let event: { type?: string; size?: number; outcome?: string; summary?: { cameras?: unknown } };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.type === 'file-start') firstStart ??= at;
    if (event.type === 'file-done') {
      lastDone = at;
      bytes += event.size ?? 0;
    }
    if (event.type === 'run-done') {
      outcome = event.outcome ?? outcome;
      cameras = event.summary?.cameras;
    }
  });
  const [maxRssKiB, user, sys] = (await readFile(timeOut, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  if (run.status !== 0 && bytes === 0) throw new Error(`camdl sync failed (${run.status}): ${run.stderr}`);
  return { label: 'camdl sync --json (the built CLI, its own process)', outcome, bytes, wallMs: run.ms, downloadMs: (lastDone ?? 0) - (firstStart ?? 0), cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, maxRssMiB: (maxRssKiB ?? 0) / 1024, cameras };
}

/** The library alone: `child-sync.mjs` imports @camdl/sync's build and calls `syncFleet`, measuring itself (VmHWM). */
async function librarySync(config: string, env: NodeJS.ProcessEnv): Promise<SyncRow> {
  const run = await runChild(process.execPath, [join(here, 'child-sync.mjs'), config], env);
  if (run.status !== 0 && run.stdout === '') throw new Error(`sync child failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as Omit<SyncRow, 'label'>;
  return { label: '@camdl/sync `syncFleet` (the library, its own process)', ...result };
}

/** Three `curl --digest --limit-rate` at once, each limited to a third (curl has no shared limit). */
async function curlRow(sims: CameraSim[], dir: string): Promise<string> {
  const curlDir = join(dir, 'curl');
  await mkdir(curlDir);
  const perCurlBytes = Math.floor((LIMIT_MBPS * 125_000) / 3);
  const curlStart = performance.now();
  const curlCpu: number[] = [];
  await Promise.all(
    sims.map(async (sim, index) => {
      const items = sim.profile === 'amcrest' ? sim.recordings : sim.archives;
      const args = ['-s', '--digest', '-u', `${sim.username}:${sim.password}`, '--limit-rate', String(perCurlBytes)];
      items.forEach((item, n) => args.push('-o', join(curlDir, `${index}-${n}`), `${sim.url}${sim.downloadPath(item)}`));
      const run = await runChild('/usr/bin/time', ['-f', '%U %S', 'curl', ...args], process.env);
      const [user, sys] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      curlCpu.push(((user ?? 0) + (sys ?? 0)) * 1000);
    }),
  );
  const curlMs = performance.now() - curlStart;
  const curlBytes = sims.length * FILES * fileSize;
  const curlAchieved = (curlBytes * 8) / (curlMs / 1000) / 1e6;
  return `| 3 × curl --limit-rate ${(perCurlBytes / 125_000).toFixed(1)} Mbps (parallel) | ${curlBytes} | ${(curlMs / 1000).toFixed(2)} s | ${curlAchieved.toFixed(1)} / ${LIMIT_MBPS} Mbps (${((curlAchieved / LIMIT_MBPS) * 100).toFixed(1)} %) | ${(curlCpu.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s | — |`;
}

async function fleetBench(): Promise<void> {
  const sims: CameraSim[] = [
    await startCameraSim({ profile: 'timelapse2-v1', content: { archives: archives('Gate') } }),
    await startCameraSim({ profile: 'timelapse3', content: { archives: archives('Crane') } }),
    await startCameraSim({ profile: 'amcrest', content: { recordings: amcrestRecordings() } }),
  ];
  const dir = await mkdtemp(join(tmpdir(), 'camdl-bench-sync-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1' };
    const cameraLines = simCameraLines(sims, env, { since: '2026-01-16T00:00:00', until: '2026-01-17T00:00:00' });
    // Each client syncs into an archive (and ledger) of its own, so each downloads everything.
    const configFor = async (name: string): Promise<string> => {
      await mkdir(join(dir, name));
      const file = join(dir, name, 'camdl.yaml');
      await writeFile(file, `${['archive: ./archive', `bandwidth: ${LIMIT_MBPS}`, 'cameras:', ...cameraLines].join('\n')}\n`);
      return file;
    };
    const rows: SyncRow[] = [];
    if (benchRows.has('cli')) rows.push(await cliSync(await configFor('cli'), env));
    if (benchRows.has('library')) rows.push(await librarySync(await configFor('library'), env));
    for (const row of rows) if (row.outcome !== 'ok') console.log(`${row.label} did not succeed:`, JSON.stringify(row.cameras));
    const curl = benchRows.has('curl') ? await curlRow(sims, dir) : undefined;

    console.log(`### 3 cameras in parallel under a ${LIMIT_MBPS} Mbps global limit (${FILES} files × ${(fileSize / 1048576).toFixed(0)} MiB per camera, Node ${process.version})\n`);
    console.log('| client | bytes | download phase | achieved / target | CPU (user+sys) | peak RSS |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      const achieved = (row.bytes * 8) / (row.downloadMs / 1000) / 1e6;
      console.log(
        `| ${row.label}; ${row.outcome} | ${row.bytes} | ${(row.downloadMs / 1000).toFixed(2)} s | ${achieved.toFixed(1)} / ${LIMIT_MBPS} Mbps (${((achieved / LIMIT_MBPS) * 100).toFixed(1)} %) | ${(row.cpuMs / 1000).toFixed(2)} s (${((row.cpuMs / row.wallMs) * 100).toFixed(1)} % of wall ${(row.wallMs / 1000).toFixed(2)} s) | ${row.maxRssMiB.toFixed(1)} MiB |`,
      );
    }
    if (curl !== undefined) console.log(curl);
  } finally {
    await Promise.all(sims.map((sim) => sim.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

function planBench(): void {
  const child = spawnSync(process.execPath, [join(here, 'child-plan.mjs'), String(recordings)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`plan child failed: ${child.stderr}`);
  const result = JSON.parse(child.stdout) as { count: number; timings: Record<string, number>; reportBytes: number; maxRssMiB: number };
  console.log(`\n### Listing and planning ${result.count} recordings (4 channels, one camera), Node ${process.version}\n`);
  console.log('| step | ms |\n|---|---:|');
  for (const [step, ms] of Object.entries(result.timings)) console.log(`| ${step} | ${ms} |`);
  console.log(`\npeak RSS ${result.maxRssMiB.toFixed(0)} MiB; report ${(result.reportBytes / 1024).toFixed(0)} KiB`);
}

await fleetBench();
if (recordings > 0) planBench();
