import { readdir } from 'node:fs/promises';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { closeAfterEach, findFreePort, makeTempDir, sha256File, type TempDir } from '@camdl/test-utils';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonEvents, runAmcrestDl, spawnAmcrestDl, waitFor } from './amcrest-dl-helpers.js';
import { assertBuilt, runCli, startCli } from './timelapse2-dl-helpers.js';

const track = closeAfterEach();

beforeAll(() => assertBuilt());

const AMCREST_BASE = ['--username', 'admin', '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--no-progress'];
const amcrestUsage = (args: string[]) => runAmcrestDl(args, { password: 'x' });

describe('usage errors: exit 2 before anything is contacted, quoting what was typed', () => {
  it.each([
    [['--since', '2026-13-45'], /--since: no such month: "2026-13-45"/],
    [['--since', '2025-02-30'], /--since: no such day: "2025-02-30"/],
    [['--since', '2025-10-01', '--until', '2025-09-01'], /is after --until/],
    [['--rate-limit', 'abc'], /--rate-limit must be a number ≥ 0, got "abc"/],
    [['--rate-limt', '3'], /unknown option --rate-limt \(did you mean --rate-limit\?\)/],
  ])('timelapse2-dl %j', async (extra, message) => {
    const port = await findFreePort();
    const run = await runCli(['--user', 'root', '--pass', 'x', '--host', `127.0.0.1:${port}`, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/rateLimt/);
    expect(run.stdout).not.toContain('Fetching');
  });

  it.each([
    [['--start', '2026-02-30T00:00:00', '--end', '2026-03-01T00:00:00'], /day out of range/],
    [['--start', '2026-01-16T22:00:00', '--end', '2026-01-16T20:00:00'], /--end must be after --start/],
    [['--output-file', 'night.webm'], /ends in \.webm; the merged file is \.mp4, \.mkv, \.avi/],
    [['--output-file', 'night.mkv', '--output-format', 'mp4'], /is \.mkv but --output-format is mp4/],
    [['--max-concurrent', 'four'], /--max-concurrent must be a whole number ≥ 1, got "four"/],
    [['--outdr', 'x'], /unknown option --outdr \(did you mean --outdir\?\)/],
  ])('amcrest-dl %j', async (extra, message) => {
    const port = await findFreePort();
    const times = extra.includes('--start') ? [] : ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00'];
    const run = await amcrestUsage(['--host', `127.0.0.1:${port}`, '--username', 'admin', '--no-progress', ...times, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('the --password warning is not printed when the flags are wrong', async () => {
    const run = await amcrestUsage(['--host', '127.0.0.1:9', ...AMCREST_BASE, '--password', 'pw', '--end', '2026-01-16T19:00:00']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('visible to other users');
  });

  it.each([[false], [true]])('credentials typed into --host are never echoed (--json: %s)', async (json) => {
    const host = 'http://root:S3cr3t-pw@127.0.0.1:99999';
    const extra = json ? ['--json'] : [];
    const t2 = await runCli(['--user', 'root', '--pass', 'x', '--host', host, ...extra]);
    const am = await amcrestUsage(['--host', host, ...AMCREST_BASE, ...extra]);
    for (const run of [t2, am]) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain('S3cr3t-pw');
      expect(run.stderr).toContain('root:***@127.0.0.1:99999');
    }
  });
});

describe('help and version', () => {
  it('--help has the examples (one per line, never broken when piped) and the exit codes, in both tools', async () => {
    const t2 = await runCli(['--help']);
    const am = await amcrestUsage(['--help']);
    for (const run of [t2, am]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Examples:');
      expect(run.stdout).toMatch(/Exit codes:\n\s+0 {2}\S/);
      expect(run.stdout).toMatch(/^ +130 {2}interrupted/m);
      expect(run.stdout).toMatch(/^ +143 {2}stopped by SIGTERM/m);
    }
    expect(t2.stdout).toContain('  timelapse2-dl --user root --host https://cam.example:8443 --insecure --delete-after --since 7d\n');
    expect(am.stdout).toContain('--start yesterday --end today --no-merge\n');
    expect(t2.stdout).toContain('a flag given twice takes its last value');
    expect(am.stdout).toContain('a flag given twice takes its last value');
  });

  it('--version prints the package version; --verbose adds Node.js', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    const plain = await runCli(['--version']);
    expect(plain.stdout.trim()).toBe(pkg.version);
    const verbose = await amcrestUsage(['--version', '--verbose']);
    expect(verbose.stdout).toBe(`${pkg.version}\nNode.js ${process.version} (${process.platform} ${process.arch})\n`);
  });
});

describe('against the simulators', () => {
  it('--output-dir is accepted by timelapse2-dl and --outdir by amcrest-dl; --dry-run counts what it showed', async () => {
    let sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny' }));
    const dir = track(await makeTempDir('camdl-first-'));
    const args = ['--host', sim.url, '--user', sim.username, '--pass', sim.password, '--no-progress', '--output-dir', dir.path];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect((await readdir(dir.path)).sort()).toEqual(sim.archives.map((archive) => archive.filename).sort());
    const dry = await runCli([...args, '--dry-run']);
    expect(dry.stdout).toMatch(/^SKIP {2}/m);
    expect(dry.stdout).toContain(`\nDry run: would download 0, skip ${sim.archives.length}; nothing was downloaded.\n`);
    expect(dry.stdout).not.toContain('downloaded=0');
    await sim.close();
    sim = track(await startCameraSim({
      profile: 'amcrest',
      content: {
        recordings: [
          { start: '2026-01-16 20:00:00', end: '2026-01-16 20:05:00', content: 'synthetic', size: 2048 },
          { start: '2026-01-16 20:06:00', end: '2026-01-16 20:06:00', type: 'jpg', size: 512 },
        ],
      },
    }));
    const am = await runAmcrestDl(['--host', sim.url, ...AMCREST_BASE, '--camera-tz', 'America/New_York', '--outdir', dir.path, '--no-merge'], { password: sim.password });
    expect(am.code, am.stderr).toBe(0);
    expect(am.stdout).toContain(join(dir.path, '.amcrest_download'));
    expect(am.stdout).toMatch(/^SKIP {2}Not downloading: 1 snapshot$/m);
  });

  it('hostile archive names are printed escaped: no forged lines, no terminal escapes', async () => {
    const evil = 'Evil\nDone. downloaded=99 skipped=0 failed=0\n\u001b[2J\u0007.mp4';
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: { archives: [{ filename: evil, content: 'synthetic', size: 1000 }, { filename: 'Good_2025_09_30_0000.mp4', content: 'synthetic', size: 1000 }] } }));
    const dir = track(await makeTempDir('camdl-evil-'));
    const args = ['--host', sim.url, '--user', sim.username, '--pass', sim.password, '--no-progress', '--outdir', dir.path];
    const list = await runCli([...args, '--list']);
    const run = await runCli(args);
    for (const output of [list.stdout + list.stderr, run.stdout + run.stderr]) {
      expect(output).not.toMatch(/^Done\. downloaded=99/m);
      expect(output).not.toContain('\u001b');
      expect(output).not.toContain('\u0007');
    }
    expect(list.stdout).toContain('LIST  Evil\\nDone. downloaded=99 skipped=0 failed=0\\n\\x1b[2J\\x07.mp4');
    expect(run.stdout.match(/^Done\. /gm)).toHaveLength(1);
    const json = await runCli([...args, '--list', '--json']);
    expect(jsonEvents(json.stdout).filter((event) => event['type'] === 'archive').map((event) => event['filename'])).toContain(evil);
  });

  it('network errors read the same in both tools', async () => {
    const port = await findFreePort();
    const t2 = await runCli(['--host', `127.0.0.1:${port}`, '--user', 'root', '--pass', 'x', '--no-progress', '--timeout', '3']);
    const am = await amcrestUsage(['--host', `127.0.0.1:${port}`, ...AMCREST_BASE, '--list']);
    for (const run of [t2, am]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cannot reach the camera at http://127.0.0.1:${port}: connection refused`);
    }
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny' }));
    const tls = await amcrestUsage(['--host', `https://127.0.0.1:${sim.port}`, ...AMCREST_BASE, '--list', '--timeout', '3']);
    expect(tls.stderr).toContain(`https://127.0.0.1:${sim.port} does not answer TLS: try http://127.0.0.1:${sim.port}`);
    expect(tls.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('signals through a real process', () => {
  async function slowTimelapse(): Promise<{ sim: CameraSim; dir: TempDir; args: string[] }> {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny' }));
    const dir = track(await makeTempDir('camdl-sig-'));
    const slow = sim.archives[0]!;
    sim.addFault({ route: 'download', match: slow.filename, kind: 'slow', bytesPerSec: Math.ceil(slow.size / 2) });
    return { sim, dir, args: ['--host', sim.url, '--user', sim.username, '--pass', sim.password, '--no-progress', '--rate-limit', '0', '--outdir', dir.path] };
  }

  it('SIGTERM stops at once like a second Ctrl+C, says so, exit 143', async () => {
    const { args } = await slowTimelapse();
    let signalled = false;
    const run = await startCli(args, {
      onStdout: (text, child) => {
        if (!signalled && text.includes('SAVE')) {
          signalled = true;
          setTimeout(() => child.kill('SIGTERM'), 200);
        }
      },
    }).done;
    expect(run.code).toBe(143);
    expect(run.stderr).toContain('Terminated (SIGTERM)');
    expect(run.stdout).toContain('\nInterrupted. downloaded=0');
  });

  it('two SIGINTs a few ms apart (a wrapper forwarding Ctrl+C) count once: the current file finishes', async () => {
    const { sim, dir, args } = await slowTimelapse();
    let signalled = false;
    const run = await startCli(args, {
      onStdout: (text, child) => {
        if (!signalled && text.includes('SAVE')) {
          signalled = true;
          setTimeout(() => {
            child.kill('SIGINT');
            child.kill('SIGINT');
          }, 200);
        }
      },
    }).done;
    expect(run.code).toBe(130);
    expect(run.stderr).not.toContain('Aborting now');
    const slow = sim.archives[0]!;
    expect(await sha256File(join(dir.path, slow.filename))).toBe(slow.sha256);
    expect(run.stdout).toContain('\nInterrupted. downloaded=1 skipped=0 failed=0\n');
  });

  it('amcrest-dl, Ctrl+C twice during downloads: no FAIL lines, what is kept is reported, exit 130; no listener warning', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'demo' }));
    const dir = track(await makeTempDir('camdl-sig-'));
    const camera = sim;
    camera.setFaults([{ route: 'RPC_Loadfile', kind: 'slow', bytesPerSec: 20_000 }]);
    const cli = spawnAmcrestDl(['--host', camera.url, ...AMCREST_BASE, '--camera-tz', 'America/New_York', '--output-dir', dir.path, '--rate-limit', '20'], { password: camera.password });
    await waitFor(() => (cli.output().stdout.match(/^GET /gm)?.length ?? 0) >= 4, 'four downloads under way');
    await new Promise((resolve) => setTimeout(resolve, 600));
    cli.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 400));
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code).toBe(130);
    expect(run.stdout).not.toMatch(/^FAIL /m);
    expect(run.stdout).toMatch(/^Interrupted\. 15 recording\(s\): 0 downloaded, 0 already there, 0 failed, 4 interrupted \(\S+ \S+ kept for the next run\), 11 not started/m);
    expect(run.stderr).not.toContain('MaxListenersExceededWarning');
  });
});
