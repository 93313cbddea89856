import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File, type TempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { assignLocalNames, createTimelapseClient, downloadArchives, type ArchiveRunEvent, type TimelapseClient } from '@camdl/axis-timelapse2';

const track = closeAfterEach();

type Profile = 'timelapse2-v1' | 'timelapse3' | 'timelapse3-v3.0' | 'timelapse3-v3.1.2' | 'timelapseme';

async function setup(profile: Profile, content: 'demo' | 'tiny' = 'demo', version?: string): Promise<{ sim: CameraSim; dir: TempDir; client: TimelapseClient }> {
  const sim = track(await startCameraSim({ profile, content, ...(version === undefined ? {} : { timelapse: { version } }) }));
  const dir = track(await makeTempDir('camdl-t2-'));
  const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, timeout: 5000 }));
  return { sim, dir, client };
}

describe('API detection', () => {
  it.each([['timelapse2-v1'], ['timelapse3'], ['timelapseme']] as const)('detects %s', async (profile) => {
    const { sim, client } = await setup(profile, 'tiny');
    expect((await client.detectApi()).api).toBe(profile);
    const listing = await client.listArchives();
    expect(listing.archives.map((archive) => archive.filename).sort()).toEqual(sim.archives.map((archive) => archive.filename).sort());
  });
});

/** The app compares the raw, undecoded query text (1.x, and 3.0.0–3.1.2 before parameter decoding came in 3.1.3). */
const rawQuery = (profile: Profile): boolean => profile === 'timelapse2-v1' || profile === 'timelapse3-v3.0' || profile === 'timelapse3-v3.1.2';

describe('downloads every archive byte-identical under safe names', () => {
  it.each([['timelapse2-v1'], ['timelapse3'], ['timelapse3-v3.0'], ['timelapse3-v3.1.2'], ['timelapseme']] as const)('%s', async (profile) => {
    const { sim, dir, client } = await setup(profile);
    const listing = await client.listArchives();
    const events: ArchiveRunEvent[] = [];
    const summary = await downloadArchives(client, listing.archives, { outdir: dir.path, rateLimitMbps: 0, onEvent: (event) => events.push(event) });
    const names = assignLocalNames(listing.archives);
    const failed = events.filter((event) => event.type === 'fail').map((event) => event.item.filename);
    // 1.x and 3.0.0–3.1.2 cannot be asked for names with & or # (they compare the raw query text):
    // reported, not guessed.
    const expectedFailures = rawQuery(profile) ? sim.archives.filter((archive) => /[&#]/.test(archive.filename)).map((a) => a.filename) : [];
    // Non-ASCII names on 1.x go out as raw UTF-8 (also proven against real Apache + mod_auth_digest in
    // apache-v1-encoding.test.ts).
    expect(failed.sort()).toEqual(expectedFailures.sort());
    for (const event of events) if (event.type === 'fail') expect(event.error).toMatchObject({ code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME' });
    expect(summary).toMatchObject({ downloaded: sim.archives.length - expectedFailures.length, failed: expectedFailures.length, skipped: 0 });
    for (const archive of sim.archives) {
      if (expectedFailures.includes(archive.filename)) continue;
      const local = names.get(`${archive.id}\u0000${archive.filename}`);
      expect(local, archive.filename).toBeDefined();
      expect(await sha256File(join(dir.path, local!)), archive.filename).toBe(archive.sha256);
    }
    const files = await readdir(dir.path);
    expect(files.filter((file) => file.endsWith('.part'))).toEqual([]);
    expect(files).toContain("O'Brien's_Shop_2025_09_30_0000." + (profile.startsWith('timelapse3') ? 'mp4' : 'avi'));
    expect(files.some((file) => file.startsWith('Café_Zürich'))).toBe(true);
    // "Gate:East" and "Gate_East" both map to Gate_East: two files, neither overwritten.
    expect(files.filter((file) => file.startsWith('Gate_East')).length).toBe(2);
    // Re-run: everything skipped, no download request.
    const downloadsBefore = sim.counters.requests['download'] ?? 0;
    const again = await downloadArchives(client, listing.archives, { outdir: dir.path });
    expect(again).toMatchObject({ downloaded: 0, skipped: sim.archives.length - expectedFailures.length });
    expect(sim.counters.requests['download'] ?? 0).toBe(downloadsBefore);
    expect(sim.counters.peakConcurrentRequests).toBe(1);
  });
});

describe('check-size', () => {
  it.each([['timelapse2-v1'], ['timelapse3']] as const)('repairs a truncated file on %s without HEAD', async (profile) => {
    const { sim, dir, client } = await setup(profile, 'tiny');
    const listing = await client.listArchives();
    await downloadArchives(client, listing.archives, { outdir: dir.path });
    const target = listing.archives[0]!;
    const path = join(dir.path, target.filename);
    const full = await readFile(path);
    await writeFile(path, full.subarray(0, 1000));
    const events: ArchiveRunEvent[] = [];
    const summary = await downloadArchives(client, listing.archives, { outdir: dir.path, existing: 'check-size', onEvent: (event) => events.push(event) });
    expect(summary).toMatchObject({ downloaded: 1, skipped: 1, failed: 0 });
    expect(events.find((event) => event.type === 'size-mismatch')).toMatchObject({ localSize: 1000, remoteSize: full.length });
    expect(events.find((event) => event.type === 'skip')).toMatchObject({ reason: 'size-matches' });
    expect((await stat(path)).size).toBe(full.length);
    expect(await sha256File(path)).toBe(sim.archives.find((archive) => archive.filename === target.filename)!.sha256);
    expect(sim.counters.requestsByMethod['HEAD download'] ?? 0).toBe(0);
  });
});

describe('robust detection and listing', () => {
  it('3.x "503 Service is still starting": detection and listing are retried after retryDelay', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny', timelapse: { startingRequests: 3 } }));
    const waits: number[] = [];
    const warnings: string[] = [];
    const client = track(createTimelapseClient({
      baseUrl: sim.url,
      username: sim.username,
      password: sim.password,
      retryDelay: 1234,
      sleep: async (ms) => void waits.push(ms),
      onWarning: (message) => warnings.push(message),
    }));
    const listing = await client.listArchives();
    expect(listing.api).toBe('timelapse3');
    expect(listing.archives.length).toBe(sim.archives.length);
    expect(waits).toEqual([1234, 1234, 1234]);
    expect(warnings[0]).toMatch(/app: HTTP 503 \(Service is still starting\), retrying/);
  });

  it.each([['auto'], ['timelapse2']] as const)('GET app is 404 (--api %s): told apart by the archive list', async (api) => {
    const { sim } = await setup('timelapse3', 'tiny');
    sim.addFault({ route: 'app', kind: 'status', status: 404, body: 'Not Found' });
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, api }));
    const listing = await client.listArchives();
    expect(listing.api).toBe('timelapse3');
    expect(listing.archives.length).toBe(sim.archives.length);
    expect(sim.counters.requests['archive']).toBe(1);
  });

  it('gives up after maxRetries 5xx answers with ERR_TIMELAPSE_HTTP_STATUS', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny', timelapse: { startingRequests: 100 } }));
    let waits = 0;
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, maxRetries: 2, sleep: async () => void waits++ }));
    await expect(client.listArchives()).rejects.toMatchObject({ code: 'ERR_TIMELAPSE_HTTP_STATUS', status: 503 });
    expect(waits).toBe(2);
  });

  it.each([
    ['timelapse2-v1', 'an HTML page', '<html><body>Not here</body></html>'],
    ['timelapse3', 'an HTML page', '<!DOCTYPE html><html></html>'],
    ['timelapse3', 'no version', '{"manifest":{}}'],
  ] as const)('%s: GET app answers %s → told apart by the archive list (asked once)', async (profile, _label, body) => {
    const { sim } = await setup(profile, 'tiny');
    sim.addFault({ route: 'app', kind: 'status', status: 200, body });
    const warnings: string[] = [];
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, onWarning: (m) => warnings.push(m) }));
    const listing = await client.listArchives();
    expect(listing.api).toBe(profile);
    expect(listing.archives.length).toBe(sim.archives.length);
    expect(warnings.join('\n')).toMatch(/taking Timelapse/);
    expect(sim.counters.requests['archive']).toBe(1);
  });
});

describe('long runs', () => {
  it('a nonce that turns stale between files (401 stale=true) is renewed silently', async () => {
    let clock = Date.now();
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny', now: () => clock, digest: { nonceLifetimeMs: 300_000 } }));
    const dir = track(await makeTempDir('camdl-t2-'));
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password }));
    const listing = await client.listArchives();
    const events: ArchiveRunEvent[] = [];
    const summary = await downloadArchives(client, listing.archives, {
      outdir: dir.path,
      maxRetries: 0,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'done') clock += 6 * 60_000; // each file "takes" six minutes
      },
    });
    expect(summary).toMatchObject({ downloaded: listing.archives.length, failed: 0 });
    expect(sim.counters.staleChallenges).toBeGreaterThanOrEqual(1);
    expect(sim.counters.authFailures).toBe(0);
    expect(events.filter((event) => ['retry', 'resume', 'restart', 'size-mismatch', 'expected-size-differs'].includes(event.type))).toEqual([]);
  });
});

describe('keep-alive', () => {
  it('the next file is asked for on the same connection while the camera still finishes the last one: no error', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny', faults: [{ route: 'download', kind: 'slow', bytesPerSec: 40_000 }] }));
    const dir = track(await makeTempDir('camdl-t2-'));
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password }));
    const listing = await client.listArchives();
    const summary = await downloadArchives(client, listing.archives, { outdir: dir.path, maxRetries: 0 });
    expect(summary).toMatchObject({ downloaded: listing.archives.length, failed: 0 });
    expect(sim.counters.requestsByMethod['GET download']).toBe(listing.archives.length);
  });
});

describe('errors', () => {
  it('TimelapseMe, wrong password: ERR_DIGEST_BAD_CREDENTIALS after one try, detection included', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapseme', content: 'tiny' }));
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: 'wrong', timeout: 5000 }));
    await expect(client.listArchives()).rejects.toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS' });
    expect(sim.counters.authFailures).toBe(1);
  });

  it('wrong password: ERR_DIGEST_BAD_CREDENTIALS after one try', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny' }));
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: 'wrong', timeout: 5000 }));
    await expect(client.listArchives()).rejects.toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS' });
    expect(sim.counters.authFailures).toBe(1);
  });

  it('closed port: ERR_TIMELAPSE_NETWORK', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny' }));
    const url = sim.url;
    await sim.close();
    const client = track(createTimelapseClient({ baseUrl: url, username: 'a', password: 'b', timeout: 2000 }));
    await expect(client.listArchives()).rejects.toMatchObject({ code: 'ERR_TIMELAPSE_NETWORK' });
  });

  it('malformed listing: ERR_TIMELAPSE_BAD_RESPONSE', async () => {
    const { sim, client } = await setup('timelapse3', 'tiny');
    sim.addFault({ route: 'archive', kind: 'status', status: 200, body: '[{"id":"x","filename":' });
    await expect(client.listArchives()).rejects.toMatchObject({ code: 'ERR_TIMELAPSE_BAD_RESPONSE' });
  });
});

describe('Timelapse 3.0.0–3.1.2 (raw query text; Range from 3.1.1)', () => {
  it.each([['timelapse3-v3.0'], ['timelapse3-v3.1.2']] as const)('%s: the reason names the version for a name no spelling reaches', async (profile) => {
    const { client } = await setup(profile);
    const { archives, version } = await client.listArchives();
    expect(version).toMatch(/^3\.(0\.\d+|1\.2)$/);
    const unreachable = archives.find((archive) => archive.filename.includes('&'))!;
    await expect(client.archiveRequest(unreachable)).rejects.toMatchObject({
      code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME',
      message: expect.stringMatching(/"&".*Timelapse 3\.0\.0–3\.1\.2/),
    });
  });

  it.each([['timelapse3-v3.0'], ['timelapse3-v3.1.2']] as const)('%s: an interrupted file resumes only where Range is served (3.1.1+)', async (profile) => {
    const { sim, dir, client } = await setup(profile, 'tiny');
    const { archives } = await client.listArchives();
    const archive = archives[0]!;
    const destination = join(dir.path, 'a.mp4');
    // A first run stopped part-way (as Ctrl+C twice would).
    sim.addFault({ route: 'download', match: archive.filename, kind: 'slow', bytesPerSec: 8_000, times: 1 });
    const stop = new AbortController();
    await expect(
      client.downloadArchive(archive, destination, { maxRetries: 0, signal: stop.signal, progressInterval: 0, onProgress: (progress) => progress.bytes >= 4_000 && stop.abort() }),
    ).rejects.toThrow();
    const rangeStarts: number[] = [];
    const result = await client.downloadArchive(archive, destination, {
      maxRetries: 0,
      onEvent: (event) => {
        if (event.type === 'request') rangeStarts.push(event.rangeStart);
      },
    });
    expect(result.status).toBe(profile === 'timelapse3-v3.0' ? 'downloaded' : 'resumed');
    // 3.0.x: no Range request is even tried.
    if (profile === 'timelapse3-v3.0') expect(rangeStarts).toEqual([0]);
    else expect(rangeStarts[0]).toBeGreaterThan(0);
    expect(await sha256File(destination)).toBe(sim.archives[0]!.sha256);
  });

  it("GET app without a version: the percent-encoded spelling first, then the raw one; the working one is kept, also for delete", async () => {
    const { sim, dir, client } = await setup('timelapse3-v3.0', 'demo', '');
    const listing = await client.listArchives();
    expect(listing.version).toBeUndefined();
    const archive = listing.archives.find((entry) => entry.filename.startsWith("O'Brien"))!;
    const result = await client.downloadArchive(archive, join(dir.path, 'o.mp4'), { maxRetries: 0 });
    expect(result.status).toBe('downloaded');
    await client.deleteArchive(archive);
    expect(sim.archives.some((entry) => entry.filename === archive.filename)).toBe(false);
  });
});

describe('delete after download', () => {
  it.each([['timelapse3-v3.0'], ['timelapse2-v1']] as const)('%s: --delete-after deletes by the spelling that downloaded', async (profile) => {
    const { sim, dir, client } = await setup(profile);
    const listing = await client.listArchives();
    const wanted = listing.archives.filter((archive) => /O'Brien|Café/.test(archive.filename));
    const summary = await downloadArchives(client, wanted, { outdir: dir.path, deleteAfter: true, maxRetries: 0 });
    expect(summary).toMatchObject({ downloaded: 2, failed: 0, deleted: 2 });
    expect(sim.archives.filter((archive) => /O'Brien|Café/.test(archive.filename))).toEqual([]);
  });


  it('deletes only verified archives', async () => {
    const { sim, dir, client } = await setup('timelapse3', 'tiny');
    const listing = await client.listArchives();
    sim.addFault({ route: 'download', match: listing.archives[1]!.filename, kind: 'status', status: 404 });
    const summary = await downloadArchives(client, listing.archives, { outdir: dir.path, deleteAfter: true, maxRetries: 0 });
    expect(summary).toMatchObject({ downloaded: 1, failed: 1, deleted: 1 });
    expect(sim.archives.map((archive) => archive.filename)).toEqual([listing.archives[1]!.filename]);
  });
});
