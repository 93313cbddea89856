// CPU seconds per GiB, wall time and peak RSS: @camdl/throttled-download and the timelapse2-dl CLI
// side by side with curl, in one run (targets: ../../../shared/spec/efficiency.md).
//
//   pnpm build && pnpm exec tsx bench/efficiency/bench.ts
//
// Every client is its own process under /usr/bin/time (user, system, max RSS), the clients alternate in
// every round, and each figure is printed with the 1-minute load average when the run ended: on a
// shared machine wall time is noisy, CPU time (user+sys of the client process alone) much less so.
// Env: BENCH_EFF_MIB (1024), BENCH_EFF_ROUNDS (2), BENCH_EFF_DIRS ("/dev/shm,<tmpdir>"),
// BENCH_EFF_PARALLEL_MIB (128, per download of the 8 concurrent ones), BENCH_EFF_RATE_SECONDS (6),
// BENCH_EFF_CLI_MIB (512), BENCH_EFF_AMCREST_MIB (128, per recording of the 8 `amcrest-dl --max-concurrent 8`
// downloads), BENCH_EFF_LIGHTTPD_MIB (2048: the archive `timelapse2-dl` fetches through lighttpd with MD5 Digest,
// the setup of the efficiency targets, with the Python seed's loop, seed-download.py, beside curl; BENCH_EFF_LIGHTTPD_ROUNDS (5)), BENCH_EFF_ONLY ("lib,parallel,rate,cli,amcrest,lighttpd"), BENCH_EFF_BEFORE (path of an older build's
// dist/index.js: adds a "before" row to the library tables; see docs/benchmarks.md), BENCH_EFF_UNDICI=1 (adds a
// row with `DownloadAgent({ lean: false })`: the same engine reading bodies through undici), BENCH_EFF_DEFAULT_V8=1
// (adds rows for `timelapse2-dl` and `amcrest-dl` with V8's default tiers: the same build started without the
// bins' `applyDownloadV8Flags()`, to show what it buys).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startCameraSim } from '../../packages/camera-sim/src/index.js';
import { findSystemTool } from '../../packages/test-utils/src/index.js';
import { startLighttpdArchive } from './lighttpd-archive.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const envNumber = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const size = envNumber('BENCH_EFF_MIB', 1024) * MiB;
const rounds = envNumber('BENCH_EFF_ROUNDS', 2);
const parallelSize = envNumber('BENCH_EFF_PARALLEL_MIB', 128) * MiB;
const rateSeconds = envNumber('BENCH_EFF_RATE_SECONDS', 6);
const cliSize = envNumber('BENCH_EFF_CLI_MIB', 512) * MiB;
const amcrestSize = envNumber('BENCH_EFF_AMCREST_MIB', 128) * MiB;
const lighttpdSize = envNumber('BENCH_EFF_LIGHTTPD_MIB', 2048) * MiB;
const lighttpdRounds = envNumber('BENCH_EFF_LIGHTTPD_ROUNDS', 5);
/**
 * The seed's loop runs where a Python 3 is on PATH (BENCH_EFF_PYTHON to name another), as the interpreter
 * itself: a version manager's shim in front of it would be timed too.
 */
const python = ((): string | undefined => {
  const found = process.env['BENCH_EFF_PYTHON'] ?? findSystemTool('python3');
  if (found === undefined) return undefined;
  const real = spawnSync(found, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  return real === '' ? found : real;
})();
const only = new Set((process.env['BENCH_EFF_ONLY'] ?? 'lib,parallel,rate,cli,amcrest,lighttpd').split(','));
const before = process.env['BENCH_EFF_BEFORE'];
const withUndici = process.env['BENCH_EFF_UNDICI'] === '1';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');
const childScript = join(here, '../throttled-download/child.mjs');
const built = join(repoRoot, 'packages/throttled-download/dist/index.js');
const cliBin = join(repoRoot, 'packages/cli/bin/timelapse2-dl.js');
const amcrestBin = join(repoRoot, 'packages/cli/bin/amcrest-dl.js');
const withDefaultV8 = process.env['BENCH_EFF_DEFAULT_V8'] === '1';
if (!existsSync(built) || !existsSync(join(repoRoot, 'packages/cli/dist'))) throw new Error('build first: pnpm build');
const snapshotDir = join(repoRoot, 'packages/throttled-download/node_modules/.camdl-bench');
mkdirSync(snapshotDir, { recursive: true });
const snapshot = join(snapshotDir, `eff-${process.pid}.js`);
copyFileSync(built, snapshot);
const beforeSnapshot = join(snapshotDir, `eff-before-${process.pid}.js`);
if (before !== undefined) copyFileSync(before, beforeSnapshot);

const dirs = (process.env['BENCH_EFF_DIRS'] ?? `/dev/shm,${tmpdir()}`).split(',').filter((dir) => existsSync(dir));
const work = new Map(dirs.map((dir) => [dir, mkdtempSync(join(dir, 'camdl-bench-eff-'))]));
/** A bin for the same built command that leaves V8's flags at their defaults (BENCH_EFF_DEFAULT_V8). */
const defaultV8Bin = (name: 'timelapse2-dl' | 'amcrest-dl', exported: string): string => {
  const path = join(work.values().next().value ?? tmpdir(), `${name}-default-v8.mjs`);
  const dist = (file: string): string => JSON.stringify(pathToFileURL(join(repoRoot, 'packages/cli/dist', file)).href);
  writeFileSync(path, `import { runCli } from ${dist('run-cli.js')};\nimport { ${exported} } from ${dist(`${name}.js`)};\nawait runCli(${exported});\n`);
  return path;
};
const fsType = (dir: string): string => spawnSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).stdout.trim();

const server = spawn(process.execPath, [join(here, '../throttled-download/server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const origin = await new Promise<string>((resolve, reject) => {
  server.once('error', reject);
  createInterface({ input: server.stdout }).once('line', (line) => resolve((JSON.parse(line) as { origin: string }).origin));
});

interface Measured {
  wallS: number;
  userS: number;
  sysS: number;
  rssKb: number;
  load: number;
  bytes: number;
}

/** One process under /usr/bin/time: wall, user, sys, max RSS; `bytes` = what landed in `outputs`. */
function measure(command: string, args: string[], outputs: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  spawnSync('sync');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', command, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('exit', (code) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`));
      let bytes = 0;
      for (const path of outputs) {
        try {
          bytes += statSync(path).size;
        } catch {
          // absent
        }
        rmSync(path, { force: true });
      }
      resolve({ wallS: Number(m[1]), userS: Number(m[2]), sysS: Number(m[3]), rssKb: Number(m[4]), load: loadavg()[0] ?? 0, bytes });
    });
  });
}

const curl = (dir: string, bytes: number, mbps = 0): Promise<Measured> => {
  const dest = join(work.get(dir) ?? dir, 'curl.bin');
  const rate = mbps > 0 ? ['--limit-rate', String(mbps * 125_000)] : [];
  return measure('curl', ['-s', '-o', dest, ...rate, `${origin}/bytes/${bytes}`], [dest]);
};
const ours = (
  dir: string,
  bytes: number,
  options: { fsync?: boolean; parallel?: number; mbps?: number; build?: string; undici?: boolean } = {},
): Promise<Measured> => {
  const { fsync = true, parallel = 1, mbps = 0, build = snapshot, undici = false } = options;
  const dest = join(work.get(dir) ?? dir, 'ours.bin');
  const outputs = parallel === 1 ? [dest] : Array.from({ length: parallel }, (_, i) => `${dest}.${i}`);
  const env = undici ? { ...process.env, BENCH_LEAN: '0' } : process.env;
  return measure(process.execPath, [childScript, build, `${origin}/bytes/${bytes}`, dest, String(mbps), String(parallel), fsync ? '1' : '0'], outputs, env);
};

const cpuPerGiB = (m: Measured): number => (m.userS + m.sysS) / (m.bytes / GiB);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const mib = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;
const tables: { title: string; header: string[]; rows: string[][] }[] = [];

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ` +
    `curl ${spawnSync('curl', ['--version'], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '?'}, ${new Date().toISOString()}; ` +
    `load average (1 min) at start ${loadavg()[0]?.toFixed(2)}`,
);

/** Rows for a set of clients measured in alternating rounds: medians, ratios to the first (curl). */
function rowsFor(runs: [string, Measured[]][]): string[][] {
  const base = runs[0]?.[1] ?? [];
  const baseCpu = median(base.map(cpuPerGiB));
  const baseWall = median(base.map((m) => m.wallS));
  return runs.map(([label, ms]) => {
    const cpu = median(ms.map(cpuPerGiB));
    const wall = median(ms.map((m) => m.wallS));
    return [
      label,
      `${cpu.toFixed(2)} s (${(cpu / baseCpu).toFixed(2)}×)`,
      `${median(ms.map((m) => m.userS)).toFixed(2)} + ${median(ms.map((m) => m.sysS)).toFixed(2)}`,
      `${wall.toFixed(2)} s (${(wall / baseWall).toFixed(2)}×)`,
      mib(Math.max(...ms.map((m) => m.rssKb))),
      ms.map((m) => m.load.toFixed(1)).join('/'),
    ];
  });
}
const header = ['client', 'CPU s/GiB (vs curl)', 'user + sys s', 'wall (vs curl)', 'peak RSS', 'load avg'];

// 1. The library, one download, alternating: curl -o / ours durable / ours fsync:false, per directory.
if (only.has('lib')) {
  for (const dir of dirs) {
    const clients: [string, () => Promise<Measured>][] = [
      ['curl -o', () => curl(dir, size)],
      ['ours, fsync: true (default)', () => ours(dir, size)],
      ['ours, fsync: false', () => ours(dir, size, { fsync: false })],
      ...(withUndici ? [['ours, undici reader (lean: false), fsync: true', () => ours(dir, size, { undici: true })] as [string, () => Promise<Measured>]] : []),
      ...(before !== undefined ? [['before (BENCH_EFF_BEFORE), fsync: true', () => ours(dir, size, { build: beforeSnapshot })] as [string, () => Promise<Measured>]] : []),
    ];
    const runs: [string, Measured[]][] = clients.map(([label]) => [label, []]);
    for (let round = 0; round < rounds; round++) {
      for (const [i, [, run]] of clients.entries()) runs[i]?.[1].push(await run());
    }
    tables.push({ title: `download(), ${size / MiB} MiB to ${dir} (${fsType(dir)}), median of ${rounds} alternating rounds`, header, rows: rowsFor(runs) });
  }
}

// 2. Eight concurrent downloads in one process (peak RSS target: 120 MiB).
if (only.has('parallel')) {
  const dir = dirs[0] ?? tmpdir();
  const eight = await ours(dir, parallelSize, { parallel: 8 });
  const one = await ours(dir, parallelSize);
  tables.push({
    title: `Peak RSS, one process, ${parallelSize / MiB} MiB per download, ${dir}`,
    header: ['case', 'peak RSS', 'CPU s/GiB', 'load avg'],
    rows: [
      ['1 download', mib(one.rssKb), cpuPerGiB(one).toFixed(2), one.load.toFixed(1)],
      ['8 concurrent downloads', mib(eight.rssKb), cpuPerGiB(eight).toFixed(2), eight.load.toFixed(1)],
    ],
  });
}

// 3. CPU % at the default 90 Mbps.
if (only.has('rate')) {
  const dir = dirs[0] ?? tmpdir();
  const bytes = Math.round(90 * 125_000 * rateSeconds);
  const c = await curl(dir, bytes, 90);
  const o = await ours(dir, bytes, { mbps: 90 });
  const pct = (m: Measured): string => `${(((m.userS + m.sysS) / m.wallS) * 100).toFixed(1)} %`;
  tables.push({
    title: `CPU at 90 Mbps (${rateSeconds} s, ${dir}): (user+sys)/wall of the client process`,
    header: ['client', 'CPU %', 'user + sys s', 'wall s', 'peak RSS', 'load avg'],
    rows: [
      ['curl --limit-rate 11250000', pct(c), `${c.userS.toFixed(2)} + ${c.sysS.toFixed(2)}`, c.wallS.toFixed(2), mib(c.rssKb), c.load.toFixed(1)],
      ['ours, RateLimiter 90 Mbps', pct(o), `${o.userS.toFixed(2)} + ${o.sysS.toFixed(2)}`, o.wallS.toFixed(2), mib(o.rssKb), o.load.toFixed(1)],
    ],
  });
}

// 4. The CLI as a whole (start-up, listing, digest auth, rate limit off) against the camera simulator,
//    side by side with `curl --digest` on the same archive. The simulator runs in this process.
if (only.has('cli')) {
  const dir = dirs[0] ?? tmpdir();
  const filename = 'Bench_Gate_2026_01_01_0000.mp4';
  const sim = await startCameraSim({ profile: 'timelapse3', content: { archives: [{ filename, content: 'synthetic', size: cliSize }] } });
  try {
    const archive = sim.archives[0];
    if (!archive) throw new Error('no archive');
    const out = join(work.get(dir) ?? dir, 'cli');
    mkdirSync(out, { recursive: true });
    const runs: [string, Measured[]][] = [
      ['curl --digest -o', []],
      ['timelapse2-dl --rate-limit 0', []],
    ];
    for (let round = 0; round < rounds; round++) {
      const curlDest = join(out, 'curl.mp4');
      runs[0]?.[1].push(
        await measure('curl', ['-s', '--digest', '-u', `${sim.username}:${sim.password}`, '-o', curlDest, `${sim.url}${sim.downloadPath(archive)}`], [curlDest]),
      );
      runs[1]?.[1].push(
        await measure(
          process.execPath,
          [cliBin, '--host', sim.url, '--user', sim.username, '--outdir', out, '--rate-limit', '0', '--no-progress'],
          [join(out, filename)],
          { ...process.env, TIMELAPSE2_DL_PASSWORD: sim.password },
        ),
      );
    }
    tables.push({ title: `The CLI, one ${cliSize / MiB} MiB archive from camera-sim (timelapse3, digest) to ${dir}, median of ${rounds}`, header, rows: rowsFor(runs) });
  } finally {
    await sim.close();
  }
}

// 5. amcrest-dl as a whole: 8 recordings downloaded at once (--max-concurrent 8) from the simulator
//    (Amcrest profile, digest auth, in this process), side by side with 8 `curl --digest` run in parallel.
if (only.has('amcrest')) {
  const dir = dirs[0] ?? tmpdir();
  const day = '2026-01-16';
  const recordings = Array.from({ length: 8 }, (_, i) => ({
    start: `${day} ${String(10 + i).padStart(2, '0')}:00:00`,
    end: `${day} ${String(10 + i).padStart(2, '0')}:59:59`,
    content: 'synthetic' as const,
    size: amcrestSize,
  }));
  const sim = await startCameraSim({ profile: 'amcrest', content: { recordings } });
  try {
    const out = join(work.get(dir) ?? dir, 'amcrest');
    mkdirSync(out, { recursive: true });
    const urls = sim.recordings.map((recording) => `${sim.url}/cgi-bin/RPC_Loadfile${recording.filePath}`);
    const runs: [string, Measured[]][] = [
      ['8 × curl --digest -o, in parallel', []],
      ['amcrest-dl --max-concurrent 8 --no-merge', []],
      ...(withDefaultV8 ? [['same, V8 default tiers (BENCH_EFF_DEFAULT_V8)', []] as [string, Measured[]]] : []),
    ];
    const bins = [amcrestBin, ...(withDefaultV8 ? [defaultV8Bin('amcrest-dl', 'amcrestDl')] : [])];
    for (let round = 0; round < rounds; round++) {
      const curlOutputs = urls.map((_, i) => join(out, `curl-${i}.mp4`));
      const script = urls.map((url, i) => `curl -s -g --digest -u "$CAMDL_U:$CAMDL_P" -o '${curlOutputs[i]}' '${url}' &`).join(' ') + ' wait';
      runs[0]?.[1].push(await measure('sh', ['-c', script], curlOutputs, { ...process.env, CAMDL_U: sim.username, CAMDL_P: sim.password }));
      for (const [index, bin] of bins.entries()) {
        const before = new Set(existsSync(out) ? readdirSync(out) : []);
        const ran = await measure(
          process.execPath,
          [bin, '--host', sim.url, '--username', sim.username, '--start', `${day}T00:00:00`, '--end', `${day}T23:59:59`, '--camera-tz', 'UTC', '--output-dir', out, '--no-progress', '--no-merge', '--max-concurrent', '8', '--rate-limit', '0'],
          [],
          { ...process.env, AMCREST_DL_PASSWORD: sim.password },
        );
        let bytes = 0;
        for (const name of readdirSync(out, { recursive: true }) as string[]) {
          const path = join(out, name);
          if (before.has(name) || !statSync(path).isFile()) continue;
          bytes += statSync(path).size;
        }
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        runs[1 + index]?.[1].push({ ...ran, bytes });
      }
    }
    tables.push({
      title: `amcrest-dl, 8 recordings × ${amcrestSize / MiB} MiB at once from camera-sim (amcrest, digest) to ${dir}, median of ${rounds}`,
      header,
      rows: rowsFor(runs),
    });
  } finally {
    await sim.close();
  }
}

// 6. The setup of the efficiency anchors: `timelapse2-dl` as a whole against a real lighttpd with MD5 Digest (mod_auth,
//    static files for the Timelapse 3.x app, listing and download endpoints; the archive's bytes are the
//    simulator's own), side by side with `curl --digest -o` of the same archive. lighttpd (C) serves,
//    so the clients' figures are not shared with a Node server on the same 2 cores.
if (only.has('lighttpd') && findSystemTool('lighttpd') !== undefined) {
  const dir = dirs[0] ?? tmpdir();
  const server = await startLighttpdArchive(lighttpdSize);
  const { password, filename } = server;
  try {
    const out = join(work.get(dir) ?? dir, 'lighttpd');
    mkdirSync(out, { recursive: true });
    const runs: [string, Measured[]][] = [
      ['curl --digest -o', []],
      ...(python === undefined ? [] : [['the seed\'s loop (Python, urllib, 64 KiB reads, fsync)', []] as [string, Measured[]]]),
      ['timelapse2-dl --rate-limit 0', []],
      ...(withDefaultV8 ? [['same, V8 default tiers (BENCH_EFF_DEFAULT_V8)', []] as [string, Measured[]]] : []),
    ];
    const bins = [cliBin, ...(withDefaultV8 ? [defaultV8Bin('timelapse2-dl', 'timelapse2Dl')] : [])];
    const firstOurs = runs.length - bins.length;
    for (let round = 0; round < lighttpdRounds; round++) {
      const curlDest = join(out, 'curl.mp4');
      runs[0]?.[1].push(
        await measure('curl', ['-s', '--digest', '-u', `root:${password}`, '-o', curlDest, `${server.url}/local/timelapse2/download?filename=${filename}`], [curlDest]),
      );
      if (python !== undefined) {
        runs[1]?.[1].push(
          await measure(python, [join(here, 'seed-download.py'), server.url, 'root', out], [join(out, filename)], { ...process.env, SEED_PASSWORD: password }),
        );
      }
      for (const [index, bin] of bins.entries()) {
        runs[firstOurs + index]?.[1].push(
          await measure(process.execPath, [bin, '--host', server.url, '--user', 'root', '--outdir', out, '--rate-limit', '0', '--no-progress'], [join(out, filename)], {
            ...process.env,
            TIMELAPSE2_DL_PASSWORD: password,
          }),
        );
      }
    }
    tables.push({
      title: `The efficiency anchors' setup: timelapse2-dl, one ${lighttpdSize / MiB} MiB archive through lighttpd (MD5 Digest) to ${dir} (${fsType(dir)}), median of ${lighttpdRounds} interleaved rounds`,
      header,
      rows: rowsFor(runs),
    });
  } finally {
    await server.stop();
  }
}

server.stdin.end();
for (const path of work.values()) rmSync(path, { recursive: true, force: true });
rmSync(snapshot, { force: true });
rmSync(beforeSnapshot, { force: true });
for (const { title, header: head, rows } of tables) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`\n${title}\n\n${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}`);
}
