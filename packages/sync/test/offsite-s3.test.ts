import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createTarget } from '@camdl/offsite';
import { findFreePort, sha256File, startFaultProxy, startS3Server, type S3Server } from '@camdl/test-utils';
import { renderSitesReport, sqliteAvailable, syncFleet, targetFleetStatus, withTargetSites } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, listFiles, startFleet, type TestFleet } from './fleet-helpers.js';
import { addTopLines, copiesOf, directoryTargets, treeHashes } from './offsite-helpers.js';

const isPart = (number: number) => (request: { method: string; url: string }) => request.method === 'PUT' && request.url.includes(`partNumber=${number}&`);

const FAST = { targetTuning: { retryDelayMs: 1, partSizeBytes: 5 * 1024 * 1024 } };

/** A `targets:` entry for the S3 server: the key id from the environment, the secret from a file. */
async function s3Target(fleet: TestFleet, server: S3Server, prefix: string, secret = server.secretAccessKey, endpoint = server.endpoint, keyId = server.accessKeyId): Promise<string[]> {
  const secretFile = join(fleet.dir.path, 'offsite.secret');
  await writeFile(secretFile, `${secret}\n`, { mode: 0o600 });
  fleet.env['OFFSITE_KEY_ID'] = keyId;
  return [
    '  - name: offsite',
    '    kind: s3',
    `    endpoint: ${endpoint}`,
    `    region: ${server.region}`,
    '    bucket: camdl',
    `    prefix: ${prefix}`,
    '    path-style: true',
    '    access-key-id-env: OFFSITE_KEY_ID',
    `    secret-access-key-file: ${secretFile}`,
    '    connections: 2',
  ];
}

function bucket(server: S3Server, prefix: string) {
  return createTarget({ kind: 's3', name: 'check', endpoint: server.endpoint, region: server.region, bucket: 'camdl', prefix, pathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, retryDelayMs: 1 });
}

describe.skipIf(!sqliteAvailable())('camdl sync with an S3 target (a real S3 server)', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function fleetOf(name: string, days: number, options: { size?: number } = {}): Promise<TestFleet> {
    const fleet = await startFleet([{ name, sim: { profile: 'timelapse3', content: { archives: dailyArchives(name, days, options) } }, extra: ['time-zone: UTC'] }]);
    closers.push(() => fleet.close());
    return fleet;
  }

  async function s3(): Promise<S3Server> {
    const server = await startS3Server();
    closers.push(() => server.close());
    return server;
  }

  it('a fleet synced to an S3 bucket and a folder: byte-identical objects with their sha256 stored, SHA256SUMS, the ledger snapshot; no secret anywhere', async () => {
    const server = await s3();
    const fleet = await startFleet([
      { name: 'north-gate', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('North_Gate', 2) } }, extra: ['time-zone: UTC'] },
      { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane_Cam', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] },
    ]);
    closers.push(() => fleet.close());
    const { lines, paths } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, [...lines, ...(await s3Target(fleet, server, 'site-a/'))]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(run.ofType('upload-failed')).toEqual([]);
    expect(result.outcome).toBe('ok');
    expect(result.summary.copies.map((copy) => [copy.target, copy.uploaded, copy.pending])).toEqual([
      ['usb', 4, 0],
      ['offsite', 4, 0],
    ]);
    const local = await treeHashes(fleet.archive);
    expect(await treeHashes(paths.get('usb')!)).toEqual(local);
    const objects = bucket(server, 'site-a/');
    closers.push(() => objects.close());
    const keys: string[] = [];
    for await (const object of objects.list('')) keys.push(object.key);
    expect(keys.sort()).toEqual([...local.keys(), '.camdl/ledger.sqlite'].sort());
    for (const [key, sha256] of local) {
      expect((await objects.hash(key)).sha256, key).toBe(sha256);
      if (!key.endsWith('SHA256SUMS')) expect((await objects.stat(key))?.sha256, key).toBe(sha256);
    }
    const snapshot = join(fleet.dir.path, 'snapshot.sqlite');
    await objects.get('.camdl/ledger.sqlite', snapshot);
    const ledger = Ledger.open(snapshot, { readOnly: true });
    try {
      expect(ledger.allRecordings().filter((row) => row.state === 'verified')).toHaveLength(4);
    } finally {
      ledger.close();
    }
    expect(copiesOf(fleet).filter((copy) => copy.target === 'offsite').every((copy) => copy.state === 'verified' && copy.uploadId === null)).toBe(true);
    // The secret is in no event, and not in the ledger nor its snapshot.
    expect(JSON.stringify(run.events)).not.toContain(server.secretAccessKey);
    expect((await readFile(fleet.config().ledger)).includes(server.secretAccessKey)).toBe(false);
    expect((await readFile(snapshot)).includes(server.secretAccessKey)).toBe(false);
  });

  it('two sites in one bucket: camdl status --target and the report read every site prefix', async () => {
    const server = await s3();
    const siteA = await fleetOf('gate', 2);
    const siteB = await fleetOf('yard', 3, {});
    await addTopLines(siteA, ['targets:', ...(await s3Target(siteA, server, 'site-a/'))]);
    await addTopLines(siteB, ['targets:', ...(await s3Target(siteB, server, 'site-b/'))]);
    expect((await syncFleet(siteA.config(), { env: siteA.env, ...FAST })).outcome).toBe('ok');
    expect((await syncFleet(siteB.config(), { env: siteB.env, ...FAST })).outcome).toBe('ok');
    // From site A's machine: both sites.
    const status = await targetFleetStatus(siteA.config(), 'offsite', { env: siteA.env, tuning: FAST.targetTuning });
    expect(status.sites.map((site) => [site.site, site.error, site.cameras.map((camera) => [camera.name, camera.channels[0]?.files, camera.copies.map((copy) => [copy.target, copy.verified, copy.pending])])])).toEqual([
      ['site-a/', undefined, [['gate', 2, [['offsite', 2, 0]]]]],
      ['site-b/', undefined, [['yard', 3, [['offsite', 3, 0]]]]],
    ]);
    const html = await withTargetSites(siteA.config(), 'offsite', (sites) => renderSitesReport('target offsite', sites), { env: siteA.env });
    expect(html).toContain('data-site="site-a/"');
    expect(html).toContain('data-site="site-b/"');
    expect(html).toContain('data-camera="gate"');
    expect(html).toContain('data-camera="yard"');
    expect(html).toMatch(/<tr data-target="offsite"><td>offsite<\/td><td class="n" data-col="verified">3<\/td>/);
  });

  it('an S3 endpoint that is down: the local archive complete, the copies pending, one line, exit 1; the next run with the store up completes them', async () => {
    const server = await s3();
    const fleet = await fleetOf('gate', 2);
    const closedPort = await findFreePort();
    await addTopLines(fleet, ['targets:', ...(await s3Target(fleet, server, 'site-a/', server.secretAccessKey, `http://127.0.0.1:${closedPort}`))]);
    const run = collect();
    const down = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(down.outcome).toBe('some-failed');
    expect(down.summary.cameras[0]).toMatchObject({ status: 'ok', downloaded: 2 });
    expect(run.ofType('target-down')).toMatchObject([{ target: 'offsite', code: 'ERR_OFFSITE_UNREACHABLE' }]);
    expect(run.ofType('upload-start')).toEqual([]);
    expect(down.summary.copies).toMatchObject([{ target: 'offsite', uploaded: 0, pending: 2 }]);
    const config = await readFile(fleet.configPath, 'utf8');
    await writeFile(fleet.configPath, config.replace(`http://127.0.0.1:${closedPort}`, server.endpoint));
    const next = collect();
    const up = await syncFleet(fleet.config(), { env: fleet.env, onEvent: next.onEvent, ...FAST });
    expect(up.outcome).toBe('ok');
    expect(next.ofType('file-done')).toEqual([]);
    expect(next.ofType('upload-done')).toHaveLength(2);
  });

  it('a store that keeps failing (5xx after the retries of the library): three failed copies in a row and the target is left alone for the run', async () => {
    const server = await s3();
    const proxy = await startFaultProxy(server.port);
    closers.push(() => proxy.close());
    const fleet = await fleetOf('gate', 5);
    await addTopLines(fleet, ['targets:', ...(await s3Target(fleet, server, 'site-a/', server.secretAccessKey, proxy.origin)).map((line) => line.replace('connections: 2', 'connections: 1'))]);
    const isPut = (request: { method: string; url: string }): boolean => request.method === 'PUT' && !request.url.includes('SHA256SUMS');
    proxy.inject(isPut, { kind: 'status', status: 500, code: 'InternalError' }, 100);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, targetTuning: { ...FAST.targetTuning, attempts: 2 } });
    expect(result.outcome).toBe('some-failed');
    expect(run.ofType('upload-failed').map((event) => event.code)).toEqual(['ERR_OFFSITE_SERVER', 'ERR_OFFSITE_SERVER', 'ERR_OFFSITE_SERVER']);
    expect(run.ofType('target-down')).toMatchObject([{ target: 'offsite', code: 'ERR_OFFSITE_SERVER' }]);
    // Two attempts for each of three files, then nothing more.
    expect(proxy.requests.filter(isPut)).toHaveLength(6);
    expect(result.summary.copies).toMatchObject([{ target: 'offsite', uploaded: 0, failed: 3, pending: 5 }]);
  });

  it('a target never gets more than its connections requests at once from a sync', async () => {
    const server = await s3();
    const proxy = await startFaultProxy(server.port);
    closers.push(() => proxy.close());
    const fleet = await fleetOf('gate', 3, { size: 11 * 1024 * 1024 });
    await addTopLines(fleet, ['targets:', ...(await s3Target(fleet, server, 'site-a/', server.secretAccessKey, proxy.origin))]);
    const isPut = (request: { method: string; url: string }): boolean => request.method === 'PUT';
    // Every upload request stalls: the requests the proxy holds are the ones in flight at once.
    proxy.inject(isPut, { kind: 'stall' }, 1000);
    const stop = new AbortController();
    const running = syncFleet(fleet.config(), { env: fleet.env, signal: stop.signal, ...FAST });
    for (let waited = 0; proxy.requests.filter(isPut).length < 2 && waited < 10_000; waited += 10) await sleep(10);
    // Time for any further request to show up, had one been sent.
    await sleep(300);
    expect(proxy.requests.filter(isPut)).toHaveLength(2);
    stop.abort();
    expect((await running).outcome).toBe('interrupted');
  });

  it('wrong credentials: one refused request per run, one line naming the target, the local archive complete, exit 1; no secret shown', async () => {
    const server = await s3();
    const fleet = await fleetOf('gate', 2);
    const wrong = 'Wr0ngSecretWr0ngSecretWr0ngSecret';
    // s3rver checks the access key id, not the signature: a wrong key id is the refusal it gives.
    await addTopLines(fleet, ['targets:', ...(await s3Target(fleet, server, 'site-a/', wrong, server.endpoint, 'AKWRONGWRONGWRONG'))]);
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const before = (await server.settledRequests()).length;
      const run = collect();
      const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
      expect(result.outcome).toBe('some-failed');
      expect((await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(2);
      const down = run.ofType('target-down');
      expect(down).toHaveLength(1);
      expect(down[0]).toMatchObject({ target: 'offsite', code: 'ERR_OFFSITE_AUTH' });
      expect(down[0]!.message).toMatch(/^target "offsite"/);
      expect(run.ofType('upload-start')).toEqual([]);
      const requests = (await server.settledRequests()).slice(before);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.status).toBe(403);
      expect(JSON.stringify(run.events)).not.toContain(wrong);
      expect(result.summary.copies[0]).toMatchObject({ target: 'offsite', uploaded: 0, pending: 2 });
    }
  });

  it('a multipart upload cut off mid-way keeps its upload id in the ledger; the next run resumes it without re-sending the parts the server has', async () => {
    const server = await s3();
    const proxy = await startFaultProxy(server.port);
    closers.push(() => proxy.close());
    const fleet = await fleetOf('gate', 1, { size: 11 * 1024 * 1024 + 4321 });
    await addTopLines(fleet, ['targets:', ...(await s3Target(fleet, server, 'site-a/', server.secretAccessKey, proxy.origin))]);
    // Part 2 answers SlowDown to every attempt of this run.
    proxy.inject(isPart(2), { kind: 'status', status: 503, code: 'SlowDown' }, 2);
    const first = collect();
    const cut = await syncFleet(fleet.config(), { env: fleet.env, onEvent: first.onEvent, targetTuning: { ...FAST.targetTuning, attempts: 2 } });
    expect(cut.outcome).toBe('some-failed');
    expect(first.ofType('file-done')).toHaveLength(1);
    expect(first.ofType('upload-failed')).toMatchObject([{ target: 'offsite', code: 'ERR_OFFSITE_THROTTLED' }]);
    const saved = copiesOf(fleet).find((copy) => copy.target === 'offsite')!;
    expect(saved).toMatchObject({ state: 'failed', attempts: 1 });
    expect(saved.uploadId).toMatch(/^[0-9a-f]+$/);
    expect(proxy.requests.filter(isPart(1)).map((request) => request.outcome)).toEqual(['forwarded']);

    const second = collect();
    const resumed = await syncFleet(fleet.config(), { env: fleet.env, onEvent: second.onEvent, ...FAST });
    expect(resumed.outcome).toBe('ok');
    expect(second.ofType('upload-start')).toMatchObject([{ target: 'offsite', resume: true }]);
    const done = second.ofType('upload-done');
    expect(done).toMatchObject([{ target: 'offsite', status: 'resumed' }]);
    expect(done[0]!.partsReused).toBeGreaterThanOrEqual(1);
    // Part 1 was on the server: never sent again.
    expect(proxy.requests.filter(isPart(1)).map((request) => request.outcome)).toEqual(['forwarded']);
    expect(copiesOf(fleet).find((copy) => copy.target === 'offsite')).toMatchObject({ state: 'verified', uploadId: null });
    const objects = bucket(server, 'site-a/');
    closers.push(() => objects.close());
    const key = (await listFiles(fleet.archive)).find((file) => !file.endsWith('SHA256SUMS'))!;
    expect((await objects.hash(key)).sha256).toBe(await sha256File(join(fleet.archive, key)));
  });

  it('an upload that can no longer finish (its camera no longer copies to the target) is aborted on the target', async () => {
    const server = await s3();
    const proxy = await startFaultProxy(server.port);
    closers.push(() => proxy.close());
    const fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { size: 11 * 1024 * 1024 }) } }, extra: ['time-zone: UTC'] },
      { name: 'yard', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Yard', 1) } }, extra: ['time-zone: UTC'] },
    ]);
    closers.push(() => fleet.close());
    await addTopLines(fleet, ['targets:', ...(await s3Target(fleet, server, 'site-a/', server.secretAccessKey, proxy.origin))]);
    proxy.inject(isPart(2), { kind: 'status', status: 503, code: 'SlowDown' }, 2);
    expect((await syncFleet(fleet.config(), { env: fleet.env, targetTuning: { ...FAST.targetTuning, attempts: 2 } })).outcome).toBe('some-failed');
    const saved = copiesOf(fleet).find((copy) => copy.target === 'offsite' && copy.key.startsWith('gate/'))!;
    expect(saved.uploadId).toMatch(/^[0-9a-f]+$/);
    // The camera no longer copies to the target: the unfinished upload would only cost money.
    const config = await readFile(fleet.configPath, 'utf8');
    await writeFile(fleet.configPath, config.replace('    password-env: CAMDL_TEST_GATE_PASSWORD\n', '    password-env: CAMDL_TEST_GATE_PASSWORD\n    targets: []\n'));
    const run = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST })).outcome).toBe('ok');
    expect(run.ofType('upload-aborted')).toEqual([{ type: 'upload-aborted', target: 'offsite', path: saved.key }]);
    expect(proxy.requests.filter((request) => request.method === 'DELETE' && request.url.includes(`uploadId=${saved.uploadId}`)).map((request) => request.outcome)).toEqual(['forwarded']);
    expect(copiesOf(fleet).find((copy) => copy.key === saved.key && copy.target === 'offsite')).toMatchObject({ uploadId: null });
  });
});
