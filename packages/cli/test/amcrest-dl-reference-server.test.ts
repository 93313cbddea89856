import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CAMERA_VARIANTS, cameraFiles, expectCleanSearches, expectedVideos, makeH264Part, makeSelfSignedCert, makeTempDir, missingSystemTools, NVR_VARIANTS, nvrFiles, probeSeconds, sha256, startRedirectServer, startReferenceDahuaServer, type ReferenceDahuaServer, type ReferenceServerOptions, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonEvents, runAmcrestDl } from './amcrest-dl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

/** One login challenge for the API phase (plus one per 403 of a reused nonce on an NVR); never a bad digest. */
function expectOneLogin(server: ReferenceDahuaServer): void {
  const firstDownload = server.requests.findIndex((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile'));
  const apiPhase = firstDownload === -1 ? server.requests : server.requests.slice(0, firstDownload);
  expect(apiPhase.filter((request) => !request.authorized)).toHaveLength(1 + apiPhase.filter((request) => request.status === 403).length);
  expect(server.counters.badDigests).toBe(0);
}

const RANGE = ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T20:10:00'];

describe.skipIf(skip)('amcrest-dl (built binary) against the reference Dahua server', { timeout: 180_000 }, () => {
  let media: TempDir;
  let parts: [Buffer, Buffer, Buffer];
  beforeAll(async () => {
    media = await makeTempDir();
    parts = [makeH264Part('ffmpeg', media.path, 'a.mp4', 2, 0), makeH264Part('ffmpeg', media.path, 'b.mp4', 3, 1), makeH264Part('ffmpeg', media.path, 'c.mp4', 2, 2)];
  });
  afterAll(async () => {
    await media.cleanup();
  });

  for (const [name, variant] of Object.entries(CAMERA_VARIANTS)) {
    describe(name, () => {
      let server: ReferenceDahuaServer;
      let dir: TempDir;
      const cap = variant.maxSearchObjects ?? 4;
      const args = (extra: string[]): string[] => ['--host', server.url, '--username', server.username, ...RANGE, '--output-dir', dir.path, '--no-progress', ...extra];
      const run = (extra: string[]): ReturnType<typeof runAmcrestDl> => runAmcrestDl(args(extra), { password: server.password });
      beforeAll(async () => {
        server = await startReferenceDahuaServer({ ...variant, files: cameraFiles(parts) });
        dir = await makeTempDir();
      });
      afterAll(async () => {
        await server.close();
        await dir.cleanup();
      });
      const videos = (): string[] => expectedVideos(server);

      it('--list: the three finished recordings, nothing downloaded, the search object closed and destroyed', async () => {
        server.resetCounters();
        const listed = await run(['--list']);
        expect(listed.code, listed.stderr).toBe(0);
        expect(listed.stdout.match(/^LIST .*$/gm)?.map((line) => line.slice(line.indexOf('/mnt/')))).toEqual(videos());
        expect(listed.stdout).toContain('Found 3 recording(s): 7s');
        expect(listed.stdout).toMatch(/Not downloading: .*2 still being recorded/);
        expect(server.counters.downloads.size).toBe(0);
        expect(server.counters.creates).toBe(1);
        expectCleanSearches(server, cap);
        expectOneLogin(server);
      });

      it('--list --json: one recording event per file with the camera times, exit code 0', async () => {
        server.resetCounters();
        const listed = await run(['--list', '--json']);
        expect(listed.code, listed.stderr).toBe(0);
        const events = jsonEvents(listed.stdout);
        const recordings = events.filter((event) => event['type'] === 'recording');
        expect(recordings.map((event) => event['path'])).toEqual(videos());
        expect(recordings.map((event) => event['startTime'])).toEqual(['2026-01-16 20:00:00', '2026-01-16 20:02:00', '2026-01-16 20:04:00']);
        expect(recordings.map((event) => event['size'])).toEqual(parts.map((part) => part.length));
        expect(recordings.map((event) => event['kind'])).toEqual(['mp4', 'mp4', 'mp4']);
        expect(events.at(-1)).toMatchObject({ type: 'done', exitCode: 0, recordings: 3 });
        expectCleanSearches(server, cap);
      });

      it('downloads byte-identical parts and merges them (ffprobe 7 s); a re-run reuses every part', async () => {
        server.resetCounters();
        const first = await run(['--keep-files']);
        expect(first.code, `${first.stderr}\n${first.stdout}`).toBe(0);
        // One GET line per request the camera answered (a server refusing raw brackets adds the refused tries).
        const answered = server.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status !== 401 && request.status !== 403);
        expect(first.stdout.match(/^GET /gm)).toHaveLength(answered.length);
        expect(answered.filter((request) => request.status === 400).length).toBe(variant.loadfilePaths === 'encoded' ? 1 : 0);
        expect(first.stdout).not.toMatch(/^FAIL /m);
        expect(first.stdout).toContain('Done. 3 recording(s): 3 downloaded, 0 already there, 0 failed');
        const partsDir = join(dir.path, '.amcrest_download');
        const names = (await readdir(partsDir)).filter((file) => file.endsWith('.mp4')).sort();
        expect(names).toEqual(['2026-01-16_20.00.00-20.00.02_ch1.mp4', '2026-01-16_20.02.00-20.02.03_ch1.mp4', '2026-01-16_20.04.00-20.04.02_ch1.mp4']);
        for (const [index, file] of names.entries()) expect(sha256(await readFile(join(partsDir, file))), file).toBe(sha256(parts[index]!));
        const merged = join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_20.10.00.mp4');
        expect(probeSeconds(merged)).toBeCloseTo(7, 0);
        expect([...server.counters.downloads.values()]).toEqual([1, 1, 1]);
        expectCleanSearches(server, cap);
        expectOneLogin(server);

        // The merged file exists: a second run stops before any download (exit 2), leaving it alone.
        server.resetCounters();
        const exists = await run(['--keep-files']);
        expect(exists.code).toBe(2);
        expect(server.counters.downloads.size).toBe(0);

        await rm(merged);
        server.resetCounters();
        const again = await run([]);
        expect(again.code, `${again.stderr}\n${again.stdout}`).toBe(0);
        expect(again.stdout).toContain('0 downloaded, 3 already there, 0 failed');
        expect(server.counters.downloads.size).toBe(0);
        expect(probeSeconds(merged)).toBeCloseTo(7, 0);
        // Merged without --keep-files: the parts are removed.
        expect(existsSync(join(partsDir, names[0]!))).toBe(false);
        expectCleanSearches(server, cap);
      });

      it('a listed file gone from the card: exit 1, its FAIL line, the others downloaded, nothing merged', async () => {
        const gone = await startReferenceDahuaServer({ ...variant, files: cameraFiles(parts) });
        const goneDir = await makeTempDir();
        try {
          const [first] = expectedVideos(gone);
          gone.removeFile(first!);
          const result = await runAmcrestDl(['--host', gone.url, '--username', gone.username, ...RANGE, '--output-dir', goneDir.path, '--no-progress', '--retry-delay', '0'], { password: gone.password });
          expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(1);
          expect(result.stdout).toMatch(/^FAIL .*20\.00\.00-20\.00\.02/m);
          expect(result.stdout).toContain('Not merging an incomplete set');
          expect([...gone.counters.downloads.keys()].sort()).toEqual(expectedVideos(gone).slice(1).sort());
          expect(existsSync(join(goneDir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_20.10.00.mp4'))).toBe(false);
          // The gone file is asked once in each form (a 400 is not retried); a server refusing raw brackets adds its one probe.
          const refused = gone.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status === 400);
          expect(refused.length).toBe(variant.loadfilePaths === 'encoded' ? 3 : 2);
          expectCleanSearches(gone, cap);
        } finally {
          await gone.close();
          await goneDir.cleanup();
        }
      });

      it('a wrong password: exit 2 after one refused attempt, nothing searched', async () => {
        server.resetCounters();
        const refused = await runAmcrestDl(args(['--list']), { password: 'not-the-password' });
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain('refused the user name or password');
        expect(refused.stderr).not.toContain('not-the-password');
        expect(server.counters.badDigests).toBe(1);
        expect(server.counters.creates).toBe(0);
      });
    });
  }

  for (const [name, variant] of Object.entries(NVR_VARIANTS) as Array<[string, Omit<ReferenceServerOptions, 'files'>]>) {
    describe(name, () => {
      let server: ReferenceDahuaServer;
      let dir: TempDir;
      const cap = variant.maxSearchObjects ?? 4;
      const args = (extra: string[]): string[] => ['--host', server.url, '--username', server.username, ...RANGE, '--output-dir', dir.path, '--no-progress', '--channel', '1,2', ...extra];
      beforeAll(async () => {
        server = await startReferenceDahuaServer({ ...variant, files: nvrFiles() });
        dir = await makeTempDir();
      });
      afterAll(async () => {
        await server.close();
        await dir.cleanup();
      });
      const pathsOf = (channel: number): string[] => server.paths.filter((_, index) => server.files[index]!.channel === channel);

      it('--list --json on channels 1 and 2: the .dav files of each (found by the dav search after an empty mp4 one)', async () => {
        server.resetCounters();
        const listed = await runAmcrestDl(args(['--list', '--json']), { password: server.password });
        expect(listed.code, listed.stderr).toBe(0);
        const recordings = jsonEvents(listed.stdout).filter((event) => event['type'] === 'recording');
        expect(recordings.map((event) => [event['channel'], event['path'], event['kind']])).toEqual([
          ...pathsOf(1).map((path) => [1, path, 'dav']),
          ...pathsOf(2).map((path) => [2, path, 'dav']),
        ]);
        expectCleanSearches(server, cap);
        expectOneLogin(server);
      });

      it('--no-merge: byte-identical .dav parts; a re-run downloads nothing', async () => {
        server.resetCounters();
        const first = await runAmcrestDl(args(['--no-merge']), { password: server.password });
        expect(first.code, `${first.stderr}\n${first.stdout}`).toBe(0);
        expect(first.stdout.match(/^GET /gm)).toHaveLength(3);
        const partsDir = join(dir.path, '.amcrest_download');
        const names = (await readdir(partsDir)).filter((file) => file.endsWith('.dav')).sort();
        expect(names).toHaveLength(3);
        const expected = [...pathsOf(1), ...pathsOf(2)].map((path) => sha256(server.files[server.paths.indexOf(path)]!.content)).sort();
        const got = await Promise.all(names.map(async (file) => sha256(await readFile(join(partsDir, file)))));
        expect(got.sort()).toEqual(expected);
        expect(server.counters.downloads.get(pathsOf(3)[0]!)).toBeUndefined();
        expectCleanSearches(server, cap);
        expectOneLogin(server);

        server.resetCounters();
        const again = await runAmcrestDl(args(['--no-merge']), { password: server.password });
        expect(again.code, again.stderr).toBe(0);
        expect(server.counters.downloads.size).toBe(0);
        expectCleanSearches(server, cap);
      });
    });
  }

  it('a recorder redirecting port 80 to https with a self-signed certificate: --ca-file or --insecure download it, nothing without', async () => {
    const dir = await makeTempDir();
    const tls = await makeSelfSignedCert(dir.path);
    const server = await startReferenceDahuaServer({ profile: 'nvr', tls, files: nvrFiles() });
    const redirect = await startRedirectServer(server.url, 301);
    try {
      const base = ['--host', redirect.url, '--username', server.username, ...RANGE, '--output-dir', dir.path, '--no-progress', '--no-merge'];
      const refused = await runAmcrestDl([...base, '--list'], { password: server.password });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('pass --ca-file with its CA, or --insecure');
      expect(server.requests).toHaveLength(0);

      const withCa = await runAmcrestDl([...base, '--ca-file', tls.certPath], { password: server.password });
      expect(withCa.code, `${withCa.stderr}\n${withCa.stdout}`).toBe(0);
      const channel1 = server.paths.filter((_, index) => server.files[index]!.channel === 1);
      expect([...server.counters.downloads.keys()].sort()).toEqual(channel1.sort());
      const names = (await readdir(join(dir.path, '.amcrest_download'))).filter((file) => file.endsWith('.dav'));
      expect(names).toHaveLength(channel1.length);

      const insecure = await runAmcrestDl([...base, '--insecure', '--list'], { password: server.password });
      expect(insecure.code, insecure.stderr).toBe(0);
      expect(insecure.stdout.match(/^LIST /gm)).toHaveLength(channel1.length);
      expect(redirect.requests.every((request) => !request.authorized)).toBe(true);
      expect(server.counters.badDigests).toBe(0);
    } finally {
      await redirect.close();
      await server.close();
      await dir.cleanup();
    }
  });
});
