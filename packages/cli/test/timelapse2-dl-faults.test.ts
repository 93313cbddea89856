import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256, startFaultServer, type FaultServer, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { aviBytes, deletes, downloadRequests, mp4Bytes, serveTimelapse, useFaultCamera } from './fault-cameras.js';
import { assertBuilt, runCli, startCli } from './timelapse2-dl-helpers.js';

// Never lose footage: a broken camera, on the wire, against the built binary.

const startFaultCamera = useFaultCamera('camdl-t2fault-');

beforeAll(() => assertBuilt());
async function setup(): Promise<{ server: FaultServer; dir: TempDir; args: string[] }> {
  const { server, dir } = await startFaultCamera();
  const args = ['--host', server.origin, '--user', 'root', '--pass', 'pw', '--outdir', dir.path, '--no-progress', '--retry-delay', '0', '--timeout', '5', '--max-retries', '1'];
  return { server, dir, args };
}

const local = async (dir: TempDir, name: string): Promise<Buffer | undefined> => readFile(join(dir.path, name)).catch(() => undefined);
const noCrash = (run: { stderr: string }): void => {
  expect(run.stderr).not.toMatch(/AssertionError|ERR_ASSERTION|\n\s+at /);
};

describe('timelapse2-dl --delete-after deletes only what is proven stored', () => {
  it('3.x: a body shorter than the listed size, with a matching Content-Length, is not complete: no DELETE, no final file', async () => {
    const { server, dir, args } = await setup();
    serveTimelapse(server, [{ filename: 'short.mp4', content: mp4Bytes(1024 * 1024), listedSize: 2 * 1024 * 1024 }]);
    const run = await runCli([...args, '--rate-limit', '0', '--delete-after']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(deletes(server)).toEqual([]);
    expect(await local(dir, 'short.mp4')).toBeUndefined();
    expect(run.stdout).toContain('Done. downloaded=0 skipped=0 failed=1');
  });

  it.each([
    ['3.x, length equal to the listing', '3.1.5', 'page.mp4', true],
    ['1.x', '1.2.0', 'page.avi', false],
  ] as const)('%s: a 200 text/html error page is not the archive: no DELETE, no final file', async (_label, version, filename, sameLength) => {
    const { server, dir, args } = await setup();
    const page = Buffer.from('<html><body><h1>500 Internal error</h1><p>try again later</p></body></html>\n'.padEnd(85, ' '));
    serveTimelapse(server, [{ filename, content: page, contentType: 'text/html', listedSize: sameLength ? page.length : 500_000 }], { version });
    const run = await runCli([...args, '--rate-limit', '0', '--delete-after']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(deletes(server)).toEqual([]);
    expect(await local(dir, filename)).toBeUndefined();
    expect(run.stderr).toMatch(/text\/html/);
  });

  it('1.x: a file that is not an AVI (the listing cannot tell its size) is kept on the camera with a WARN', async () => {
    const { server, dir, args } = await setup();
    const junk = Buffer.alloc(4000, 0x41);
    serveTimelapse(server, [{ filename: 'junk.avi', content: junk, listedSize: 3000 }], { version: '1.2.0' });
    const run = await runCli([...args, '--rate-limit', '0', '--delete-after']);
    noCrash(run);
    expect(deletes(server)).toEqual([]);
    expect(run.stdout).toMatch(/^WARN {2}junk\.avi kept on the camera: .*not an AVI/m);
    expect(await local(dir, 'junk.avi')).toBeDefined();
  });

  it('positive control: a real AVI (1.x) and a real MP4 of the listed size (3.x) are deleted', async () => {
    const first = await setup();
    const avi = aviBytes(300_000, 3);
    serveTimelapse(first.server, [{ filename: 'good.avi', content: avi, listedSize: 200_000 }], { version: '1.2.0' });
    const run = await runCli([...first.args, '--rate-limit', '0', '--delete-after']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(deletes(first.server)).toEqual(['/local/timelapse2/archive?filename=good.avi']);
    expect(sha256((await local(first.dir, 'good.avi'))!)).toBe(sha256(avi));

    await first.server.close();
    const mp4Server = await startFaultServer();
    try {
      const mp4 = mp4Bytes(300_000, 4);
      serveTimelapse(mp4Server, [{ filename: 'good.mp4', content: mp4 }]);
      const again = await runCli(['--host', mp4Server.origin, ...first.args.slice(2), '--rate-limit', '0', '--delete-after']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(deletes(mp4Server)).toEqual(['/local/timelapse2/archive?filename=good.mp4']);
    } finally {
      await mp4Server.close();
    }
  });
});

describe('temporary files live where no archive name can reach', () => {
  it('archives named like temporary files are each downloaded intact and only then deleted', async () => {
    const { server, dir, args } = await setup();
    const names = ['a.mp4.part', 'a.mp4', 'b.mp4.part.json', 'b.mp4', 'c.mp4.part.part', 'c.mp4.part', 'c.mp4', 'd.mp4.lock', 'd.mp4'];
    const archives = names.map((filename, index) => ({ filename, content: mp4Bytes(50_000 + index * 1000, index + 10) }));
    serveTimelapse(server, archives);
    const run = await runCli([...args, '--rate-limit', '0', '--delete-after']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const archive of archives) {
      const stored = await local(dir, archive.filename);
      expect(stored && sha256(stored), archive.filename).toBe(sha256(archive.content));
    }
    expect(deletes(server).length).toBe(names.length);
    // Nothing but the archives (and hidden camdl state) in the directory.
    expect((await readdir(dir.path)).filter((file) => !file.startsWith('.')).sort()).toEqual([...names].sort());
  });

  it('a stored archive named a.mp4.part survives a later run that downloads a.mp4', async () => {
    const { server, dir, args } = await setup();
    const earlier = mp4Bytes(40_000, 21);
    await writeFile(join(dir.path, 'a.mp4.part'), earlier);
    await writeFile(join(dir.path, 'a.mp4.part.json'), '{"version":1,"etag":"\\"x\\"","total":99}\n');
    const archive = { filename: 'a.mp4', content: mp4Bytes(60_000, 22) };
    serveTimelapse(server, [archive]);
    const run = await runCli([...args, '--rate-limit', '0']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(sha256((await local(dir, 'a.mp4'))!)).toBe(sha256(archive.content));
    expect(sha256((await local(dir, 'a.mp4.part'))!)).toBe(sha256(earlier));
    expect(await local(dir, 'a.mp4.part.json')).toBeDefined();
  });
});

describe('two runs on one output directory', () => {
  it('the second run does not touch the file the first one is writing; the final file is exact', async () => {
    const { server, dir, args } = await setup();
    const content = mp4Bytes(600_000, 31);
    serveTimelapse(server, [{ filename: 'slow.mp4', content, bytesPerSecond: 200_000 }]);
    let second: Promise<{ code: number | null; stdout: string; stderr: string }> | undefined;
    const first = startCli([...args, '--rate-limit', '0', '--delete-after'], {
      onStdout: (text) => {
        if (second === undefined && text.includes('SAVE')) {
          second = new Promise((resolve) => setTimeout(() => resolve(runCli([...args, '--rate-limit', '0', '--delete-after'])), 700));
        }
      },
    });
    const a = await first.done;
    const b = await second!;
    noCrash(a);
    noCrash(b);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(b.code, b.stdout + b.stderr).toBe(1);
    expect(b.stderr).toMatch(/another camdl process \(pid \d+\) is downloading/);
    expect(sha256((await local(dir, 'slow.mp4'))!)).toBe(sha256(content));
    // Only the run that stored the file deleted it.
    expect(deletes(server).length).toBe(1);
  });
});

describe('timelapse2-dl refuses a non-identity Content-Encoding', () => {
  it('gzip bytes are never saved under the final name', async () => {
    const { server, dir, args } = await setup();
    const content = mp4Bytes(100_000, 41);
    const gzipped = gzipSync(content);
    serveTimelapse(server, [{ filename: 'zipped.mp4', content: gzipped, listedSize: gzipped.length, headers: { 'content-encoding': 'gzip' } }]);
    const run = await runCli([...args, '--rate-limit', '0', '--delete-after']);
    noCrash(run);
    expect(run.code).toBe(1);
    expect(await local(dir, 'zipped.mp4')).toBeUndefined();
    expect(deletes(server)).toEqual([]);
    expect(run.stderr).toMatch(/Content-Encoding: gzip/i);
  });
});

describe('a body cut short by Connection: close is a clean retry', () => {
  it.each([['20'], ['0']])('--rate-limit %s: no crash, retried, every archive stored', async (rate) => {
    const { server, dir, args } = await setup();
    const archives = [
      { filename: 'cut.mp4', content: mp4Bytes(2 * 1024 * 1024, 51) },
      { filename: 'next.mp4', content: mp4Bytes(200_000, 52) },
    ];
    serveTimelapse(server, archives);
    server.queueFaults('/local/timelapse2/download?filename=cut.mp4', { kind: 'close', afterBytes: 700_000 });
    const run = await runCli([...args, '--rate-limit', rate, '--max-retries', '2']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const archive of archives) expect(sha256((await local(dir, archive.filename))!)).toBe(sha256(archive.content));
    expect(downloadRequests(server).filter((target) => target.endsWith('cut.mp4')).length).toBe(2);
  });
});

describe('a disk that refuses the write ends with a documented exit code, never a hang', () => {
  it('ENOSPC on the resume sidecar, before the body is read: FAIL, exit 1, the other archives stored', async () => {
    const { server, dir, args } = await setup();
    const archives = [
      { filename: 'full.mp4', content: mp4Bytes(300_000, 61) },
      { filename: 'fine.mp4', content: mp4Bytes(100_000, 62) },
    ];
    serveTimelapse(server, archives);
    // The engine's state for full.mp4 goes to a device that is always full (a real ENOSPC).
    await mkdir(join(dir.path, '.camdl-tmp'), { recursive: true });
    await symlink('/dev/full', join(dir.path, '.camdl-tmp', 'full.mp4.part.json'));
    const run = await runCli([...args, '--rate-limit', '20']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/ENOSPC/);
    expect(run.stdout).toContain('Done. downloaded=1 skipped=0 failed=1');
    expect(await local(dir, 'full.mp4')).toBeUndefined();
    expect(sha256((await local(dir, 'fine.mp4'))!)).toBe(sha256(archives[1]!.content));
    expect(run.ms).toBeLessThan(20_000);
  });

  it('ENOSPC on the data itself: FAIL, exit 1, no final file', async () => {
    const { server, dir, args } = await setup();
    serveTimelapse(server, [{ filename: 'full.mp4', content: mp4Bytes(300_000, 63) }]);
    await mkdir(join(dir.path, '.camdl-tmp'), { recursive: true });
    await symlink('/dev/full', join(dir.path, '.camdl-tmp', 'full.mp4.part'));
    const run = await runCli([...args, '--rate-limit', '0']);
    noCrash(run);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/ENOSPC/);
    expect(await local(dir, 'full.mp4')).toBeUndefined();
  });
});

describe('small API answers have an overall deadline', () => {
  it('a listing trickling one byte at a time fails within the timeout: exit 2', async () => {
    const { server, args } = await setup();
    serveTimelapse(server, [{ filename: 'x.mp4', content: mp4Bytes(1000) }]);
    server.queueFaults('/local/timelapse2/archive', { kind: 'trickle', bytes: 1, intervalMs: 300 });
    const run = await runCli([...args.filter((arg, i) => arg !== '5' || args[i - 1] !== '--timeout'), '--timeout', '2']);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^ERROR: Failed to fetch archives: .*(deadline|timed out)/m);
    expect(run.ms).toBeLessThan(2000 + 6000);
  });
});

describe('a refused login stops the run', () => {
  it('after a good listing, downloads answered 401: one refused login, not one per archive', async () => {
    const { server, args } = await setup();
    const archives = ['a', 'b', 'c', 'd', 'e'].map((name, index) => ({ filename: `${name}.mp4`, content: mp4Bytes(10_000, index), authorization: 'never matches' }));
    serveTimelapse(server, archives);
    const run = await runCli([...args, '--rate-limit', '0']);
    noCrash(run);
    expect(run.code).not.toBe(0);
    const refused = server.requests.filter((request) => request.path === '/local/timelapse2/download' && request.headers.authorization !== undefined);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(new Set(downloadRequests(server)).size).toBe(1);
    expect(run.stderr).toMatch(/refused the login|wrong user or password/);
  });
});

describe('a listing of only unusable entries is a bad answer', () => {
  it.each([['["a.mp4","b.mp4"]'], ['[{"size":1},{"id":"x"}]'], ['[null, 3]']])('%s: exit 2', async (listing) => {
    const { server, args } = await setup();
    serveTimelapse(server, [], { listing });
    const run = await runCli([...args, '--rate-limit', '0']);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^ERROR: Failed to fetch archives: .*ERR_TIMELAPSE_BAD_RESPONSE/m);
    expect(run.stdout).not.toContain('No timelapse archives found');
  });

  it('an empty list is still an empty camera: exit 0', async () => {
    const { server, args } = await setup();
    serveTimelapse(server, [], { listing: '[]' });
    const run = await runCli([...args, '--rate-limit', '0']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No timelapse archives found');
  });
});
