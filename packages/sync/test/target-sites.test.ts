import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTarget, type OffsiteTarget } from '@camdl/offsite';
import { closeAfterEach, findSystemTool, makeTempDir, s3TargetLines, startS3Server, type S3Server } from '@camdl/test-utils';
import { loadConfig, sqliteAvailable, withTargetSites, type FleetConfig } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';

const SNAPSHOT_SITES = ['site-a/', 'site-b/', 'customers/acme/site-c/'];

/** Stores `content` at `key` through the library, as a sync would. */
async function putBytes(target: OffsiteTarget, folder: string, key: string, content: Buffer): Promise<void> {
  const file = join(folder, 'upload.bin');
  await writeFile(file, content);
  await target.put(file, key, { size: content.length, sha256: createHash('sha256').update(content).digest('hex'), ifExists: 'replace' });
}

/** A target's worth of sites: a snapshot (an empty ledger) per site, `recordings` recordings per site, and an archive folder without a snapshot. */
async function fillTarget(target: OffsiteTarget, folder: string, recordings: number, first = 0): Promise<void> {
  const snapshot = join(folder, 'snapshot.sqlite');
  if (first === 0) {
    Ledger.open(snapshot).close();
    for (const site of SNAPSHOT_SITES) await putBytes(target, folder, `${site}.camdl/ledger.sqlite`, await readFile(snapshot));
    await putBytes(target, folder, 'README.txt', Buffer.from('what this bucket holds\n'));
  }
  for (let index = first; index < first + recordings; index += 1) {
    const name = `clip-${String(index).padStart(4, '0')}.mp4`;
    for (const site of [...SNAPSHOT_SITES, 'loose/']) await putBytes(target, folder, `${site}gate/2026-03-0${(index % 3) + 1}/${name}`, Buffer.from(`${site}${name}`));
  }
}

async function configFor(folder: string, targetLines: readonly string[]): Promise<FleetConfig> {
  const file = join(folder, 'camdl.yaml');
  await writeFile(file, ['archive: ./archive', 'targets:', ...targetLines, 'cameras:', '  - name: gate', '    kind: timelapse', '    host: http://127.0.0.1:9', '    username: admin', '    password-env: GATE_PASSWORD', ''].join('\n'));
  return loadConfig(file);
}

const sitesOf = (config: FleetConfig, name: string, env: NodeJS.ProcessEnv = {}) =>
  withTargetSites(config, name, (sites) => sites.map((site) => [site.site, site.error, site.ledger !== undefined]), { env, tuning: { retryDelayMs: 1 } });

/** The bucket listings the server answered (GET on the bucket itself). */
const listings = (server: S3Server) => server.settledRequests().then((requests) => requests.filter((request) => request.method === 'GET' && /^\/camdl\/?\?/.test(request.url)));

describe.skipIf(!sqliteAvailable())('the sites of a target (status --target, report --target)', () => {
  const track = closeAfterEach();

  it('on S3, the listings reach each snapshot without listing the recordings: more recordings, the same requests', async () => {
    // Pages of 5 keys: a listing of the recordings would take a request per 5 of them.
    const server = track(await startS3Server({ listObjects: { pageSize: 5 } }));
    const work = track(await makeTempDir('camdl-sites-s3-'));
    const bucket = track(createTarget({ kind: 's3', name: 'fill', endpoint: server.endpoint, region: server.region, bucket: 'camdl', pathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, retryDelayMs: 1 }));
    await fillTarget(bucket, work.path, 6);
    const config = await configFor(work.path, [...s3TargetLines(server, { prefix: 'site-a/' }), '    access-key-id-env: OFFSITE_KEY_ID', '    secret-access-key-env: OFFSITE_SECRET']);
    const env = { OFFSITE_KEY_ID: server.accessKeyId, OFFSITE_SECRET: server.secretAccessKey };
    const expected = [
      ['customers/acme/site-c/', undefined, true],
      ['site-a/', undefined, true],
      ['site-b/', undefined, true],
    ];

    let before = (await listings(server)).length;
    expect(await sitesOf(config, 'offsite', env)).toEqual(expected);
    const few = (await listings(server)).slice(before);
    await fillTarget(bucket, work.path, 30, 6);
    before = (await listings(server)).length;
    expect(await sitesOf(config, 'offsite', env)).toEqual(expected);
    const many = (await listings(server)).slice(before);
    // 24 recordings, then 144: a listing of them would take 6, then 30 pages of 5.
    expect(many.length).toBe(few.length);
    // Nothing below a site's own folder is listed but its snapshot.
    expect(many.filter((request) => /prefix=site-a%2F(?!\.camdl%2Fledger\.sqlite)/.test(request.url))).toEqual([]);
  });

  it('on a directory and through rclone, only the snapshot folders are listed recursively, the folders on the way to them alone', async () => {
    const rclone = findSystemTool('rclone');
    const work = track(await makeTempDir('camdl-sites-dir-'));
    const root = join(work.path, 'usb');
    await mkdir(root);
    await fillTarget(createTarget({ kind: 'directory', name: 'fill', path: root, fsync: false }), work.path, 3);
    const expected = [
      ['customers/acme/site-c/', undefined, true],
      ['site-a/', undefined, true],
      ['site-b/', undefined, true],
    ];
    const directory = await configFor(work.path, ['  - name: usb', '    kind: directory', `    path: ${root}`]);
    expect(await sitesOf(directory, 'usb')).toEqual(expected);
    if (rclone === undefined) return;

    // An rclone on PATH that records each call's arguments, then runs the real one.
    const bin = join(work.path, 'bin');
    const calls = join(work.path, 'calls.txt');
    await mkdir(bin);
    await writeFile(join(bin, 'rclone'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${calls}"\nexec ${rclone} "$@"\n`, { mode: 0o755 });
    const remote = await configFor(work.path, ['  - name: nas', '    kind: rclone', `    remote: "loc:${root}"`]);
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}:${path ?? ''}`;
    try {
      expect(await sitesOf(remote, 'nas', { RCLONE_CONFIG_LOC_TYPE: 'local' })).toEqual(expected);
    } finally {
      process.env['PATH'] = path;
    }
    const listed = (await readFile(calls, 'utf8')).trim().split('\n').filter((line) => line.startsWith('lsjson '));
    const recursive = listed.filter((line) => / -R /.test(line)).map((line) => line.split(' ').find((word) => word.startsWith('loc:')));
    expect(recursive.length).toBeGreaterThan(0);
    for (const folder of recursive) expect(folder).toMatch(/\/\.camdl\/$/);
    // The recordings' folders (gate/2026-03-0N/) of the sites are never listed at all.
    expect(listed.filter((line) => /\/(site-[abc])\/gate/.test(line))).toEqual([]);
  });
});
