import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFfmpeg, type FfmpegTools } from '@camdl/media';
import { addWallSeconds, CAMERA_VARIANTS, cameraFiles, closeAfterEach, expectCleanSearches, expectedVideos, makeH264Part, makeSelfSignedCert, makeTempDir, missingSystemTools, NVR_VARIANTS, nvrFiles, probeSeconds, sha256, startRedirectServer, startReferenceDahuaServer, type ReferenceDahuaServer, type ReferenceServerOptions, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmcrestClient, downloadRecordings, findRecordings, runRecordingsJob, type AmcrestClient } from '../src/index.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');
const WINDOW = { start: '2026-01-16T20:00:00', end: '2026-01-16T20:10:00', cameraTimeZone: 'America/New_York' } as const;

/**
 * Authentication: never a bad digest; one login challenge for the whole search phase (the camera API is
 * sequential); downloads may each collect one nonce of their own (the digest client keeps one request per
 * nonce: "one extra request, once per level of concurrency"); a refused reuse costs one fresh challenge
 * (401) or one unauthenticated request (403), never a loop.
 */
function expectAuth(server: ReferenceDahuaServer, options: Omit<ReferenceServerOptions, 'files'>, parallelDownloads: number): void {
  if (process.env['DEBUG_REF']) console.log(server.requests.map((request) => `${request.status} ${request.authorized ? 'A' : '-'} ${request.url.slice(0, 90)}`).join('\n'));
  expect(server.counters.badDigests).toBe(0);
  const firstDownload = server.requests.findIndex((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile'));
  const apiPhase = firstDownload === -1 ? server.requests : server.requests.slice(0, firstDownload);
  // One login challenge for the API phase (plus, on a 403 NVR, the one fresh challenge each refused reuse needs).
  expect(apiPhase.filter((request) => !request.authorized)).toHaveLength(1 + apiPhase.filter((request) => request.status === 403).length);
  const reuseRefusals = server.requests.filter((request) => request.authorized && (request.status === 401 || request.status === 403)).length;
  const answered = server.requests.filter((request) => request.status !== 401 && request.status !== 403).length;
  // Each answered request needed at most one refused reuse.
  expect(reuseRefusals).toBeLessThanOrEqual(answered);
  if ((options.nonceReuse ?? 'accept') === 'accept') expect(reuseRefusals).toBe(0);
  const forbidden = options.profile === 'nvr' ? server.counters.forbidden : 0;
  if (options.profile !== 'nvr') expect(server.counters.forbidden).toBe(0);
  expect(server.counters.unauthenticated).toBeLessThanOrEqual(Math.max(1, parallelDownloads) + forbidden);
  expect(server.counters.unauthenticated).toBeGreaterThanOrEqual(1 + forbidden);
}

describe.skipIf(skip)('interop with the reference Dahua server (independent of camera-sim)', { timeout: 120_000 }, () => {
  const track = closeAfterEach();
  let media: TempDir;
  let parts: [Buffer, Buffer, Buffer];
  let tools: FfmpegTools;

  beforeAll(async () => {
    media = await makeTempDir();
    tools = await findFfmpeg();
    parts = [makeH264Part(tools.ffmpeg, media.path, 'a.mp4', 2, 0), makeH264Part(tools.ffmpeg, media.path, 'b.mp4', 3, 1), makeH264Part(tools.ffmpeg, media.path, 'c.mp4', 2, 2)];
  });
  afterAll(async () => {
    await media.cleanup();
  });

  const connect = async (options: ReferenceServerOptions): Promise<{ server: ReferenceDahuaServer; client: AmcrestClient }> => {
    const server = track(await startReferenceDahuaServer(options));
    const client = track(createAmcrestClient({ url: server.url, username: server.username, password: server.password }));
    return { server, client };
  };

  for (const [name, variant] of Object.entries(CAMERA_VARIANTS)) {
    describe(name, () => {
      it('findRecordings lists the three finished .mp4 (Type=dav, Channel=0) and skips .jpg, .mp4_, FileState=Temporary', async () => {
        const { server, client } = await connect({ ...variant, files: cameraFiles(parts) });
        const found = await findRecordings(client, WINDOW);
        const videos = expectedVideos(server);
        expect(videos).toHaveLength(3);
        expect(found.recordings.map((recording) => recording.filePath)).toEqual(videos);
        expect(found.recordings.map((recording) => recording.startTime)).toEqual(['2026-01-16 20:00:00', '2026-01-16 20:02:00', '2026-01-16 20:04:00']);
        expect(found.recordings.map((recording) => recording.kind)).toEqual(['mp4', 'mp4', 'mp4']);
        expect(found.recordings.map((recording) => recording.size)).toEqual(parts.map((part) => part.length));
        expect(found.recordings.map((recording) => recording.durationSeconds)).toEqual([2, 3, 2]);
        expect(found.recordings[0]!.raw['Remark']).toBe('cut=1;note=a=b');
        // UTCOffset -18000 on the second item: 20:02:00 at UTC-5.
        expect(found.recordings[1]!.start.toISOString()).toBe('2026-01-17T01:02:00.000Z');
        // Listed but not downloaded: the in-progress files, and what the camera lists where it does not apply a
        // condition (the .jpg when Types is ignored, the Extra1 file when VideoStream is ignored or refused).
        const listsEverything = variant.typesCondition === 'ignore';
        const expectedSkips = server.files
          .map((file, index) => ({ file, path: server.paths[index]! }))
          .filter(({ file }) => file.fileState !== undefined || file.ext === 'mp4_' || (listsEverything && file.ext === 'jpg') || (file.videoStream === 'Extra1' && (variant.conditions ?? 'honour') !== 'honour'));
        expect(found.skipped.map((skipped) => [skipped.item.filePath, skipped.reason]).sort()).toEqual(
          expectedSkips
            .map(({ file, path }) => [path, file.ext === 'jpg' ? 'snapshot' : file.videoStream === 'Extra1' ? 'other-stream' : 'in-progress'])
            .sort(),
        );
        expectCleanSearches(server, variant.maxSearchObjects ?? 4);
        expectAuth(server, variant, 0);
      });

      it('runRecordingsJob downloads byte-identical parts, merges them (ffprobe = 7 s), and a re-run reuses every part', async () => {
        const { server, client } = await connect({ ...variant, files: cameraFiles(parts) });
        const dir = track(await makeTempDir());
        const result = await runRecordingsJob(client, { ...WINDOW, outputDir: dir.path, keepFiles: true, tools, retryDelay: 0 });
        expect(result.error).toBeUndefined();
        expect(result).toMatchObject({ outcome: 'done', downloaded: 3, reused: 0, failed: 0 });
        const names = (await readdir(result.partsDirectory)).sort();
        expect(names).toHaveLength(3);
        for (const [index, name] of names.entries()) expect(sha256(await readFile(join(result.partsDirectory, name))), name).toBe(sha256(parts[index]!));
        expect(result.merged?.outputs).toHaveLength(1);
        expect(probeSeconds(result.merged!.outputs[0]!.path)).toBeCloseTo(7, 0);
        // Each part fetched exactly once (a refused raw-bracket form is a 400, not a download).
        expect([...server.counters.downloads.values()]).toEqual([1, 1, 1]);
        // A server refusing the raw-bracket form costs one 400 per run: the other downloads wait for the first answer.
        expect(server.requests.filter((request) => request.url.includes('RPC_Loadfile') && request.status === 400).length).toBe(variant.loadfilePaths === 'encoded' ? 1 : 0);
        expectCleanSearches(server, variant.maxSearchObjects ?? 4);
        expectAuth(server, variant, 3);

        server.resetCounters();
        const again = await runRecordingsJob(client, { ...WINDOW, outputDir: dir.path, keepFiles: true, tools, overwrite: true, retryDelay: 0 });
        expect(again).toMatchObject({ outcome: 'done', downloaded: 0, reused: 3, failed: 0 });
        expect(server.counters.downloads.size).toBe(0);
        expectCleanSearches(server, variant.maxSearchObjects ?? 4);
      });

      it('an empty window is 0 recordings, not a failed search, and the object is still released', async () => {
        const { server, client } = await connect({ ...variant, files: cameraFiles(parts) });
        const found = await findRecordings(client, { ...WINDOW, start: '2026-01-16T23:00:00', end: '2026-01-16T23:30:00' });
        expect(found.recordings).toEqual([]);
        expectCleanSearches(server, variant.maxSearchObjects ?? 4);
      });
    });
  }

  for (const [name, variant] of Object.entries(NVR_VARIANTS)) {
    describe(name, () => {
      it('channels 1 and 2: the .dav files of each, byte-identical, no mp4 listed, every object released', async () => {
        const { server, client } = await connect({ ...variant, files: nvrFiles() });
        const dir = track(await makeTempDir());
        const warnings: string[] = [];
        const result = await runRecordingsJob(client, { ...WINDOW, channels: [1, 2], merge: false, outputDir: dir.path, retryDelay: 0, onEvent: (event) => {
          if (event.type === 'warning') warnings.push(event.message);
        } });
        expect(result.error).toBeUndefined();
        expect(result).toMatchObject({ outcome: 'done', downloaded: 3, failed: 0 });
        const pathsOf = (channel: number): string[] => server.paths.filter((_, index) => server.files[index]!.channel === channel);
        expect(result.channels.map((channel) => channel.found.recordings.map((recording) => recording.filePath))).toEqual([pathsOf(1), pathsOf(2)]);
        expect(pathsOf(1)).toHaveLength(2);
        for (const outcome of result.outcomes) {
          const file = server.files[server.paths.indexOf(outcome.recording.filePath)]!;
          expect(sha256(await readFile(outcome.path))).toBe(sha256(file.content));
        }
        expect(server.counters.downloads.get(pathsOf(3)[0]!)).toBeUndefined();
        expectCleanSearches(server, variant.maxSearchObjects ?? 4);
        expectAuth(server, variant, 3);

        server.resetCounters();
        const again = await runRecordingsJob(client, { ...WINDOW, channels: [1, 2], merge: false, outputDir: dir.path, retryDelay: 0 });
        expect(again).toMatchObject({ outcome: 'done', downloaded: 0, reused: 3 });
        expect(server.counters.downloads.size).toBe(0);
      });

      it("channels 'all': the count the recorder gives (4), every channel searched, one object at a time, all released", async () => {
        const { server, client } = await connect({ ...variant, files: nvrFiles() });
        const dir = track(await makeTempDir());
        const result = await runRecordingsJob(client, { ...WINDOW, channels: 'all', mode: 'list', outputDir: dir.path });
        expect(result.error).toBeUndefined();
        expect(result.channels.map((channel) => [channel.channel, channel.found.recordings.length])).toEqual([
          [1, 2],
          [2, 1],
          [3, 1],
          [4, 0],
        ]);
        expect(server.counters.peakOpenObjects).toBe(1);
        expectCleanSearches(server, variant.maxSearchObjects ?? 4);
      });
    });
  }
});

describe('reference Dahua server: edge behaviours', { timeout: 60_000 }, () => {
  const track = closeAfterEach();
  const parts3 = (): [Buffer, Buffer, Buffer] => [Buffer.alloc(6000, 1), Buffer.alloc(7000, 2), Buffer.alloc(8000, 3)];
  const tiny = (): [Buffer, Buffer, Buffer] => [Buffer.from('a'.repeat(3000)), Buffer.from('b'.repeat(4000)), Buffer.from('c'.repeat(5000))];
  const connect = async (options: ReferenceServerOptions): Promise<{ server: ReferenceDahuaServer; client: AmcrestClient }> => {
    const server = track(await startReferenceDahuaServer(options));
    const client = track(createAmcrestClient({ url: server.url, username: server.username, password: server.password }));
    return { server, client };
  };

  it('a re-run with one part missing, on a server that refuses raw brackets, fetches it in the encoded form', async () => {
    const { server, client } = await connect({ loadfilePaths: 'encoded', files: cameraFiles(tiny()) });
    const dir = track(await makeTempDir());
    const first = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0, maxConcurrent: 1 });
    expect(first).toMatchObject({ outcome: 'done', downloaded: 3 });
    const names = (await readdir(first.partsDirectory)).sort();
    await rm(join(first.partsDirectory, names[2]!));
    server.resetCounters();
    const again = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0, maxConcurrent: 1 });
    expect(again.outcomes.map((outcome) => outcome.error?.message)).toEqual([undefined, undefined, undefined]);
    expect(again).toMatchObject({ outcome: 'done', downloaded: 1, reused: 2, failed: 0 });
    expect(sha256(await readFile(join(first.partsDirectory, names[2]!)))).toBe(sha256(server.files[3]!.content));
  });

  it('a first file without brackets says nothing about the path form: the bracketed ones after it still fall back to encoded', async () => {
    const files = cameraFiles(parts3());
    files[0] = { ...files[0]!, plainName: true };
    const { server, client } = await connect({ loadfilePaths: 'encoded', files });
    const dir = track(await makeTempDir());
    const result = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0, maxConcurrent: 1 });
    expect(result.found?.recordings[0]!.filePath).not.toMatch(/[[\]]/);
    expect(result.outcomes.map((outcome) => outcome.error?.message)).toEqual([undefined, undefined, undefined]);
    expect(result).toMatchObject({ outcome: 'done', downloaded: 3 });
    expect(server.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status === 400)).toHaveLength(1);
  });

  it('RPC_Loadfile answers without Content-Length on a server refusing raw brackets: one refused request, every part whole', async () => {
    const big = (seed: number): Buffer => Buffer.alloc(200_000, seed);
    const { server, client } = await connect({ loadfilePaths: 'encoded', loadfileBodies: 'close-delimited', files: cameraFiles([big(1), big(2), big(3)]) });
    const dir = track(await makeTempDir());
    const result = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0 });
    expect(result.outcomes.map((outcome) => outcome.error?.message)).toEqual([undefined, undefined, undefined]);
    expect(result).toMatchObject({ outcome: 'done', downloaded: 3 });
    for (const outcome of result.outcomes) {
      expect(sha256(await readFile(outcome.path))).toBe(sha256(server.files[server.paths.indexOf(outcome.recording.filePath)]!.content));
    }
    expect(server.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status === 400)).toHaveLength(1);
  });

  for (const range of [true, false]) {
    it(`an interrupted part (.part on disk) is completed byte-identical ${range ? 'with a 206 resume' : 'from the start when Range is ignored'}`, async () => {
      const { server, client } = await connect({ range, files: cameraFiles(tiny()) });
      const dir = track(await makeTempDir());
      const listed = await findRecordings(client, WINDOW);
      const partsDirectory = join(dir.path, '.amcrest_download');
      await mkdir(partsDirectory, { recursive: true });
      const firstFile = server.files[0]!;
      // What an interrupted run leaves (@camdl/throttled-download's `.camdl-tmp/<name>.part` + its state).
      await mkdir(join(partsDirectory, '.camdl-tmp'));
      await writeFile(join(partsDirectory, '.camdl-tmp', `${listed.recordings[0]!.fileName}.part`), firstFile.content.subarray(0, 1000));
      await writeFile(join(partsDirectory, '.camdl-tmp', `${listed.recordings[0]!.fileName}.part.json`), JSON.stringify({ version: 1, total: firstFile.content.length }));
      server.resetCounters();
      const result = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0, maxConcurrent: 1 });
      expect(result).toMatchObject({ outcome: 'done', failed: 0 });
      expect(sha256(await readFile(join(partsDirectory, listed.recordings[0]!.fileName)))).toBe(sha256(firstFile.content));
      const firstRequests = server.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status !== 401);
      expect(firstRequests[0]!.range).toBe('bytes=1000-');
      expect(firstRequests[0]!.status).toBe(range ? 206 : 200);
      expect(server.counters.downloads.get(server.paths[0]!)).toBe(1);
    });
  }

  it('leaked search objects: factory.create answered 400 is a failed search, asked once, and works after a reboot', async () => {
    const { server, client } = await connect({ maxSearchObjects: 1, files: cameraFiles(tiny()) });
    // Someone else (another tool) leaked the only search object the camera has.
    const leaked = await findRecordings(client, WINDOW);
    expect(leaked.recordings).toHaveLength(3);
    const other = createAmcrestClient({ url: server.url, username: server.username, password: server.password });
    track(other);
    await other.call('mediaFileFind.cgi', [['action', 'factory.create']]);
    server.resetCounters();
    const dir = track(await makeTempDir());
    const failed = await runRecordingsJob(client, { ...WINDOW, outputDir: dir.path, retryDelay: 0 });
    expect(failed.outcome).toBe('search-failed');
    expect(failed.error).toMatchObject({ code: 'ERR_AMCREST_BAD_REQUEST', status: 400 });
    expect(server.requests.filter((request) => request.url.includes('factory.create') && request.status !== 401)).toHaveLength(1);
    expect(server.counters.downloads.size).toBe(0);
    server.restart();
    const after = await findRecordings(client, WINDOW);
    expect(after.recordings).toHaveLength(3);
    expect(server.openObjects()).toEqual([]);
  });

  it('"Error: Error -1 getting param in name=…" for getCurrentTime and getMachineName: a wall-clock search still runs', async () => {
    const { server, client } = await connect({ paramErrors: ['getCurrentTime', 'getMachineName'], files: cameraFiles(tiny()) });
    const dir = track(await makeTempDir());
    const warnings: string[] = [];
    const result = await runRecordingsJob(client, {
      start: WINDOW.start,
      end: WINDOW.end,
      mode: 'list',
      outputDir: dir.path,
      onEvent: (event) => {
        if (event.type === 'warning') warnings.push(event.message);
      },
    });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('done');
    expect(result.found?.recordings).toHaveLength(3);
    expect(server.openObjects()).toEqual([]);
  });

  it('magicBox answers are read as given (a machine name containing "=")', async () => {
    const { client } = await connect({ files: cameraFiles(tiny()) });
    expect(await client.getDeviceInfo()).toEqual({ deviceType: 'IP2M-841B', serialNumber: 'AMC018NP69LM4VM2VY', softwareVersion: '2.800.0000000.8.R,build:2020-03-18', machineName: 'Front=Door' });
  });

  it('Basic-only firmware over http: refused after one request without sending the password; allowed with allowBasic', async () => {
    const server = track(await startReferenceDahuaServer({ auth: 'basic-only', files: cameraFiles(tiny()) }));
    const refusing = track(createAmcrestClient({ url: server.url, username: server.username, password: server.password }));
    const error = await findRecordings(refusing, WINDOW).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_AUTH' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.authorized).toBe(false);
    server.resetCounters();
    const allowing = track(createAmcrestClient({ url: server.url, username: server.username, password: server.password, allowBasic: true }));
    const found = await findRecordings(allowing, WINDOW);
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(expectedVideos(server));
    expect(server.counters.challenges).toBe(1);
    expect(server.counters.badDigests).toBe(0);
  });

  for (const conditions of ['honour', 'refuse', 'ignore'] as const) {
    it(`events: ['VideoMotion'] on a camera that ${conditions}s conditions: only the motion recording`, async () => {
      const { server, client } = await connect({ conditions, files: cameraFiles(tiny()) });
      const found = await findRecordings(client, { ...WINDOW, events: ['VideoMotion'] });
      // A device that took the condition (200) is believed: its items without an `Events` list are kept (the
      // client's documented policy; many firmwares list no Events on items). Only a refusal makes it filter alone.
      const expected = conditions === 'ignore' ? ['2026-01-16 20:00:00', '2026-01-16 20:02:00', '2026-01-16 20:04:00'] : ['2026-01-16 20:02:00'];
      expect(found.recordings.map((recording) => recording.startTime)).toEqual(expected);
      expect(server.openObjects()).toEqual([]);
      expect(server.leaks()).toEqual({ notClosed: [], notDestroyed: [] });
    });
  }

  it('maxConcurrent 2: never more than 2 downloads (plus nothing else) answered at once', async () => {
    const big = (seed: number): Buffer => Buffer.alloc(3_000_000, seed);
    const { server, client } = await connect({ files: cameraFiles([big(1), big(2), big(3)]) });
    const dir = track(await makeTempDir());
    const result = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0, maxConcurrent: 2 });
    expect(result).toMatchObject({ outcome: 'done', downloaded: 3 });
    expect(server.counters.peakInFlight).toBeLessThanOrEqual(2);
  });

  it('RPC_Loadfile refusing raw brackets with "200 Error Bad Request!": the encoded form is used, no error body kept as a part', async () => {
    const { server, client } = await connect({ loadfilePaths: 'encoded', loadfileRefusal: 'error-body-200', files: cameraFiles(parts3()) });
    const dir = track(await makeTempDir());
    const result = await runRecordingsJob(client, { ...WINDOW, merge: false, outputDir: dir.path, retryDelay: 0 });
    expect(result.outcomes.map((outcome) => outcome.error?.message)).toEqual([undefined, undefined, undefined]);
    expect(result).toMatchObject({ outcome: 'done', downloaded: 3, failed: 0 });
    for (const outcome of result.outcomes) {
      expect(sha256(await readFile(outcome.path))).toBe(sha256(server.files[server.paths.indexOf(outcome.recording.filePath)]!.content));
    }
  });

  it('close answered 400 after a search that ended in a 400: destroy still follows, nothing leaks', async () => {
    const { server, client } = await connect({ searchEnd: 'status-400', emptyFindFile: 'status-400', closeAfterError: 'status-400', maxSearchObjects: 1, files: cameraFiles(parts3()) });
    const found = await findRecordings(client, WINDOW);
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(expectedVideos(server));
    const empty = await findRecordings(client, { ...WINDOW, start: '2026-01-16T23:00:00', end: '2026-01-16T23:30:00' });
    expect(empty.recordings).toEqual([]);
    expect(server.requests.filter((request) => request.url.includes('action=close') && request.status === 400).length).toBeGreaterThan(0);
    expect(server.leaks().notDestroyed).toEqual([]);
    expect(server.openObjects()).toEqual([]);
    expect(server.counters.destroys).toBe(server.counters.creates);
  });

  it('150 recordings over two findNextFile pages, keys sorted as strings (items[10] before items[2]), unpadded times', async () => {
    const files = Array.from({ length: 150 }, (_, index) => ({
      channel: 1,
      start: addWallSeconds('2026-01-16 20:00:00', index * 4),
      end: addWallSeconds('2026-01-16 20:00:00', index * 4 + 3),
      ext: 'mp4' as const,
      content: Buffer.from(`part ${index}`),
      flags: ['Timing'],
    }));
    const { server, client } = await connect({ unpaddedTimes: true, lineEnding: '\n', files });
    const found = await findRecordings(client, { ...WINDOW, start: '2026-01-16T20:00:00', end: '2026-01-16T21:00:00' });
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(server.paths);
    expect(found.recordings.map((recording) => recording.size)).toEqual(files.map((file) => file.content.length));
    expect(found.recordings[149]!.startTime).toBe('2026-01-16 20:09:56');
    expect(server.counters.findNextFiles).toBe(3);
    expect(server.openObjects()).toEqual([]);
  });

  it('an instant range without cameraTimeZone: the offset measured from an unpadded getCurrentTime (UTC-5) converts the window', async () => {
    const { server, client } = await connect({ unpaddedTimes: true, files: cameraFiles(parts3()) });
    const found = await findRecordings(client, { start: '2026-01-17T01:00:00Z', end: '2026-01-17T01:10:00Z' });
    expect(found.window).toEqual({ start: '2026-01-16 20:00:00', end: '2026-01-16 20:10:00' });
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(expectedVideos(server));
    expect(found.recordings[0]!.start.toISOString()).toBe('2026-01-17T01:00:00.000Z');
  });

  it('the repeated autumn hour (UTCOffset -14400 then -18000, same wall-clock names): 12 files, none lost or doubled', async () => {
    const files = [-14_400, -18_000].flatMap((utcOffset, pass) =>
      Array.from({ length: 6 }, (_, index) => ({
        channel: 1,
        start: addWallSeconds('2026-11-01 01:00:00', index * 600),
        end: addWallSeconds('2026-11-01 01:00:00', index * 600 + 600),
        ext: 'mp4' as const,
        content: Buffer.alloc(5000 + pass * 100 + index, index + pass * 6),
        flags: ['Timing'],
        utcOffset,
        sequence: pass,
      })),
    );
    const { server, client } = await connect({ files });
    const dir = track(await makeTempDir());
    const result = await runRecordingsJob(client, { start: '2026-11-01T05:00:00Z', end: '2026-11-01T07:00:00Z', cameraTimeZone: 'America/New_York', merge: false, outputDir: dir.path, retryDelay: 0 });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ outcome: 'done', downloaded: 12, failed: 0 });
    const found = result.found!;
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(server.paths);
    expect(found.recordings.map((recording) => recording.start.toISOString())).toEqual(
      Array.from({ length: 12 }, (_, index) => new Date(Date.UTC(2026, 10, 1, 5, index * 10)).toISOString()),
    );
    expect(new Set(found.recordings.map((recording) => recording.fileName)).size).toBe(12);
    for (const outcome of result.outcomes) expect(sha256(await readFile(outcome.path))).toBe(sha256(server.files[server.paths.indexOf(outcome.recording.filePath)]!.content));
  });

  it('https with a self-signed certificate behind a port-80 redirect: followed with the CA, no credentials on http; refused without it', async () => {
    const certDir = track(await makeTempDir());
    const tls = await makeSelfSignedCert(certDir.path);
    const server = track(await startReferenceDahuaServer({ tls, files: cameraFiles(parts3()) }));
    const redirect = track(await startRedirectServer(server.url));
    const client = track(createAmcrestClient({ url: redirect.url, username: server.username, password: server.password, ca: tls.cert }));
    const found = await findRecordings(client, WINDOW);
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(expectedVideos(server));
    expect(redirect.requests.length).toBeGreaterThan(0);
    expect(redirect.requests.every((request) => !request.authorized)).toBe(true);
    expect(server.counters.badDigests).toBe(0);
    const dir = track(await makeTempDir());
    const [outcome] = await downloadRecordings(client, found.recordings.slice(0, 1), { directory: dir.path, retryDelay: 0 });
    expect(outcome?.status, outcome?.error?.message).toBe('downloaded');
    expect(sha256(await readFile(outcome!.path))).toBe(sha256(server.files[server.paths.indexOf(found.recordings[0]!.filePath)]!.content));

    server.resetCounters();
    const untrusting = track(createAmcrestClient({ url: server.url, username: server.username, password: server.password }));
    const error = await findRecordings(untrusting, WINDOW).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_NETWORK' });
    expect(server.requests).toHaveLength(0);
  });

  it('a redirect to another host name is refused before any request goes there', async () => {
    const target = track(await startReferenceDahuaServer({ files: cameraFiles(parts3()) }));
    const redirect = track(await startRedirectServer(target.url.replace('127.0.0.1', 'localhost')));
    const client = track(createAmcrestClient({ url: redirect.url, username: target.username, password: target.password }));
    const error = await findRecordings(client, WINDOW).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_REDIRECT' });
    expect(target.requests).toHaveLength(0);
  });

  it('channel 0 on a camera that also takes it: the same files', async () => {
    const { server, client } = await connect({ searchChannels: [0, 1], files: cameraFiles(tiny()) });
    const found = await findRecordings(client, { ...WINDOW, channel: 0 });
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(expectedVideos(server));
  });
});

describe('reference Dahua server: one recording per call (how camdl sync downloads)', () => {
  const track = closeAfterEach();

  it('the RPC_Loadfile path form learned on the first file is kept for the next calls with the same client', async () => {
    const server = track(await startReferenceDahuaServer({ loadfilePaths: 'encoded', files: cameraFiles([Buffer.from('a'.repeat(3000)), Buffer.from('b'.repeat(4000)), Buffer.from('c'.repeat(5000))]) }));
    const client = track(createAmcrestClient({ url: server.url, username: server.username, password: server.password }));
    const dir = track(await makeTempDir());
    const found = await findRecordings(client, WINDOW);
    for (const recording of found.recordings) {
      const [outcome] = await downloadRecordings(client, [recording], { directory: dir.path, maxConcurrent: 1, retryDelay: 0 });
      expect(outcome?.status, outcome?.error?.message).toBe('downloaded');
    }
    const refused = server.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status === 400);
    expect(refused).toHaveLength(1);
    expect([...server.counters.downloads.values()]).toEqual([1, 1, 1]);
  });
});
