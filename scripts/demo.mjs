#!/usr/bin/env node
// The main job with no camera at hand: start the camera simulators on 127.0.0.1 and archive a mixed
// fleet of five cameras (Timelapse2, Timelapse 3, Amcrest, Axis edge storage, Hikvision) with `camdl sync` (twice: the second run downloads nothing), show `camdl
// status` and write the coverage report; copy every recording to an off-site target, verify the copies
// and restore one camera from it; then download from single cameras with the two seed CLIs,
// exactly as a user would from real cameras. Output lands in ./demo-output.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { startCameraSim } = await import(join(root, 'packages/camera-sim/dist/index.js'));
const outdir = join(process.env.CAMDL_DEMO_OUTDIR ?? join(root, 'demo-output'));

function run(bin, args, env) {
  console.log(`\n$ ${bin} ${args.map((arg) => (/[\s'"]/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin', `${bin}.js`), ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function listFiles(dir) {
  const rows = [];
  for (const name of (await readdir(dir)).sort()) {
    const info = await stat(join(dir, name));
    if (info.isFile()) rows.push(`  ${name}  (${info.size} bytes)`);
  }
  return rows.join('\n');
}

/**
 * A real S3 protocol server (s3rver, the one the tests use) on 127.0.0.1 in its own process, with a
 * throwaway key pair: the off-site target of the demo.
 */
async function startS3(directory, bucket) {
  const accessKeyId = `DEMO${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString('base64url');
  await mkdir(directory, { recursive: true });
  const child = spawn(process.execPath, [join(root, 'packages/test-utils/src/s3-server-process.mjs'), JSON.stringify({ directory, accessKeyId, secretAccessKey, buckets: [bucket] })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the S3 server did not start within 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`the S3 server exited (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const message = JSON.parse(line);
        if (typeof message.port === 'number') {
          clearTimeout(timer);
          resolve(message.port);
        }
      } catch {
        // not a line of the protocol
      }
    });
  });
  return { endpoint: `http://127.0.0.1:${port}`, accessKeyId, secretAccessKey, close: () => child.kill('SIGTERM') };
}

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
let failures = 0;

/** Daily timelapse archives covering `days` days from `startDay` (named, as cameras do, after the next midnight). */
function dailyArchives(prefix, days, startDay) {
  const start = Date.parse(`${startDay}T00:00:00Z`);
  return Array.from({ length: days }, (_, index) => {
    const first = start + index * 86_400_000;
    const next = new Date(first + 86_400_000).toISOString();
    return { filename: `${prefix}_${next.slice(0, 4)}_${next.slice(5, 7)}_${next.slice(8, 10)}_0000`, first };
  });
}

/** The UTC date `days` days before today, `YYYY-MM-DD`: the fleet's footage is recent, as a live camera's is. */
function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** An evening of recordings on `day` (camera wall clock): 15 of 8 minutes from 20:00. */
function eveningRecordings(day) {
  const base = Date.parse(`${day}T20:00:00Z`);
  const wall = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  return Array.from({ length: 15 }, (_, index) => ({ start: wall(base + index * 480_000), end: wall(base + (index + 1) * 480_000) }));
}

console.log('== camdl sync: one config, five cameras of four kinds (simulated), archived and verified ==');
if (typeof process.getBuiltinModule !== 'function' || !process.getBuiltinModule('node:sqlite')) {
  console.log(`camdl needs Node.js 22.19 or newer for its ledger (node:sqlite); this is ${process.version}: skipping this part`);
  failures += 1;
} else {
  const s3 = await startS3(join(outdir, 's3-server'), 'camdl-archive');
  const secretFile = join(outdir, 'offsite.secret');
  const fleet = [
    ['north-gate', await startCameraSim({ profile: 'timelapse2-v1', content: { archives: dailyArchives('North_Gate', 4, daysAgo(4)) } })],
    ['crane', await startCameraSim({ profile: 'timelapse3', content: { archives: dailyArchives('Crane', 3, daysAgo(3)) } })],
    ['kitchen', await startCameraSim({ profile: 'amcrest', content: { recordings: eveningRecordings(daysAgo(2)) } })],
    // An Axis camera's SD card: three finished recordings and one still being written (left for a later run).
    ['dock', await startCameraSim({ profile: 'axis-edge', timeZone: 'Europe/Berlin', axisEdge: { recordings: 3, firstStart: `${daysAgo(1)}T20:00:00Z` } })],
    // A Hikvision camera whose recordings cross its local midnight: two day folders.
    ['lobby', await startCameraSim({ profile: 'hikvision', timeZone: 'America/New_York', hikvision: { recordingsPerChannel: 4, firstStart: `${daysAgo(2)} 23:40:00` } })],
  ];
  try {
    await writeFile(secretFile, `${s3.secretAccessKey}\n`, { mode: 0o600 });
    const env = { OFFSITE_KEY_ID: s3.accessKeyId };
    const lines = [
      '# camdl fleet config of the demo (camdl init writes a commented example)',
      'archive: ./archive',
      'bandwidth: 200            # Mbps for all cameras together',
      'layout: "{camera}/{yyyy}-{mm}-{dd}/{file}"',
      'upload-bandwidth: 50     # Mbps for all uploads to targets together',
      'targets:                 # off-site copies, each verified by sha256 and recorded in the ledger',
      '  - name: offsite',
      '    kind: s3               # a local S3 server here; AWS, MinIO, B2, R2, Wasabi, Garage alike',
      `    endpoint: ${s3.endpoint}`,
      '    region: us-east-1',
      '    bucket: camdl-archive',
      '    prefix: site-a/',
      '    path-style: true',
      '    access-key-id-env: OFFSITE_KEY_ID',
      `    secret-access-key-file: ${secretFile}`,
      '  - name: usb',
      '    kind: directory',
      `    path: ${join(outdir, 'offsite-usb')}`,
      'cameras:',
    ];
    await mkdir(join(outdir, 'offsite-usb'), { recursive: true });
    for (const [name, sim] of fleet) {
      const variable = `${name.toUpperCase().replace(/-/g, '_')}_PASSWORD`;
      env[variable] = sim.password;
      const kind = ['amcrest', 'axis-edge', 'hikvision'].includes(sim.profile) ? sim.profile : 'timelapse';
      lines.push(`  - name: ${name}`, `    kind: ${kind}`, `    host: ${sim.url}`, `    username: ${sim.username}`, `    password-env: ${variable}`);
      if (kind === 'amcrest') lines.push('    channels: [1]', `    since: ${daysAgo(2)}T00:00:00`, `    time-zone: ${sim.timeZone}`);
      else if (kind === 'axis-edge') lines.push('    format: matroska         # exports proven whole from their container', '    delete-after: true       # remove.cgi once the archive and both targets hold it verified');
      else if (kind === 'hikvision') lines.push('    channels: [1]', `    since: ${daysAgo(3)}T00:00:00   # the recorder's wall clock; its zone learnt from /ISAPI/System/time`);
      else lines.push('    time-zone: UTC', '    rate-limit: 90');
    }
    const config = join(outdir, 'camdl.yaml');
    await writeFile(config, `${lines.join('\n')}\n`);
    console.log(`config ${config}:\n${lines.map((line) => `  ${line}`).join('\n')}`);
    const first = await run('camdl', ['sync', '--config', config], env);
    if (first !== 0) failures += 1;
    console.log(`exit code ${first}`);
    console.log('\nRunning it again downloads nothing (idempotent, what cron does every night):');
    const second = await run('camdl', ['sync', '--config', config, '--no-progress'], env);
    if (second !== 0) failures += 1;
    const status = await run('camdl', ['status', '--config', config], {});
    if (status !== 0) failures += 1;
    const verify = await run('camdl', ['verify', '--config', config], {});
    if (verify !== 0) failures += 1;
    const report = await run('camdl', ['report', '--config', config, '--out', join(outdir, 'coverage.html')], {});
    if (report !== 0) failures += 1;
    console.log('\nEvery copy on the S3 target, read back and re-hashed against the ledger:');
    const verifyTarget = await run('camdl', ['verify', '--config', config, '--target', 'offsite', '--deep'], env);
    if (verifyTarget !== 0) failures += 1;
    console.log('\nA backup nobody restored is a hope: restore one camera from the S3 target and re-hash each file:');
    const restore = await run('camdl', ['restore', '--config', config, '--target', 'offsite', '--camera', 'crane', '--out', join(outdir, 'restored')], env);
    if (restore !== 0) failures += 1;
    console.log('\nEvery site in the bucket, from the ledger snapshots camdl sync leaves there:');
    const sites = await run('camdl', ['status', '--config', config, '--target', 'offsite'], env);
    if (sites !== 0) failures += 1;
    console.log(`Open ${join(outdir, 'coverage.html')} in a browser: the fleet verdict, then a calendar of days per camera (click a day for its 24 hours).`);
  } finally {
    await Promise.all(fleet.map(([, sim]) => sim.close()));
    s3.close();
  }
}

console.log('\n== timelapse2-dl: an Axis camera with the Timelapse 3 ACAP (simulated) ==');
const axis = await startCameraSim({ profile: 'timelapse3' });
try {
  console.log(`camera: ${axis.url}  user=${axis.username}  (password passed through TIMELAPSE2_DL_PASSWORD)`);
  const target = join(outdir, 'timelapse2');
  const code = await run('timelapse2-dl', ['--host', axis.url, '--user', axis.username, '--outdir', target, '--rate-limit', '400'], {
    TIMELAPSE2_DL_PASSWORD: axis.password,
  });
  if (code !== 0) failures += 1;
  console.log(`\nexit code ${code}; ${target}:\n${await listFiles(target)}`);
  console.log('\nRunning it again skips what is already there:');
  const again = await run('timelapse2-dl', ['--host', axis.url, '--user', axis.username, '--outdir', target, '--no-progress'], {
    TIMELAPSE2_DL_PASSWORD: axis.password,
  });
  if (again !== 0) failures += 1;
} finally {
  await axis.close();
}

console.log('\n== amcrest-dl: an Amcrest camera (simulated), two hours of recordings merged into one file ==');
const amcrest = await startCameraSim({ profile: 'amcrest' });
try {
  console.log(`camera: ${amcrest.url}  user=${amcrest.username}  time zone ${amcrest.timeZone}`);
  const target = join(outdir, 'amcrest');
  const code = await run(
    'amcrest-dl',
    ['--host', amcrest.url, '--username', amcrest.username, '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--output-dir', target, '--output-file', 'evening.mp4'],
    { AMCREST_DL_PASSWORD: amcrest.password },
  );
  if (code !== 0) failures += 1;
  console.log(`\nexit code ${code}; ${target}:\n${await listFiles(target)}`);
  try {
    const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'compact', join(target, 'evening.mp4')]);
    console.log(`ffprobe evening.mp4:\n${probe.toString().trim()}`);
  } catch {
    console.log('(ffprobe could not read the merged file)');
    failures += 1;
  }
} finally {
  await amcrest.close();
}

console.log(failures === 0 ? `\nDemo done: everything is in ${outdir}` : `\nDemo finished with ${failures} failing step(s)`);
process.exitCode = failures === 0 ? 0 : 1;
