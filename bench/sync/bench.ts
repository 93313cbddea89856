/**
 * `camdl sync` benchmarks (run `pnpm build` first):
 * 1. three simulated cameras (Timelapse2 1.x, Timelapse 3.x, Amcrest) synced in parallel under one
 *    200 Mbps global limit: achieved rate vs the limit, CPU, peak RSS — the sync in its own process,
 *    and side by side three parallel `curl --digest --limit-rate` (each a third of the limit);
 * 2. listing and planning 100,000 recordings against the ledger: time per step and peak RSS.
 *   pnpm exec tsx bench/sync/bench.ts [megabytes per camera] [recordings]
 */
import { spawnSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';

const perCameraMiB = Number(process.argv[2] ?? 64);
const recordings = Number(process.argv[3] ?? 100_000);
const here = fileURLToPath(new URL('.', import.meta.url));
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

async function fleetBench(): Promise<void> {
  const sims: CameraSim[] = [
    await startCameraSim({ profile: 'timelapse2-v1', content: { archives: archives('Gate') } }),
    await startCameraSim({ profile: 'timelapse3', content: { archives: archives('Crane') } }),
    await startCameraSim({ profile: 'amcrest', content: { recordings: amcrestRecordings() } }),
  ];
  const dir = await mkdtemp(join(tmpdir(), 'camdl-bench-sync-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    const lines = ['archive: ./archive', `bandwidth: ${LIMIT_MBPS}`, 'cameras:'];
    sims.forEach((sim, index) => {
      env[`CAM${index}_PASSWORD`] = sim.password;
      lines.push(`  - name: cam${index}`, `    kind: ${sim.profile === 'amcrest' ? 'amcrest' : 'timelapse'}`, `    host: ${sim.url}`, `    username: ${sim.username}`, `    password-env: CAM${index}_PASSWORD`, '    time-zone: UTC');
      if (sim.profile === 'amcrest') lines.push('    since: 2026-01-16T00:00:00', '    until: 2026-01-17T00:00:00', '    channels: [1]');
    });
    await writeFile(join(dir, 'camdl.yaml'), `${lines.join('\n')}\n`);
    // Asynchronously: the simulators answer from this process's event loop.
    const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const proc = spawn(process.execPath, [join(here, 'child-sync.mjs'), join(dir, 'camdl.yaml')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.on('error', reject);
      proc.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    if (child.status !== 0 && child.stdout === '') throw new Error(`sync child failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout) as { cameras: unknown[]; outcome: string; bytes: number; wallMs: number; downloadMs: number; cpuMs: number; maxRssMiB: number };
    if (result.outcome !== 'ok') console.log('sync did not succeed:', JSON.stringify(result.cameras));
    const achieved = (result.bytes * 8) / (result.downloadMs / 1000) / 1e6;

    // curl: three transfers at once, each limited to a third (curl has no shared limit).
    const curlDir = join(dir, 'curl');
    await rm(curlDir, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(curlDir);
    const perCurlBytes = Math.floor((LIMIT_MBPS * 125_000) / 3);
    const curlStart = performance.now();
    const curlCpu: number[] = [];
    await Promise.all(
      sims.map(
        (sim, index) =>
          new Promise<void>((resolve, reject) => {
            const items = sim.profile === 'amcrest' ? sim.recordings : sim.archives;
            const args = ['-s', '--digest', '-u', `${sim.username}:${sim.password}`, '--limit-rate', String(perCurlBytes)];
            items.forEach((item, n) => args.push('-o', join(curlDir, `${index}-${n}`), `${sim.url}${sim.downloadPath(item)}`));
            const proc = spawn('/usr/bin/time', ['-f', '%U %S', 'curl', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
            let err = '';
            proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
            proc.on('error', reject);
            proc.on('close', () => {
              const [user, sys] = err.trim().split('\n').pop()!.split(' ').map(Number);
              curlCpu.push(((user ?? 0) + (sys ?? 0)) * 1000);
              resolve();
            });
          }),
      ),
    );
    const curlMs = performance.now() - curlStart;
    const curlAchieved = (result.bytes * 8) / (curlMs / 1000) / 1e6;
    console.log(`### 3 cameras in parallel under a ${LIMIT_MBPS} Mbps global limit (${FILES} files × ${(fileSize / 1048576).toFixed(0)} MiB per camera, Node ${process.version})\n`);
    console.log('| client | bytes | download phase | achieved / target | CPU (user+sys) | peak RSS |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(
      `| camdl sync (one process, one shared limit; ${result.outcome}) | ${result.bytes} | ${(result.downloadMs / 1000).toFixed(2)} s | ${achieved.toFixed(1)} / ${LIMIT_MBPS} Mbps (${((achieved / LIMIT_MBPS) * 100).toFixed(1)} %) | ${(result.cpuMs / 1000).toFixed(2)} s (${((result.cpuMs / result.wallMs) * 100).toFixed(1)} % of wall ${(result.wallMs / 1000).toFixed(2)} s) | ${result.maxRssMiB.toFixed(0)} MiB |`,
    );
    console.log(
      `| 3 × curl --limit-rate ${(perCurlBytes / 125_000).toFixed(1)} Mbps (parallel) | ${result.bytes} | ${(curlMs / 1000).toFixed(2)} s | ${curlAchieved.toFixed(1)} / ${LIMIT_MBPS} Mbps (${((curlAchieved / LIMIT_MBPS) * 100).toFixed(1)} %) | ${(curlCpu.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s | — |`,
    );
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
planBench();
