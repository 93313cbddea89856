import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assignLocalNames } from '@camdl/axis-timelapse2';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { temporaryPaths } from '@camdl/throttled-download';
import { closeAfterEach, findFreePort, makeTempDir, sha256File, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, runCliInterruptedAfterSave } from './timelapse2-dl-helpers.js';

const track = closeAfterEach();

beforeAll(() => assertBuilt());

async function setup(profile: 'timelapse2-v1' | 'timelapse3' | 'timelapseme', content: 'demo' | 'tiny' = 'demo'): Promise<{ sim: CameraSim; dir: TempDir; args: string[] }> {
  const sim = track(await startCameraSim({ profile, content }));
  const dir = track(await makeTempDir('camdl-t2cli-'));
  const args = ['--host', sim.url, '--user', sim.username, '--outdir', dir.path, '--no-progress', '--rate-limit', '0', '--retry-delay', '0', '--timeout', '5'];
  return { sim, dir, args };
}

const names = (sim: CameraSim): Map<string, string> => assignLocalNames(sim.archives);
const localName = (sim: CameraSim, archive: CameraSim['archives'][number]): string => names(sim).get(`${archive.id}\u0000${archive.filename}`)!;

describe('timelapse2-dl against the camera simulator', () => {
  it.each([['timelapse3'], ['timelapseme'], ['timelapse2-v1']] as const)('%s: downloads byte-identical files, a re-run skips everything', async (profile) => {
    const { sim, dir, args } = await setup(profile);
    const first = await runCli(args, { TIMELAPSE2_DL_PASSWORD: sim.password });
    // 1.x: `&` and `#` names cannot be requested (FAIL lines, exit 1); non-ASCII names go out as raw UTF-8.
    const unreachable = profile === 'timelapse2-v1' ? sim.archives.filter((a) => /[&#]/.test(a.filename)) : [];
    expect(first.code, first.stdout + first.stderr).toBe(unreachable.length > 0 ? 1 : 0);
    expect(first.stdout).toContain(`Done. downloaded=${sim.archives.length - unreachable.length} skipped=0 failed=${unreachable.length}`);
    expect(first.stdout).toMatch(/^GET {3}http:\/\/127\.0\.0\.1:\d+\/local\/timelapse/m);
    expect(first.stdout).toMatch(/^SAVE {2}\S/m);
    for (const archive of sim.archives) {
      if (unreachable.includes(archive)) {
        expect(first.stderr).toContain(`FAIL  ${archive.filename}\n      `);
        continue;
      }
      expect(await sha256File(join(dir.path, localName(sim, archive))), archive.filename).toBe(archive.sha256);
    }
    if (profile === 'timelapse2-v1') expect(first.stderr).toMatch(/^FAIL {2}Tom_&_Jerry.*\n {6}.*"&".*ERR_TIMELAPSE_UNSUPPORTED_NAME/m);
    const files = await readdir(dir.path);
    expect(files.filter((file) => file.endsWith('.part'))).toEqual([]);
    expect(files.filter((file) => file.startsWith('Gate_East')).length).toBe(2);
    const downloads = sim.counters.requests['download'] ?? sim.counters.requests['export'] ?? 0;
    const second = await runCli([...args, '--pass', sim.password]);
    expect(second.stdout).toContain(`Done. downloaded=0 skipped=${sim.archives.length - unreachable.length} failed=${unreachable.length}`);
    expect(second.stdout).toMatch(/^SKIP {2}North_Gate_2025_09_30_0000\.(avi|mp4) \(already exists\)$/m);
    expect(sim.counters.requests['download'] ?? sim.counters.requests['export'] ?? 0).toBe(downloads);
    expect(sim.counters.peakConcurrentRequests).toBe(1);
  });

  it('--overwrite downloads again', async () => {
    const { sim, args } = await setup('timelapse3', 'tiny');
    await runCli([...args, '--pass', sim.password]);
    const again = await runCli([...args, '--pass', sim.password, '--overwrite']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Done. downloaded=2 skipped=0 failed=0');
  });

  it.each([['timelapse2-v1'], ['timelapse3']] as const)('%s: --check-size repairs a truncated file without HEAD', async (profile) => {
    const { sim, dir, args } = await setup(profile, 'tiny');
    await runCli([...args, '--pass', sim.password]);
    const archive = sim.archives[0]!;
    const path = join(dir.path, archive.filename);
    await writeFile(path, (await readFile(path)).subarray(0, 777));
    const run = await runCli([...args, '--pass', sim.password, '--check-size']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`INFO  ${archive.filename} exists but size mismatch (local: 777, remote: ${archive.size}), re-downloading`);
    expect(run.stdout).toContain(`SKIP  ${sim.archives[1]!.filename} (already exists, size matches: ${sim.archives[1]!.size} bytes)`);
    expect(run.stdout).toContain('Done. downloaded=1 skipped=1 failed=0');
    expect(await sha256File(path)).toBe(archive.sha256);
    expect(sim.counters.requestsByMethod['HEAD download'] ?? 0).toBe(0);
  });

  it('wrong password: exit 2, a clear message, exactly one try at the server', async () => {
    const { sim, args } = await setup('timelapse3', 'tiny');
    const run = await runCli([...args, '--pass', 'not-the-password']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ERROR: Failed to fetch archives: authentication failed, wrong user or password \(ERR_DIGEST_BAD_CREDENTIALS/m);
    expect(run.stdout + run.stderr).not.toContain('not-the-password');
    expect(sim.counters.authFailures).toBe(1);
  });

  it('unreachable host: exit 2 within the timeout', async () => {
    const port = await findFreePort();
    const run = await runCli(['--host', `127.0.0.1:${port}`, '--user', 'root', '--pass', 'x', '--timeout', '3', '--no-progress']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ERROR: Failed to fetch archives: .*connection refused/m);
    expect(run.ms).toBeLessThan(3000 + 2000);
  });

  it('malformed JSON: exit 2', async () => {
    const { sim, args } = await setup('timelapse3', 'tiny');
    sim.addFault({ route: 'archive', kind: 'status', status: 200, body: '{"not":"an array"' });
    const run = await runCli([...args, '--pass', sim.password]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ERROR: Failed to fetch archives: .*invalid JSON.*ERR_TIMELAPSE_BAD_RESPONSE/m);
  });

  it.each([
    ['404', { kind: 'status', status: 404 }],
    ['persistent 500', { kind: 'status', status: 500 }],
  ] as const)('a failed file (%s): exit 1, the others still downloaded', async (_label, fault) => {
    const { sim, dir, args } = await setup('timelapse3', 'demo');
    const broken = sim.archives[2]!;
    sim.addFault({ route: 'download', match: broken.filename, ...fault });
    const run = await runCli([...args, '--pass', sim.password, '--max-retries', '2']);
    expect(run.code).toBe(1);
    // The seed's form, on stderr: the URL requested, then the reason indented.
    expect(run.stderr).toMatch(new RegExp(`^FAIL {2}http://127\\.0\\.0\\.1:\\d+/local/timelapse2/download\\?filename=${encodeURIComponent(broken.filename).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n {6}\\S`, 'm'));
    expect(run.stdout).not.toContain('FAIL');
    expect(run.stdout).toContain(`Done. downloaded=${sim.archives.length - 1} skipped=0 failed=1`);
    const files = await readdir(dir.path);
    expect(files).not.toContain(broken.filename);
    expect(files.filter((file) => !file.endsWith('.part')).length).toBe(sim.archives.length - 1);
  });

  it('--delete-after deletes only verified archives', async () => {
    const { sim, args } = await setup('timelapse3', 'tiny');
    const [kept, deleted] = [sim.archives[0]!.filename, sim.archives[1]!.filename];
    sim.addFault({ route: 'download', match: kept, kind: 'status', status: 500 });
    const run = await runCli([...args, '--pass', sim.password, '--delete-after', '--max-retries', '0']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`DEL   ${deleted} (deleted on the camera)`);
    expect(sim.archives.map((archive) => archive.filename)).toEqual([kept]);
  });

  it('--json: NDJSON events and a summary object', async () => {
    const { sim, args } = await setup('timelapse3', 'tiny');
    const run = await runCli([...args, '--pass', sim.password, '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((event) => event['type'] === 'done').length).toBe(2);
    expect(events.at(-1)).toMatchObject({ type: 'summary', downloaded: 2, skipped: 0, failed: 0, exitCode: 0 });
    expect(run.stderr).toContain('Done. downloaded=2 skipped=0 failed=0');
  });

  it('--list and --match', async () => {
    const { sim, dir, args } = await setup('timelapse3', 'demo');
    const run = await runCli([...args, '--pass', sim.password, '--list', '--match', 'North_Gate_*']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^LIST {2}North_Gate/gm)?.length).toBe(2);
    expect(await readdir(dir.path)).toEqual([]);
  });
});

describe('Ctrl+C', () => {
  it('once: the current file finishes, no new one starts, exit 130', async () => {
    const { sim, dir, args } = await setup('timelapse3', 'tiny');
    const slow = sim.archives[0]!;
    sim.addFault({ route: 'download', match: slow.filename, kind: 'slow', bytesPerSec: Math.ceil(slow.size / 1.5) });
    const run = await runCliInterruptedAfterSave([...args, '--pass', sim.password], [200]);
    expect(run.code).toBe(130);
    expect(await sha256File(join(dir.path, slow.filename))).toBe(slow.sha256);
    expect(await readdir(dir.path)).toEqual([slow.filename]);
    expect(run.stdout).toContain("\nInterrupted. downloaded=1 skipped=0 failed=0\n");
  });

  it('twice: stops at once, no final partial file', async () => {
    const { sim, dir, args } = await setup('timelapse3', 'tiny');
    const slow = sim.archives[0]!;
    sim.addFault({ route: 'download', match: slow.filename, kind: 'slow', bytesPerSec: Math.ceil(slow.size / 10) });
    const run = await runCliInterruptedAfterSave([...args, '--pass', sim.password], [300, 500]);
    expect(run.code).toBe(130);
    expect(run.ms).toBeLessThan(5000);
    const files = await readdir(dir.path);
    expect(files).not.toContain(slow.filename);
    // The resumable .part stays, in the engine's hidden directory.
    expect((await stat(temporaryPaths(join(dir.path, slow.filename)).part)).size).toBeLessThan(slow.size);
  });
});
