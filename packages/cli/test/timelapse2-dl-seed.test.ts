import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { temporaryPaths } from '@camdl/throttled-download';
import { closeAfterEach, findSystemTool, makeTempDir, sha256File, type TempDir } from '@camdl/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, runCliInterruptedAfterSave, startCli } from './timelapse2-dl-helpers.js';

const track = closeAfterEach();

beforeAll(() => assertBuilt());

async function setup(profile: 'timelapse2-v1' | 'timelapse3' | 'timelapseme', simOptions: Partial<Parameters<typeof startCameraSim>[0]> = {}): Promise<{ sim: CameraSim; dir: TempDir; args: string[] }> {
  const sim = track(await startCameraSim({ profile, content: 'tiny', ...simOptions }));
  const dir = track(await makeTempDir('camdl-t2seed-'));
  const args = ['--host', sim.url, '--user', sim.username, '--pass', sim.password, '--no-progress', '--rate-limit', '0', '--retry-delay', '0', '--timeout', '5'];
  return { sim, dir, args };
}

describe('seed compatibility', () => {
  it('--version prints the version, exit 0', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a repeated flag takes its last value, as argparse', async () => {
    const { sim, dir, args } = await setup('timelapse3');
    const run = await runCli([...args, '--outdir', '/nonexistent/never', '--outdir', dir.path, '--timeout', '1', '--timeout', '5']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`SAVE  ${dir.path}/${sim.archives[0]!.filename}`);
  });

  it('no --user: a usage error, exit 2 (argparse: required)', async () => {
    const run = await runCli(['--pass', 'x', '--host', '127.0.0.1:9']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--user is required');
  });

  it("the seed's opening lines, blank line and summary", async () => {
    const { sim, dir, args } = await setup('timelapse3');
    const run = await runCli([...args, '--outdir', dir.path]);
    const n = sim.archives.length;
    expect(run.stdout.startsWith(`Fetching timelapse archives from ${sim.url}...\nFound ${n} timelapse archive(s) to download.\n\nGET   `)).toBe(true);
    expect(run.stdout.endsWith(`\n\nDone. downloaded=${n} skipped=0 failed=0\n`)).toBe(true);
    sim.addFault({ route: 'archive', kind: 'status', status: 200, body: '[]' });
    const empty = await runCli([...args, '--outdir', dir.path]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('\nNo timelapse archives found on camera.\n');
  });

  it('SAVE shows outdir as given joined with the name (./name by default), like os.path.join', async () => {
    const { sim, dir, args } = await setup('timelapse3');
    const [first, second] = [sim.archives[0]!, sim.archives[1]!];
    const withOutdir = await startCli([...args, '--outdir', 'downloads'], { cwd: dir.path }).done;
    expect(withOutdir.code, withOutdir.stdout + withOutdir.stderr).toBe(0);
    expect(withOutdir.stdout).toContain(`\nSAVE  downloads/${first.filename}\n`);
    expect(withOutdir.stdout).toMatch(new RegExp(`^GET   ${sim.url}/local/timelapse2/download\\?filename=${first.filename}$`, 'm'));
    expect(await sha256File(join(dir.path, 'downloads', first.filename))).toBe(first.sha256);

    const byDefault = await startCli(args, { cwd: dir.path }).done;
    expect(byDefault.stdout).toContain(`\nSAVE  ./${second.filename}\n`);
    expect(await sha256File(join(dir.path, second.filename))).toBe(second.sha256);
  });

  it('the three SKIP/INFO texts of the seed README, character by character', async () => {
    const { sim, dir, args } = await setup('timelapse2-v1');
    const [a, b] = [sim.archives[0]!, sim.archives[1]!];
    await runCli([...args, '--outdir', dir.path]);
    await writeFile(join(dir.path, a.filename), 'x'.repeat(1000));
    const run = await runCli([...args, '--outdir', dir.path, '--check-size']);
    const size = (await stat(join(dir.path, b.filename))).size;
    expect(run.stdout).toContain(`INFO  ${a.filename} exists but size mismatch (local: 1000, remote: ${a.size}), re-downloading\n`);
    expect(run.stdout).toContain(`SKIP  ${b.filename} (already exists, size matches: ${size} bytes)\n`);
    expect(run.stdout.endsWith('Done. downloaded=1 skipped=1 failed=0\n')).toBe(true);
    // The camera cannot say a size (no Content-Length): skipped, not verified.
    sim.addFault({ route: 'download', kind: 'status', status: 404 });
    const unverifiable = await runCli([...args, '--outdir', dir.path, '--check-size']);
    expect(unverifiable.stdout).toContain(`SKIP  ${a.filename} (already exists, cannot verify size)\n`);
    expect(unverifiable.code, unverifiable.stdout + unverifiable.stderr).toBe(0);
  });

  it("TimelapseMe: the seed's URLs (file= urllib.parse.quote'd) and files", async () => {
    const { sim, dir, args } = await setup('timelapseme', { content: 'demo' });
    const run = await runCli([...args, '--outdir', dir.path]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const obrien = sim.archives.find((archive) => archive.filename.startsWith("O'Brien"))!;
    const quoted = obrien.filename.replace(/'/g, '%27');
    expect(run.stdout).toMatch(new RegExp(`^GET   ${sim.url}/local/timelapseme/archives\\?export=${obrien.id}&file=${quoted}$`, 'm'));
    expect(await sha256File(join(dir.path, obrien.filename))).toBe(obrien.sha256);
  });
});

describe('retries', () => {
  it('--retry-delay is the same between every attempt (no backoff), --max-retries retries after the first try', async () => {
    const { sim, dir, args } = await setup('timelapse3');
    const broken = sim.archives[0]!;
    sim.addFault({ route: 'download', match: broken.filename, kind: 'status', status: 500 });
    const run = await runCli([...args, '--outdir', dir.path, '--json', '--retry-delay', '0.02', '--max-retries', '3']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((event) => event['type'] === 'retry').map((event) => event['delayMs'])).toEqual([20, 20, 20]);
    expect(sim.counters.requestsByMethod['GET download']).toBe(4 + sim.archives.length - 1);
  });
});

describe('--delete-after', () => {
  it('TimelapseMe cannot delete: one warning, files downloaded, nothing deleted, exit 0', async () => {
    const { sim, dir, args } = await setup('timelapseme');
    const run = await runCli([...args, '--outdir', dir.path, '--delete-after']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr.match(/^WARN {2}.*cannot delete/gm)?.length).toBe(1);
    expect(run.stdout).toContain(`Done. downloaded=${sim.archives.length} skipped=0 failed=0`);
    expect(sim.counters.requestsByMethod['DELETE archives'] ?? 0).toBe(0);
  });

  it('a skipped file whose size cannot be verified is never deleted; a size-checked one is', async () => {
    const { sim, dir, args } = await setup('timelapse2-v1');
    const [a, b] = [sim.archives[0]!, sim.archives[1]!];
    await runCli([...args, '--outdir', dir.path]);
    const plain = await runCli([...args, '--outdir', dir.path, '--delete-after']);
    expect(plain.stdout).not.toContain('DEL ');
    expect(sim.archives.length).toBe(2);
    sim.addFault({ route: 'download', match: a.filename, kind: 'status', status: 500 });
    const checked = await runCli([...args, '--outdir', dir.path, '--delete-after', '--check-size', '--max-retries', '0']);
    expect(checked.stdout).toContain(`SKIP  ${a.filename} (already exists, cannot verify size)`);
    expect(checked.stdout).toContain(`DEL   ${b.filename} (deleted on the camera)`);
    expect(sim.archives.map((archive) => archive.filename)).toEqual([a.filename]);
  });
});

describe('real-device behaviour', () => {
  it('3.x "503 Service is still starting" at the first requests: retried, exit 0', async () => {
    const { sim, dir, args } = await setup('timelapse3', { timelapse: { startingRequests: 2 } });
    const run = await runCli([...args, '--outdir', dir.path]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`Done. downloaded=${sim.archives.length} skipped=0 failed=0`);
  });

  it('one Ctrl+C while the listing waits to retry (503 at boot): stops at once, exit 130', async () => {
    const { dir, args } = await setup('timelapse3', { timelapse: { startingRequests: 100 } });
    let signalled = false;
    const { done } = startCli([...args, '--outdir', dir.path, '--retry-delay', '30'], {
      onStdout: (text, child) => {
        if (!signalled && text.includes('Fetching')) {
          signalled = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      },
    });
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.ms).toBeLessThan(5000);
    expect(run.stdout).not.toContain('Done.');
  });

  it.each([['timelapse3'], ['timelapse2-v1']] as const)('%s: a run killed mid-file, then the next run (3.x resumes with Range + If-Range, 1.x starts over)', async (profile) => {
    const { sim, dir, args } = await setup(profile);
    const big = sim.archives[0]!;
    sim.addFault({ route: 'download', match: big.filename, kind: 'slow', bytesPerSec: Math.ceil(big.size / 4) });
    const part = temporaryPaths(join(dir.path, big.filename)).part;
    const { child, done } = startCli([...args, '--outdir', dir.path]);
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const size = await stat(part).then((s) => s.size, () => 0);
      if (size > big.size / 8) break;
    }
    child.kill('SIGKILL');
    await done;
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(big.size);
    sim.setFaults([]);
    sim.resetCounters();
    const run = await runCli([...args, '--outdir', dir.path, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const others = sim.archives.slice(1).reduce((sum, archive) => sum + archive.size, 0);
    if (profile === 'timelapse3') {
      expect(events).toContainEqual(expect.objectContaining({ type: 'resume', archive: big.filename, from: kept }));
      expect(sim.counters.bytesSent).toBeLessThan(others + (big.size - kept) + 4096);
    } else {
      expect(events).toContainEqual(expect.objectContaining({ type: 'restart', archive: big.filename }));
      expect(sim.counters.bytesSent).toBeGreaterThanOrEqual(others + big.size);
    }
    expect(await sha256File(join(dir.path, big.filename))).toBe(big.sha256);
    expect((await readdir(dir.path)).filter((file) => file.includes('.part'))).toEqual([]);
  });

  it('1.x (no Range): Ctrl+C twice leaves neither a final file nor a .part', async () => {
    const { sim, dir, args } = await setup('timelapse2-v1');
    const slow = sim.archives[0]!;
    sim.addFault({ route: 'download', match: slow.filename, kind: 'slow', bytesPerSec: Math.ceil(slow.size / 10) });
    const run = await runCliInterruptedAfterSave([...args, '--outdir', dir.path], [300, 500]);
    expect(run.code).toBe(130);
    expect(await readdir(dir.path)).toEqual([]);
  });
});

describe('https', () => {
  const openssl = findSystemTool('openssl');
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it.skipIf(!openssl)('self-signed camera: refused by default, works with --insecure and with --ca-file', async () => {
    const dir = track(await makeTempDir('camdl-t2tls-'));
    const key = join(dir.path, 'key.pem');
    const cert = join(dir.path, 'cert.pem');
    execFileSync(openssl!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const body = Buffer.from('0123456789'.repeat(1000));
    const listing = JSON.stringify([{ id: 'Q', filename: 'Cam_2025_09_30_0000.mp4', size: body.length, frames: 1, fps: 1, first: 1, last: 2, container: 'mp4' }]);
    server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      if (url.pathname === '/local/timelapse2/app') res.end(JSON.stringify({ manifest: { acapPackageConf: { setup: { version: '3.1.0' } } } }));
      else if (url.pathname === '/local/timelapse2/archive') res.end(listing);
      else if (url.pathname === '/local/timelapse2/download' && url.searchParams.get('filename') === 'Cam_2025_09_30_0000.mp4') {
        res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': body.length });
        res.end(body);
      } else res.writeHead(404).end('File not found');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const args = ['--host', `https://127.0.0.1:${port}`, '--user', 'root', '--pass', 'x', '--no-progress', '--timeout', '5'];

    const refused = await runCli([...args, '--outdir', join(dir.path, 'a')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^ERROR: Failed to fetch archives: .*(self[- ]signed|certificate)/im);

    const insecure = await runCli([...args, '--outdir', join(dir.path, 'b'), '--insecure']);
    expect(insecure.code, insecure.stdout + insecure.stderr).toBe(0);
    expect(await readFile(join(dir.path, 'b', 'Cam_2025_09_30_0000.mp4'))).toEqual(body);

    const withCa = await runCli([...args, '--outdir', join(dir.path, 'c'), '--ca-file', cert]);
    expect(withCa.code, withCa.stdout + withCa.stderr).toBe(0);
    expect(await readFile(join(dir.path, 'c', 'Cam_2025_09_30_0000.mp4'))).toEqual(body);
  });
});
