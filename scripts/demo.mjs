#!/usr/bin/env node
// The main job with no camera at hand: start the camera simulators on 127.0.0.1 and download from
// them with both CLIs, exactly as a user would from a real camera. Output lands in ./demo-output.
import { spawn, execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
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

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
let failures = 0;

console.log('== Axis camera with the Timelapse 3 ACAP (simulated) ==');
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

console.log('\n== Amcrest camera (simulated): two hours of recordings merged into one file ==');
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
