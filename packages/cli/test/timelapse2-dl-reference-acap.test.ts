import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
// The reference model of the real ACAPs lives with the library's tests (one model, two suites).
import { makeAvi, makeMp4, startReferenceAcap, type ReferenceAcap, type ReferenceAcapVersion, type ReferenceArchive } from '@camdl/test-utils';
import { assertCamdlBuilt, runCamdl } from './camdl-helpers.js';
import { assertBuilt, runCli, runCliInterruptedAfterSave } from './timelapse2-dl-helpers.js';

/**
 * The built `timelapse2-dl` and `camdl sync` against a reference model of each real ACAP version
 * (Timelapse2 1.x, Timelapse 3.0.x / 3.1.1–3.1.2 / 3.1.3+, TimelapseMe) behind real Apache with
 * mod_auth_digest: output lines, exit codes, byte-identical files, and the requests the app saw.
 */
const skip = missingSystemTools('apache2');
const track = closeAfterEach();

beforeAll(() => {
  assertBuilt();
  assertCamdlBuilt();
});

interface VersionCase {
  version: ReferenceAcapVersion;
  /** Compares the raw query text: `&` and `#` names cannot be asked for. */
  raw: boolean;
  ranges: boolean;
  apiLabel: RegExp;
}

const CASES: VersionCase[] = [
  { version: '1.1.2', raw: true, ranges: false, apiLabel: /Timelapse2 1\.x/ },
  { version: '1.1.3', raw: true, ranges: false, apiLabel: /Timelapse2 1\.x/ },
  { version: '3.0.2', raw: true, ranges: false, apiLabel: /3\.0\.2/ },
  { version: '3.1.2', raw: true, ranges: true, apiLabel: /3\.1\.2/ },
  { version: '3.1.4', raw: false, ranges: true, apiLabel: /3\.1\.4/ },
  { version: 'timelapseme', raw: false, ranges: false, apiLabel: /TimelapseMe/ },
];

/** Profile names as users type them (the app writes spaces as `_`). */
const PROFILES = ['North_Gate', "O'Brien's_(East)", 'Café_Zürich', 'Gate_&_Yard', 'Lot_#3', 'Up+Down', '100%_Done', 'Tōkyō\u3000Tower'];

function archivesFor(version: ReferenceAcapVersion, big?: number): ReferenceArchive[] {
  const v3 = version.startsWith('3.');
  return PROFILES.map((profile, index) => {
    const filename = `${profile}_2025_09_${String(20 + index).padStart(2, '0')}_0000.${v3 ? 'mp4' : 'avi'}`;
    const frames = 24 + index;
    const bytes = index === 0 && big !== undefined ? big : 30_000 + 1001 * index;
    return {
      id: `P${index}`,
      filename,
      content: v3 ? makeMp4(bytes, filename) : makeAvi(bytes, frames, filename, version !== '1.1.2'),
      frames,
      fps: 10,
      first: 1_758_326_400_000 + index * 86_400_000,
      last: 1_758_412_740_000 + index * 86_400_000,
    };
  });
}

const unreachable = (testCase: VersionCase, archive: ReferenceArchive): boolean => testCase.raw && /[&#]/.test(archive.filename);

/** Every file below `root` by name (hidden folders such as `.camdl` skipped), with its bytes. */
async function savedFiles(root: string): Promise<Map<string, Buffer>> {
  const saved = new Map<string, Buffer>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else saved.set(entry.name, await readFile(path));
    }
  };
  await walk(root);
  return saved;
}

function expectPolite(acap: ReferenceAcap): void {
  expect(acap.requests.filter((request) => request.method === 'HEAD' || request.uri.includes('/reset') || request.overlapped)).toEqual([]);
}

async function setup(
  testCase: VersionCase,
  big?: number,
  trustContentLength = false,
  edit?: (archives: ReferenceArchive[]) => void,
): Promise<{ acap: ReferenceAcap; dir: TempDir; archives: ReferenceArchive[]; args: string[]; env: NodeJS.ProcessEnv }> {
  const archives = archivesFor(testCase.version, big);
  edit?.(archives);
  const acap = await startReferenceAcap({ version: testCase.version, archives, password: "p&ss wörd'", trustContentLength });
  track({ close: () => acap.stop() });
  const dir = track(await makeTempDir('camdl-t2ref-'));
  const args = ['--host', acap.url, '--user', acap.username, '--outdir', dir.path, '--no-progress', '--rate-limit', '0', '--retry-delay', '0', '--timeout', '10'];
  return { acap, dir, archives, args, env: { TIMELAPSE2_DL_PASSWORD: acap.password } };
}

describe.skipIf(skip !== undefined)('timelapse2-dl against the reference ACAPs', () => {
  it.each(CASES)('$version: GET/SAVE/FAIL lines, byte-identical files, exit code; a --check-size re-run keeps them all', async (testCase) => {
    const { acap, dir, archives, args, env } = await setup(testCase);
    const first = await runCli(args, env);
    const failed = archives.filter((archive) => unreachable(testCase, archive));
    expect(first.code, first.stdout + first.stderr).toBe(failed.length > 0 ? 1 : 0);
    expect(first.stdout).toContain(`Done. downloaded=${archives.length - failed.length} skipped=0 failed=${failed.length}`);
    for (const archive of archives) {
      if (unreachable(testCase, archive)) {
        expect(first.stderr).toContain(`FAIL  ${archive.filename}\n      `);
        continue;
      }
      expect(first.stdout).toContain(`SAVE  ${join(dir.path, archive.filename)}`);
      expect((await readFile(join(dir.path, archive.filename))).equals(archive.content), archive.filename).toBe(true);
    }
    expect(first.stdout).toMatch(/^GET {3}http:\/\/127\.0\.0\.1:\d+\/local\/timelapse(2\/download\?filename=|me\/archives\?export=)/m);
    expect(first.stdout + first.stderr).not.toContain(acap.password);
    const second = await runCli([...args, '--check-size'], env);
    expect(second.code, second.stdout + second.stderr).toBe(failed.length > 0 ? 1 : 0);
    if (testCase.version === 'timelapseme') {
      // Nothing on the wire tells a TimelapseMe file's size behind a stock Apache: kept, unverified.
      expect(second.stdout).toMatch(/^SKIP {2}North_Gate_2025_09_20_0000\.avi \(already exists, cannot verify size\)$/m);
    } else {
      expect(second.stdout).toMatch(/^SKIP {2}North_Gate_2025_09_20_0000\.(avi|mp4) \(already exists, size matches: \d+ bytes\)$/m);
    }
    expect(second.stdout).toContain(`Done. downloaded=0 skipped=${archives.length - failed.length} failed=${failed.length}`);
    expectPolite(acap);
  });

  it.each(CASES.filter((testCase) => testCase.version !== 'timelapseme'))('$version: --delete-after removes exactly the downloaded archives from the camera', async (testCase) => {
    const { acap, dir, archives, args, env } = await setup(testCase);
    const run = await runCli([...args, '--delete-after'], env);
    const failed = archives.filter((archive) => unreachable(testCase, archive));
    expect(run.code, run.stdout + run.stderr).toBe(failed.length > 0 ? 1 : 0);
    for (const archive of archives) {
      expect(await acap.hasFile(archive.filename), archive.filename).toBe(unreachable(testCase, archive));
      if (!unreachable(testCase, archive)) expect((await readFile(join(dir.path, archive.filename))).equals(archive.content)).toBe(true);
    }
    expect(acap.listing().map((entry) => entry['filename'])).toEqual(failed.map((archive) => archive.filename));
    expectPolite(acap);
  });

  it.each(CASES.filter((testCase) => testCase.version !== 'timelapseme'))('$version: Ctrl+C twice mid-file exits 130; the next run resumes where Range exists', async (testCase) => {
    const big = 8 * 1024 * 1024;
    const { acap, dir, archives, args, env } = await setup(testCase, big);
    const limited = args.map((arg, index) => (args[index - 1] === '--rate-limit' ? '16' : arg));
    const interrupted = await runCliInterruptedAfterSave([...limited, '--pass', acap.password], [700, 900]);
    expect(interrupted.code, interrupted.stdout + interrupted.stderr).toBe(130);
    expect(await readdir(dir.path)).not.toContain(archives[0]!.filename);
    const again = await runCli(args, env);
    expect((await readFile(join(dir.path, archives[0]!.filename))).equals(archives[0]!.content)).toBe(true);
    const downloads = acap.requests.filter((request) => request.query.includes('North_Gate'));
    if (testCase.ranges) {
      expect(downloads.at(-1), again.stdout).toMatchObject({ status: 206 });
      expect(downloads.at(-1)!.range).toMatch(/^bytes=[1-9]\d*-$/);
    } else {
      expect(downloads.at(-1)).toMatchObject({ status: 200, range: undefined });
    }
    expectPolite(acap);
  }, 60_000);
});

async function syncOnce(acap: ReferenceAcap, dir: TempDir): Promise<Awaited<ReturnType<typeof runCamdl>>> {
  const config = join(dir.path, 'camdl.yaml');
  await writeFile(
    config,
    ['archive: ./archive', 'cameras:', '  - name: site', '    kind: timelapse', `    host: ${acap.url}`, `    username: ${acap.username}`, '    password-env: SITE_PASSWORD', ''].join('\n'),
  );
  return runCamdl(['sync', '--config', config], { SITE_PASSWORD: acap.password });
}

describe.skipIf(skip !== undefined)('camdl sync against the reference ACAPs', () => {
  it('TimelapseMe behind a stock Apache (no Content-Length, no size): archived on the chunked coding\'s last chunk and the AVI\'s own size; an AVI shorter than its header says is not', async () => {
    // The third archive as an app cut short would leave it, while Apache still ends its chunked answer cleanly.
    const { acap, dir, archives } = await setup(CASES.find((testCase) => testCase.version === 'timelapseme')!, undefined, false, (list) => {
      const cut = list[2]!;
      cut.content = cut.content.subarray(0, cut.content.length - 1000);
    });
    const run = await syncOnce(acap, dir);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toMatch(new RegExp(`FAIL .*not the whole recording \\(the local AVI is truncated`));
    expect((run.stdout + run.stderr).match(/^SAVE /gm)?.length).toBe(archives.length - 1);
    const saved = await savedFiles(join(dir.path, 'archive'));
    archives.forEach((archive, index) => {
      if (index === 2) expect(saved.has(archive.filename)).toBe(false);
      else expect(saved.get(archive.filename)?.equals(archive.content), archive.filename).toBe(true);
    });
    expectPolite(acap);
  });

  it.each(CASES)('$version: a small config syncs every reachable archive, byte for byte', async (testCase) => {
    // TimelapseMe only proves a file whole by its Content-Length: an Apache that keeps it.
    const { acap, dir, archives } = await setup(testCase, undefined, testCase.version === 'timelapseme');
    const run = await syncOnce(acap, dir);
    const failed = archives.filter((archive) => unreachable(testCase, archive));
    expect(run.code, run.stdout + run.stderr).toBe(failed.length > 0 ? 1 : 0);
    const saved = await savedFiles(join(dir.path, 'archive'));
    for (const archive of archives) {
      if (unreachable(testCase, archive)) expect(saved.has(archive.filename)).toBe(false);
      else expect(saved.get(archive.filename)?.equals(archive.content), archive.filename).toBe(true);
    }
    expectPolite(acap);
  });
});

describe.skipIf(skip !== undefined)('camdl sync: a 3.x AVI migrated without an index entry (first/last 0)', () => {
  it('is archived under the date in its name, not 1970-01-01', async () => {
    const legacy: ReferenceArchive = { id: 'legacy', filename: 'Old_Gate_2025_09_15_0000.mp4', content: makeMp4(23_456, 'legacy'), unindexed: true };
    const acap = await startReferenceAcap({ version: '3.1.4', archives: [legacy] });
    track({ close: () => acap.stop() });
    const dir = track(await makeTempDir('camdl-t2ref-legacy-'));
    const run = await syncOnce(acap, dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await readFile(join(dir.path, 'archive', 'site', '2025-09-15', legacy.filename))).equals(legacy.content)).toBe(true);
    expect(await readdir(join(dir.path, 'archive', 'site'))).toEqual(['2025-09-15']);
  });
});
