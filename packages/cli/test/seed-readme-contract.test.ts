/**
 * The seed READMEs (`/work/shared/seeds/axis-timelapse2-downloader.md`, `amcrest-recording-downloader.md`)
 * as a contract: one `it` per README section, each running the BUILT binaries against the camera
 * simulator on 127.0.0.1. Statements already proven elsewhere name that test in a comment instead of
 * repeating it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { closeAfterEach, findSystemTool, makeTempDir, missingSystemTools, sha256File, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { AMCREST_DL_BIN, runAmcrestDl } from './amcrest-dl-helpers.js';
import { assertBuilt, BIN, runCli, startCli } from './timelapse2-dl-helpers.js';

const track = closeAfterEach();

beforeAll(() => assertBuilt());

type Profile = 'timelapse2-v1' | 'timelapse3' | 'timelapseme';

async function timelapse(profile: Profile = 'timelapse3', simOptions: Partial<Parameters<typeof startCameraSim>[0]> = {}): Promise<{ sim: CameraSim; dir: TempDir; auth: string[] }> {
  const sim = track(await startCameraSim({ profile, content: 'tiny', ...simOptions }));
  const dir = track(await makeTempDir('camdl-contract-'));
  return { sim, dir, auth: ['--user', sim.username, '--pass', sim.password] };
}

/** All files under `dir`, hidden ones included, as relative paths. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** Runs a command under a pseudo-terminal (`script`), stdout and stderr both on it, as a user sees it. */
function runOnTerminal(command: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // `script` makes a terminal of 0 columns when its own stdin is none: give it a size.
    const child = spawn('script', ['-q', '-e', '-c', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '', TERM: 'xterm', COLUMNS: '120', TIMELAPSE2_DL_PASSWORD: '' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

describe('axis-timelapse2-downloader README → timelapse2-dl', { timeout: 60_000 }, () => {
  it('Command-Line Arguments: every flag, its type and default, is in --help and accepted', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    const rows: Array<[string, string]> = [
      ['--host', '[default: "192.168.0.90"]'],
      ['--outdir', '[default: "."]'],
      ['--user', '[string]'],
      ['--pass', '[string]'],
      ['--timeout', '[number] [default: 60]'],
      ['--rate-limit', '[number] [default: 90]'],
      ['--max-retries', '[number] [default: 3]'],
      ['--retry-delay', '[number] [default: 5]'],
      ['--check-size', '[boolean] [default: false]'],
      ['--overwrite', '[boolean] [default: false]'],
    ];
    for (const [flag, type] of rows) expect(help.stdout).toMatch(new RegExp(`^ +${flag}\\b.*${type.replace(/[[\]"]/g, '\\$&')}`, 'm'));
    expect(help.stdout).toMatch(/^ +--no-progress\b.*\[boolean\] \[default: false\]/m);
    // Every flag at once, with the README's values and types (float rate limit, int seconds).
    const { sim, dir, auth } = await timelapse();
    const run = await runCli([...auth, '--host', sim.url, '--outdir', dir.path, '--timeout', '60', '--rate-limit', '90.0', '--max-retries', '3', '--retry-delay', '5', '--check-size', '--no-progress', '--overwrite']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`Done. downloaded=${sim.archives.length} skipped=0 failed=0`);
    // --user and --pass are required: without --user a usage error (argparse: exit 2); --pass alone
    // may come from a prompt, which a pipe cannot answer: exit 2 too (password.test.ts).
    const noUser = await runCli(['--pass', 'x', '--host', sim.url]);
    expect(noUser.code).toBe(2);
    const noPass = await runCli(['--user', 'root', '--host', sim.url]);
    expect(noPass.code).toBe(2);
    expect(sim.counters.authFailures).toBe(0);
  });

  it('Examples: each README command, its host pointed at the simulator', async () => {
    const { sim, dir, auth } = await timelapse();
    const host = ['--host', sim.url];
    const n = sim.archives.length;
    const names = sim.archives.map((archive) => archive.filename);
    // "Download with default settings": everything into the current directory.
    const basic = await startCli([...auth, ...host], { cwd: dir.path }).done;
    expect(basic.code, basic.stderr).toBe(0);
    expect(basic.stdout).toContain(`SAVE  ./${names[0]}\n`);
    expect(basic.stdout.endsWith(`Done. downloaded=${n} skipped=0 failed=0\n`)).toBe(true);
    for (const archive of sim.archives) expect(await sha256File(join(dir.path, archive.filename))).toBe(archive.sha256);
    // "Download from specific camera IP": a second run skips what is there.
    const again = await startCli([...auth, ...host], { cwd: dir.path }).done;
    expect(again.stdout).toContain(`SKIP  ${names[0]} (already exists)\n`);
    expect(again.stdout.endsWith(`Done. downloaded=0 skipped=${n} failed=0\n`)).toBe(true);
    // "Download to specific directory with rate limit".
    const outdir = await startCli([...auth, ...host, '--outdir', 'downloads', '--rate-limit', '50'], { cwd: dir.path }).done;
    expect(outdir.code, outdir.stderr).toBe(0);
    expect(outdir.stdout).toContain(`SAVE  downloads/${names[1]}\n`);
    expect((await readdir(join(dir.path, 'downloads'))).sort()).toEqual([...names].sort());
    // "Enable size checking and increase retries".
    const checked = await startCli([...auth, ...host, '--outdir', 'downloads', '--check-size', '--max-retries', '5', '--retry-delay', '10'], { cwd: dir.path }).done;
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(new RegExp(`^SKIP  ${names[0]} \\(already exists, size matches: \\d+ bytes\\)$`, 'm'));
    // "Disable progress bar (for logging/automation)": only the seed's lines.
    const logged = await startCli([...auth, ...host, '--outdir', 'log', '--no-progress'], { cwd: dir.path }).done;
    expect(logged.code).toBe(0);
    expect(logged.stdout.split('\n').filter((line) => line !== '' && !/^(Fetching|Found|GET {3}|SAVE {2}|Done\.)/.test(line))).toEqual([]);
    expect(logged.stderr).toBe('');
    // "Force re-download all files".
    const forced = await startCli([...auth, ...host, '--overwrite'], { cwd: dir.path }).done;
    expect(forced.code).toBe(0);
    expect(forced.stdout.endsWith(`Done. downloaded=${n} skipped=0 failed=0\n`)).toBe(true);
    // The README's Tips: --timeout 120, --rate-limit 10000 ("no rate limit"), --pass 'p@ssw0rd!' quoted.
    const tips = await runCli([...auth, ...host, '--outdir', join(dir.path, 'tips'), '--timeout', '120', '--rate-limit', '10000']);
    expect(tips.code).toBe(0);
  });

  it('How It Works: the TimelapseMe list at /local/timelapseme/archives, each file at archives?export={id}&file={filename}', async () => {
    const { sim, dir, auth } = await timelapse('timelapseme');
    const run = await runCli([...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    for (const archive of sim.archives) {
      expect(run.stdout).toContain(`\nGET   ${sim.url}/local/timelapseme/archives?export=${archive.id}&file=${archive.filename}\n`);
      expect(await sha256File(join(dir.path, archive.filename))).toBe(archive.sha256);
    }
  });

  it('Output Filename Extraction: the file name the camera gives; download.bin only when nothing of it is usable', async () => {
    const { sim, dir, auth } = await timelapse('timelapseme', { content: { archives: [{ filename: 'Gate_2025_09_30_0000.avi', content: 'synthetic' }] } });
    const run = await runCli([...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`&file=Gate_2025_09_30_0000.avi\nSAVE  ${dir.path}/Gate_2025_09_30_0000.avi\n`);
    // A TimelapseMe camera (the seed's API) listing names with nothing usable in them: the simulator always
    // adds an extension, so a small server of the test's own plays that camera (no auth asked).
    const body = Buffer.from('x'.repeat(1000));
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/local/timelapseme/archives') return void response.writeHead(404).end('File not found');
      if (!url.searchParams.has('export')) return void response.end(JSON.stringify([{ id: 'A', filename: '..' }]));
      response.writeHead(200, { 'Content-Length': body.length }).end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const port = (server.address() as AddressInfo).port;
    const fallback = await runCli(['--user', 'root', '--pass', 'x', '--host', `127.0.0.1:${port}`, '--api', 'timelapseme', '--outdir', join(dir.path, 'odd'), '--no-progress']);
    expect(fallback.code, fallback.stdout + fallback.stderr).toBe(0);
    expect(fallback.stdout).toContain(`SAVE  ${join(dir.path, 'odd')}/download.bin\n`);
    expect(await tree(join(dir.path, 'odd'))).toEqual(['download.bin']);
  });

  it('Rate Limiting: --rate-limit in Mbps throttles the download', async () => {
    const size = 250_000;
    const { sim, dir, auth } = await timelapse('timelapse3', { content: { archives: [{ filename: 'Big_2025_09_30_0000.mp4', content: 'synthetic', size }] } });
    // 1 Mbps = 125 000 B/s: 250 000 B cannot arrive in much under 2 s (a first burst is allowed).
    const slow = await runCli([...auth, '--host', sim.url, '--outdir', join(dir.path, 'slow'), '--no-progress', '--rate-limit', '1']);
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.ms).toBeGreaterThan(1000);
    expect((await stat(join(dir.path, 'slow', 'Big_2025_09_30_0000.mp4'))).size).toBe(size);
  });

  it('Automatic Retries: 5xx and network errors retried --max-retries times after the first try, --retry-delay apart; 4xx never', async () => {
    const { sim, dir, auth } = await timelapse('timelapse3');
    const [a, b] = [sim.archives[0]!, sim.archives[1]!];
    sim.addFault({ route: 'download', match: a.filename, kind: 'status', status: 503 });
    sim.addFault({ route: 'download', match: b.filename, kind: 'status', status: 404 });
    const run = await runCli([...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress', '--max-retries', '2', '--retry-delay', '0.3']);
    expect(run.code).toBe(1);
    // "Maximum retry attempts": 2 retries = 3 requests for the 503; one for the 404.
    expect(sim.counters.requestsByMethod['GET download']).toBe(3 + 1);
    expect(run.ms).toBeGreaterThan(600);
    expect(run.stderr.match(/^WARN {2}.*retrying/gm)).toHaveLength(2);
    expect(run.stderr).toMatch(/^WARN {2}.*attempt 2 failed/m);
    // 403 (a refused login): no download retry either, and the run stops rather than lock the account.
    sim.setFaults([{ route: 'download', match: b.filename, kind: 'status', status: 403 }]);
    const refused = await runCli([...auth, '--host', sim.url, '--outdir', join(dir.path, 'refused'), '--no-progress', '--max-retries', '2', '--retry-delay', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/retrying/);
    expect(refused.stderr).toMatch(/^FAIL {2}.*\n {6}.*HTTP 403.*not retried/m);
    // It was the last archive: nothing left to leave untried, and the STOP line does not count "0 other".
    expect(refused.stderr).toMatch(/^STOP {2}the camera refused the login \(more refused logins could lock the account\)$/m);
    // A connection reset mid-body is a network error: retried, and the file completes.
    sim.setFaults([{ route: 'download', match: a.filename, kind: 'reset-mid-body', attempts: [1], afterBytes: 100 }]);
    sim.resetCounters();
    const reset = await runCli([...auth, '--host', sim.url, '--outdir', join(dir.path, 'reset'), '--no-progress', '--retry-delay', '0']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(await sha256File(join(dir.path, 'reset', a.filename))).toBe(a.sha256);
  });

  it.skipIf(!findSystemTool('script'))('Progress Bar: bar, percentage, sizes, speed and ETA on a terminal; --no-progress turns it off', async () => {
    const { sim, dir, auth } = await timelapse('timelapse3', { content: { archives: [{ filename: 'Big_2025_09_30_0000.mp4', content: 'synthetic', size: 400_000 }] } });
    sim.addFault({ route: 'download', kind: 'slow', bytesPerSec: 200_000 });
    const command = (extra: string[]): string => [process.execPath, BIN, ...auth, '--host', sim.url, '--outdir', '.', '--overwrite', ...extra].map(quote).join(' ');
    const live = await runOnTerminal(command([]), dir.path);
    expect(live.code, live.output).toBe(0);
    expect(live.output).toMatch(/\[=*>?-*\] +\d+\.\d% [\d.]+ [KM]iB\/[\d.]+ [KM]iB [\d.]+ [KM]iB\/s ETA: /);
    expect(live.output).toContain('Done. downloaded=1 skipped=0 failed=0');
    const plain = await runOnTerminal(command(['--no-progress']), dir.path);
    expect(plain.code, plain.output).toBe(0);
    expect(plain.output).not.toMatch(/ETA:|\[=/);
    expect(plain.output).toContain('SAVE  ./Big_2025_09_30_0000.mp4');
    // Piped (a log file), there is no bar either: the spawned runs above and below have no terminal.
  });

  it('Atomic Downloads: no partial file under a final name, no .part left after a failure; two runs side by side', async () => {
    const { sim, dir, auth } = await timelapse('timelapse2-v1');
    const [a, b] = [sim.archives[0]!, sim.archives[1]!];
    sim.addFault({ route: 'download', match: a.filename, kind: 'reset-mid-body', afterBytes: 1000 });
    const run = await runCli([...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress', '--max-retries', '1', '--retry-delay', '0']);
    expect(run.code).toBe(1);
    expect(await tree(dir.path)).toEqual([b.filename]);
    // "Allows safe concurrent runs": two at once on one directory, every file whole, nothing left over.
    sim.setFaults([{ route: 'download', kind: 'slow', bytesPerSec: 200_000 }]);
    const both = await Promise.all([0, 1].map(() => runCli([...auth, '--host', sim.url, '--outdir', join(dir.path, 'both'), '--no-progress', '--retry-delay', '0'])));
    for (const archive of sim.archives) expect(await sha256File(join(dir.path, 'both', archive.filename))).toBe(archive.sha256);
    expect(await tree(join(dir.path, 'both'))).toEqual(sim.archives.map((archive) => archive.filename).sort());
    expect(both.map((each) => each.code).every((code) => code === 0 || code === 1)).toBe(true);
  });

  // File Size Verification, the three SKIP/INFO lines character by character: timelapse2-dl-seed.test.ts
  // "the three SKIP/INFO texts of the seed README"; without HEAD: timelapse2-dl.test.ts "--check-size repairs".
  it('File Size Verification: stdout has only the seed lines (SKIP … cannot verify size); why the size is unknown goes to stderr', async () => {
    const { sim, dir, auth } = await timelapse('timelapse2-v1');
    const args = [...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress', '--retry-delay', '0', '--max-retries', '0'];
    expect((await runCli(args)).code).toBe(0);
    sim.addFault({ route: 'download', kind: 'status', status: 404 });
    const run = await runCli([...args, '--check-size']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const body = run.stdout.split('\n').filter((line) => line !== '' && !/^(Fetching|Found|Done\.)/.test(line));
    expect(body).toEqual(sim.archives.map((archive) => `SKIP  ${archive.filename} (already exists, cannot verify size)`));
    expect(run.stderr).toMatch(/^WARN {2}.*cannot read the size/m);
  });

  it('Exit Codes: 0 all done or skipped, 1 some failed, 2 cannot fetch the archives (130: Ctrl+C, see below)', async () => {
    const { sim, dir, auth } = await timelapse('timelapse3');
    const args = [...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress', '--retry-delay', '0', '--max-retries', '0'];
    expect((await runCli(args)).code).toBe(0);
    expect((await runCli(args)).code).toBe(0);
    sim.addFault({ route: 'download', match: sim.archives[0]!.filename, kind: 'status', status: 500 });
    expect((await runCli([...args, '--overwrite'])).code).toBe(1);
    sim.setFaults([{ route: 'archive', kind: 'status', status: 500 }]);
    const listing = await runCli(args);
    expect(listing.code).toBe(2);
    expect(listing.stderr).toMatch(/^ERROR: Failed to fetch archives: /m);
    expect(listing.stdout).not.toContain('Done.');
    // An --outdir that cannot be created (a file in the way): the downloads fail, so 1, with one clear line
    // instead of a crash, and the summary counting them.
    sim.setFaults([]);
    await writeFile(join(dir.path, 'blocker'), 'a file');
    // (The second --outdir wins, as with argparse.)
    const blocked = await runCli([...args, '--outdir', join(dir.path, 'blocker', 'sub')]);
    expect(blocked.stderr).toMatch(/^ERROR: cannot create the output directory .*blocker\/sub \(ENOTDIR: .*\(ERR_TIMELAPSE_OUTDIR\)$/m);
    expect(blocked.stdout.endsWith(`\n\nDone. downloaded=0 skipped=0 failed=${sim.archives.length}\n`)).toBe(true);
    expect(blocked.code, blocked.stdout + blocked.stderr).toBe(1);
    // 130: timelapse2-dl.test.ts "once: the current file finishes…" and "twice: stops at once…".
  });

  it('Error Handling: SKIP, INFO, FAIL; failed downloads reported at the end, then Done. downloaded=N skipped=N failed=N', async () => {
    const { sim, dir, auth } = await timelapse('timelapse3', {
      content: { archives: ['A_2025_09_30_0000.mp4', 'B_2025_09_30_0000.mp4', 'C_2025_09_30_0000.mp4', 'D_2025_09_30_0000.mp4'].map((filename) => ({ filename, content: 'synthetic' as const, size: 5000 })) },
    });
    const args = [...auth, '--host', sim.url, '--outdir', dir.path, '--no-progress', '--retry-delay', '0', '--max-retries', '1'];
    await runCli([...args, '--match', 'A_*']);
    sim.addFault({ route: 'download', match: 'B_2025_09_30_0000.mp4', kind: 'status', status: 500 });
    sim.addFault({ route: 'download', match: 'D_2025_09_30_0000.mp4', kind: 'status', status: 404 });
    const run = await runCli(args);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('SKIP  A_2025_09_30_0000.mp4 (already exists)\n');
    // FAIL: the URL, the reason indented below it, on stderr.
    expect(run.stderr).toMatch(/^FAIL {2}http:\/\/127\.0\.0\.1:\d+\/local\/timelapse2\/download\?filename=B_2025_09_30_0000\.mp4\n {6}.*500.*gave up after 2 attempts/m);
    expect(run.stderr).toMatch(/^FAIL {2}http:\/\/.*D_2025_09_30_0000\.mp4\n {6}.*404/m);
    // Reported at the end: both names once more, after the last FAIL, before the summary.
    expect(run.stderr).toMatch(/\nFailed downloads \(2\):\n {2}B_2025_09_30_0000\.mp4 \(ERR_DOWNLOAD_HTTP_STATUS\)\n {2}D_2025_09_30_0000\.mp4 \(ERR_DOWNLOAD_HTTP_STATUS\)\n$/);
    // stdout still ends with the seed's blank line and summary (scripts read its last line).
    expect(run.stdout.endsWith('\n\nDone. downloaded=1 skipped=1 failed=2\n')).toBe(true);
    expect(run.stdout).not.toContain('Failed downloads');
  });

  it('Tips: a quoted password with special characters; several cameras at once, each with its --host and --outdir', async () => {
    const password = `p@ssw0rd!'" $x&`;
    const [one, two] = [track(await startCameraSim({ profile: 'timelapse3', content: 'tiny', password })), track(await startCameraSim({ profile: 'timelapse2-v1', content: 'tiny' }))];
    const dir = track(await makeTempDir('camdl-contract-'));
    const runs = await Promise.all(
      [one, two].map((sim, index) => runCli(['--user', sim.username, '--pass', sim.password, '--host', sim.url, '--outdir', join(dir.path, `cam${index}`), '--no-progress'])),
    );
    for (const [index, sim] of [one, two].entries()) {
      expect(runs[index]!.code, runs[index]!.stderr).toBe(0);
      for (const archive of sim.archives) expect(await sha256File(join(dir.path, `cam${index}`, archive.filename))).toBe(archive.sha256);
      expect(runs[index]!.stdout + runs[index]!.stderr).not.toContain(sim.password);
    }
    expect(one.counters.authFailures).toBe(0);
  });

  // Tips: Ctrl+C once finishes the current file, twice exits now (timelapse2-dl.test.ts "once…"/"twice…",
  // timelapse2-dl-seed.test.ts "1.x (no Range): Ctrl+C twice…"; first-hour.test.ts for a wrapper's doubled SIGINT).
  // Troubleshooting: wrong password → exit 2 (timelapse2-dl.test.ts "wrong password"), unreachable → exit 2
  // (timelapse2-dl.test.ts "unreachable host"), HTTP 500 → retries (above).
});

const noFfmpeg = missingSystemTools('ffmpeg', 'ffprobe');

describe.skipIf(noFfmpeg)('amcrest-recording-downloader README → amcrest-dl', { timeout: 120_000 }, () => {
  async function amcrest(): Promise<{ sim: CameraSim; dir: TempDir; base: (start: string, end: string) => string[] }> {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny' }));
    const dir = track(await makeTempDir('camdl-contract-am-'));
    return { sim, dir, base: (start, end) => ['--host', sim.url, '--username', sim.username, '--start', start, '--end', end, '--no-progress'] };
  }

  it('Required and Optional Arguments: every flag with its default, the required ones refused when missing', async () => {
    const help = await runAmcrestDl(['--help'], { password: 'x' });
    expect(help.code).toBe(0);
    for (const flag of ['--host', '--username', '--start', '--end']) expect(help.stdout).toMatch(new RegExp(`^ +${flag}\\b`, 'm'));
    expect(help.stdout).toMatch(/^ +--channel\b.*\[default: "1"\]/m);
    expect(help.stdout).toMatch(/^ +--output-format\b.*default: mp4.*\[choices: "mp4", "mkv", "avi"\]/m);
    expect(help.stdout).toMatch(/^ +--output-dir\b.*\[default: "\."\]/m);
    expect(help.stdout).toMatch(/^ +--output-file\b/m);
    expect(help.stdout).toMatch(/^ +--keep-files\b.*\[default: false\]/m);
    expect(help.stdout).toMatch(/^ +--max-concurrent\b.*\[default: 4\]/m);
    const full = ['--host', '127.0.0.1:9', '--username', 'admin', '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00'];
    for (let i = 0; i < full.length; i += 2) {
      const run = await runAmcrestDl([...full.slice(0, i), ...full.slice(i + 2)], { password: 'x' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${full[i]} is required`);
    }
  });

  it('Examples: basic (merged mp4 named after the range, parts removed), with a time zone, custom output and settings', async () => {
    const { sim, dir, base } = await amcrest();
    const videos = sim.recordings.filter((recording) => recording.type === 'mp4');
    // Basic usage.
    const basic = await runAmcrestDl(base('2026-01-16T08:00:00', '2026-01-16T22:00:00'), { password: sim.password, cwd: dir.path });
    expect(basic.code, basic.stderr).toBe(0);
    // The API endpoints the README names.
    expect(basic.stdout.match(/^GET {3}http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/RPC_Loadfile\/mnt\/sd\/2026-01-16\/001\//gm)).toHaveLength(videos.length);
    expect(sim.counters.searchesCreated).toBe(1);
    expect(sim.counters.searchesLeaked).toBe(0);
    expect(await tree(dir.path)).toEqual(['amcrest_2026-01-16_08.00.00_2026-01-16_22.00.00.mp4']);
    // With a time zone: an instant, converted to camera time (the simulator's New York: 08:00-08:00 is 11:00).
    const zoned = await runAmcrestDl(base('2026-01-16T08:00:00-08:00', '2026-01-16T18:00:00-08:00'), { password: sim.password, cwd: dir.path });
    expect(zoned.code, zoned.stderr).toBe(0);
    expect(zoned.stdout).toContain('Searching channel 1 from 2026-01-16 11:00:00 to 2026-01-16 21:00:00 (camera time)');
    expect(existsSync(join(dir.path, 'amcrest_2026-01-16_11.00.00_2026-01-16_21.00.00.mp4'))).toBe(true);
    // Custom output and settings.
    const custom = await runAmcrestDl(
      [...base('2026-01-16T20:00:00', '2026-01-16T22:00:00'), '--output-format', 'mkv', '--output-file', 'my_recording.mkv', '--max-concurrent', '8', '--keep-files'],
      { password: sim.password, cwd: dir.path },
    );
    expect(custom.code, custom.stderr).toBe(0);
    expect(custom.stdout).toContain(`SAVE  ${join(dir.path, 'my_recording.mkv')} (`);
    const kept = await readdir(join(dir.path, '.amcrest_download'));
    expect(kept.filter((name) => name.endsWith('.mp4'))).toHaveLength(videos.length);
  });

  it('Notes: parts in .amcrest_download until the merge, in chronological order; only mp4 (jpg skipped); channel 1; the password never on the command line', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'demo' }));
    const dir = track(await makeTempDir('camdl-contract-am-'));
    const run = await runAmcrestDl(
      ['--host', sim.url, '--username', sim.username, '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', '--output-dir', dir.path, '--no-progress', '--keep-files'],
      { password: sim.password },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('--password');
    const parts = run.stdout.match(/^PLAN {2}copy +(\S+)$/gm)!.map((line) => line.replace(/^PLAN {2}copy +/, ''));
    expect(parts.length).toBe(sim.recordings.filter((recording) => recording.type === 'mp4').length);
    expect(parts.every((path) => path.startsWith(join(dir.path, '.amcrest_download')))).toBe(true);
    expect([...parts].sort()).toEqual(parts);
    expect(run.stdout).not.toMatch(/^GET .*\.(jpg|mp4_)$/m);
    expect(run.stdout).toMatch(/Not downloading: 2 snapshots, 1 still being recorded/);
  });

  it('Features: search by range, concurrent downloads, automatic retry (--max-retries after the first try), mp4/mkv/avi', async () => {
    const { sim, dir, base } = await amcrest();
    const [broken, ...others] = sim.recordings.filter((recording) => recording.type === 'mp4');
    sim.addFault({ route: 'RPC_Loadfile', match: broken!.filePath, kind: 'status', status: 500 });
    const run = await runAmcrestDl([...base('2026-01-16T20:00:00', '2026-01-16T22:00:00'), '--output-dir', dir.path, '--max-retries', '1', '--retry-delay', '0'], { password: sim.password });
    // A failed file: exit 1, nothing merged, the others kept for the next run.
    expect(run.code, run.stdout + run.stderr).toBe(1);
    // --max-retries 1: the first try and one retry (requests counters also count digest challenges).
    expect(sim.counters.faultsApplied).toBe(2);
    expect(run.stdout.match(/^WARN {2}.*: retry \d in /gm)).toHaveLength(1);
    expect(run.stdout).toMatch(/^FAIL {2}2026-01-16_20\.00\.00-20\.08\.00_ch1\.mp4: .*500.*\(gave up after 2 attempts\)$/m);
    expect((await readdir(join(dir.path, '.amcrest_download'))).filter((name) => name.endsWith('.mp4'))).toHaveLength(others.length);
    // The same command again once the camera recovers: only the missing file, then the merge, into avi this time.
    sim.setFaults([]);
    sim.resetCounters();
    const again = await runAmcrestDl([...base('2026-01-16T20:00:00', '2026-01-16T22:00:00'), '--output-dir', dir.path, '--output-format', 'avi'], { password: sim.password });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout.match(/^GET /gm)).toHaveLength(1);
    expect(await tree(dir.path)).toEqual(['amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.avi']);
    // At most --max-concurrent (4) at once: amcrest-dl-download.test.ts "runs 4 downloads at once";
    // ffmpeg missing: amcrest-dl-search.test.ts "missing ffmpeg is reported before the camera is even contacted".
  });

  it('Exit codes (the seed README has none; packages/cli/README.md): 0, 2 before any download, 3 merge failed with the parts kept', async () => {
    const sim = track(
      await startCameraSim({
        profile: 'amcrest',
        content: {
          recordings: [
            { start: '2026-01-16 20:00:00', end: '2026-01-16 20:08:00' },
            { start: '2026-01-16 20:08:00', end: '2026-01-16 20:16:00', content: 'synthetic' },
          ],
        },
      }),
    );
    const dir = track(await makeTempDir('camdl-contract-am-'));
    const args = (start: string, end: string, extra: string[] = []): string[] => ['--host', sim.url, '--username', sim.username, '--start', start, '--end', end, '--output-dir', dir.path, '--no-progress', '--retry-delay', '0', ...extra];
    // Nothing recorded in the range: 0, a message, nothing written.
    const none = await runAmcrestDl(args('2026-01-15T20:00:00', '2026-01-15T22:00:00'), { password: sim.password });
    expect(none.code, none.stderr).toBe(0);
    expect(await tree(dir.path)).toEqual([]);
    // The merged file's directory cannot be made (a file in the way): 2, said before anything is downloaded.
    await writeFile(join(dir.path, 'blocker'), 'a file');
    const blocked = await runAmcrestDl(args('2026-01-16T20:00:00', '2026-01-16T22:00:00', ['--output-file', 'blocker/night.mp4']), { password: sim.password });
    expect(blocked.code, blocked.stdout + blocked.stderr).toBe(2);
    expect(blocked.stderr).toMatch(/^amcrest-dl: cannot create the directory .*blocker.* \[ERR_AMCREST_OUTPUT_DIR\]; nothing was downloaded/m);
    expect(blocked.stdout).not.toMatch(/^GET /m);
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
    // A part ffmpeg cannot read (not video): the merge fails, 3, no merged file, both parts kept.
    const broken = await runAmcrestDl(args('2026-01-16T20:00:00', '2026-01-16T22:00:00'), { password: sim.password });
    expect(broken.code, broken.stdout + broken.stderr).toBe(3);
    expect(broken.stdout).toMatch(/^FAIL {2}merge \[/m);
    expect(await tree(dir.path)).toEqual(['.amcrest_download', '.amcrest_download/2026-01-16_20.00.00-20.08.00_ch1.mp4', '.amcrest_download/2026-01-16_20.08.00-20.16.00_ch1.mp4', 'blocker']);
    // 1: "Features" above; 130: amcrest-dl-search.test.ts, amcrest-dl-merge.test.ts, first-hour.test.ts; 143: first-hour.test.ts.
  });

  it('Notes, "Password is prompted securely": on a terminal a prompt without echo (password.test.ts); without one, the first line of stdin, as getpass falls back to', async () => {
    const { sim, dir, base } = await amcrest();
    const run = (input: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [AMCREST_DL_BIN, ...base('2026-01-16T20:00:00', '2026-01-16T22:00:00'), '--list'], {
          cwd: dir.path,
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, AMCREST_DL_PASSWORD: '', CAMDL_PASSWORD: '', CI: '1' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        if (input !== undefined) child.stdin.write(input);
        child.stdin.end();
      });
    // `echo "$PW" | amcrest-dl …` from cron, as scripts fed the seed tool.
    const piped = await run(`${sim.password}\n`);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/^LIST /m);
    expect(piped.stdout + piped.stderr).not.toContain(sim.password);
    // Nothing on stdin: a usage error that says where a password can come from; no login tried.
    const nothing = await run(undefined);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('AMCREST_DL_PASSWORD');
    expect(sim.counters.authFailures).toBe(0);
  });

  it('argparse: a flag given twice takes its last value, as the Python tool did', async () => {
    const { sim, dir, base } = await amcrest();
    const run = await runAmcrestDl([...base('2026-01-16T20:00:00', '2026-01-16T22:00:00'), '--host', sim.url, '--output-dir', '/nonexistent/never', '--output-dir', dir.path, '--max-concurrent', '1', '--max-concurrent', '2', '--no-merge'], {
      password: sim.password,
    });
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(dir.path, '.amcrest_download'))).filter((name) => name.endsWith('.mp4'))).toHaveLength(sim.recordings.filter((recording) => recording.type === 'mp4').length);
  });
});
