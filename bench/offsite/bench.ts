// Uploading one large file to a local S3 server (s3rver, its own process): @camdl/offsite's S3 target against
// `rclone copyto`, side by side in one run — wall time, CPU (user+sys of the client process alone) and peak RSS.
//
//   pnpm build && pnpm exec tsx bench/offsite/bench.ts
//
// Each client is its own process under /usr/bin/time; they alternate in every round and each row carries the
// 1-minute load average when it ended (on a shared machine wall time is noisy, CPU time much less so). Both
// send 8 MiB parts, 4 at a time (rclone: --s3-chunk-size 8M --s3-upload-concurrency 4, its other defaults
// as users run it: it MD5s the file for its metadata; camdl sends a Content-MD5 per part and keeps the sha256
// it was given). Env: BENCH_OFFSITE_MIB (2048), BENCH_OFFSITE_ROUNDS (2), BENCH_OFFSITE_DIR (the OS temp dir:
// the local file; s3rver keeps its objects in the same place).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSystemTool, startS3Server } from '../../packages/test-utils/src/index.js';

const MiB = 1024 * 1024;
const envNumber = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const size = envNumber('BENCH_OFFSITE_MIB', 2048) * MiB;
const rounds = envNumber('BENCH_OFFSITE_ROUNDS', 2);
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');
const built = join(repoRoot, 'packages/offsite/dist/index.js');
if (!existsSync(built)) throw new Error('build first: pnpm build');
const rclone = findSystemTool('rclone');
if (rclone === undefined) throw new Error('rclone not found (scripts/ensure-system-deps.sh installs it)');

const work = mkdtempSync(join(process.env['BENCH_OFFSITE_DIR'] ?? tmpdir(), 'camdl-bench-offsite-'));
const file = join(work, 'recording.bin');
// Incompressible, deterministic content written in 16 MiB slices (memory flat while writing).
{
  const fd = openSync(file, 'w');
  const slice = Buffer.alloc(16 * MiB);
  let x = 0x9e3779b9;
  for (let written = 0; written < size; written += slice.length) {
    for (let i = 0; i < slice.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      slice.writeUInt32LE(x >>> 0, i);
    }
    writeSync(fd, slice, 0, Math.min(slice.length, size - written));
  }
  closeSync(fd);
}
const sha256 = await new Promise<string>((resolve, reject) => {
  const hash = createHash('sha256');
  createReadStream(file)
    .on('data', (chunk) => hash.update(chunk))
    .on('end', () => resolve(hash.digest('hex')))
    .on('error', reject);
});

const server = await startS3Server({ buckets: ['camdl'] });

interface Measured {
  wallS: number;
  cpuS: number;
  rssMiB: number;
  load: number;
}

function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  spawnSync('sync');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', command, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = stderr.split('\n').find((candidate) => candidate.startsWith('TIME '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${command} failed (${code}): ${stderr.slice(-2000)} ${stdout.slice(-500)}`));
        return;
      }
      const [wall, user, sys, rss] = line.slice(5).split(' ').map(Number) as [number, number, number, number];
      resolve({ wallS: wall, cpuS: user + sys, rssMiB: rss / 1024, load: loadavg()[0]! });
    });
  });
}

/** Drops an uploaded object from s3rver's directory, so the disk holds one copy at a time. */
function removeObject(key: string): void {
  for (const name of readdirSync(join(server.directory, 'camdl'))) if (name.startsWith(`${key}._S3rver_`)) rmSync(join(server.directory, 'camdl', name), { force: true });
}

// Neither client sees the machine's CA bundle variables (rclone's S3 backend fails on AWS_CA_BUNDLE with http).
const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/CA_BUNDLE|SSL_CERT|CA_CERTS/.test(name)));
const camdlEnv = { ...baseEnv, BENCH_S3_KEY_ID: server.accessKeyId, BENCH_S3_SECRET: server.secretAccessKey };
const rcloneEnv = {
  ...baseEnv,
  RCLONE_CONFIG_BENCH_TYPE: 's3',
  RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
  RCLONE_CONFIG_BENCH_ENDPOINT: server.endpoint,
  RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: server.accessKeyId,
  RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: server.secretAccessKey,
};

const rows: { tool: string; round: number; measured: Measured }[] = [];
try {
  for (let round = 1; round <= rounds; round += 1) {
    const order = round % 2 === 1 ? ['camdl', 'rclone'] : ['rclone', 'camdl'];
    for (const tool of order) {
      const key = `${tool}-${round}.bin`;
      const measured =
        tool === 'camdl'
          ? await measure(process.execPath, [join(here, 'child.mjs'), built, server.endpoint, file, key, String(size), sha256], camdlEnv)
          : await measure(rclone, ['copyto', file, `bench:camdl/${key}`, '--s3-chunk-size', '8M', '--s3-upload-concurrency', '4', '--retries', '1', '--stats', '0'], rcloneEnv);
      rows.push({ tool, round, measured });
      removeObject(key);
      console.log(`${tool.padEnd(7)} round ${round}: wall ${measured.wallS.toFixed(1)} s, CPU ${measured.cpuS.toFixed(1)} s, peak RSS ${measured.rssMiB.toFixed(0)} MiB, load ${measured.load.toFixed(2)}`);
    }
  }
} finally {
  await server.close();
  rmSync(work, { recursive: true, force: true });
}

const best = (tool: string, pick: (m: Measured) => number): number => Math.min(...rows.filter((row) => row.tool === tool).map((row) => pick(row.measured)));
const ratio = (pick: (m: Measured) => number): string => (best('camdl', pick) / best('rclone', pick)).toFixed(2);
console.log(`\n${size / MiB} MiB to s3rver, best of ${rounds}: camdl/rclone wall ${ratio((m) => m.wallS)}, CPU ${ratio((m) => m.cpuS)}; camdl peak RSS ${best('camdl', (m) => m.rssMiB).toFixed(0)} MiB, rclone ${best('rclone', (m) => m.rssMiB).toFixed(0)} MiB`);
writeFileSync(join(tmpdir(), 'camdl-bench-offsite.json'), JSON.stringify({ size, rows }, null, 2));
