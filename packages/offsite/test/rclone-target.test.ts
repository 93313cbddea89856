import { execFileSync } from 'node:child_process';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, findSystemTool, makeTempDir, sha256, startWebDavServer, type WebDavServer } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget, isOffsiteError, type RcloneTargetOptions } from '@camdl/offsite';
import { allFiles, MIB, writeLocalFile } from './helpers.js';

const track = closeAfterEach();
const rclone = findSystemTool('rclone');

/** A webdav remote named "nas", defined only by environment variables (the password obscured, as rclone wants it). */
function rcloneOptions(server: WebDavServer, overrides: Partial<RcloneTargetOptions> = {}, password = server.password): RcloneTargetOptions {
  const obscured = execFileSync('rclone', ['obscure', '-'], { input: password, encoding: 'utf8' }).trim();
  return {
    kind: 'rclone',
    name: 'nas',
    remote: 'nas:cameras',
    env: {
      RCLONE_CONFIG_NAS_TYPE: 'webdav',
      RCLONE_CONFIG_NAS_URL: server.url,
      RCLONE_CONFIG_NAS_VENDOR: 'other',
      RCLONE_CONFIG_NAS_USER: server.username,
      RCLONE_CONFIG_NAS_PASS: obscured,
    },
    retryDelayMs: 1,
    timeoutMs: 20_000,
    ...overrides,
  };
}


describe.skipIf(rclone === undefined)('rclone target against a real WebDAV server (Apache mod_dav)', () => {
  it('uploads, verifies by reading back, stats, lists, hashes and gets', async () => {
    const server = track(await startWebDavServer());
    const work = track(await makeTempDir('camdl-offsite-rclone-'));
    const target = track(createTarget(rcloneOptions(server)));
    const first = await writeLocalFile(work.path, 'a.mp4', 3 * MIB + 5, 1);
    const second = await writeLocalFile(work.path, 'b.mp4', 1000, 2);
    const progress: number[] = [];
    expect(await target.put(first.path, 'north/2026-05-01/a.mp4', { size: first.size, sha256: first.sha256, onProgress: ({ bytes }) => progress.push(bytes) })).toEqual({
      status: 'uploaded',
      size: first.size,
      sha256: first.sha256,
      partsReused: 0,
    });
    expect(progress.at(-1)).toBe(first.size);
    await target.check();
    await target.put(second.path, 'north/2026-05-02/b.mp4', { size: second.size, sha256: second.sha256 });
    expect(await allFiles(server.directory)).toEqual(['cameras/north/2026-05-01/a.mp4', 'cameras/north/2026-05-02/b.mp4']);
    expect(sha256(await readFile(join(server.directory, 'cameras/north/2026-05-01/a.mp4')))).toBe(first.sha256);
    expect(await target.stat('north/2026-05-01/a.mp4')).toMatchObject({ key: 'north/2026-05-01/a.mp4', size: first.size });
    expect(await target.stat('north/2026-05-01/zz.mp4')).toBeUndefined();
    expect(await target.stat('west/zz.mp4')).toBeUndefined();
    const keys: string[] = [];
    for await (const object of target.list('north/')) keys.push(object.key);
    expect(keys).toEqual(['north/2026-05-01/a.mp4', 'north/2026-05-02/b.mp4']);
    const none: string[] = [];
    for await (const object of target.list('west/')) none.push(object.key);
    expect(none).toEqual([]);
    expect(await target.hash('north/2026-05-01/a.mp4')).toEqual({ size: first.size, sha256: first.sha256 });
    const restored = join(work.path, 'restore/a.mp4');
    await target.get('north/2026-05-01/a.mp4', restored, { expectedSha256: first.sha256 });
    expect(sha256(await readFile(restored))).toBe(first.sha256);
    await expect(target.get('north/2026-05-01/a.mp4', join(work.path, 'restore/bad.mp4'), { expectedSha256: 'b'.repeat(64) })).rejects.toMatchObject({ code: 'ERR_OFFSITE_VERIFY' });
    await expect(readdir(join(work.path, 'restore'))).resolves.toEqual(['a.mp4']);
    await expect(target.hash('north/none.mp4')).rejects.toMatchObject({ code: 'ERR_OFFSITE_NOT_FOUND' });
    expect(target.description).toBe('rclone nas:cameras');
  });

  it('a key with characters that need escaping (space, %, #, ?, +, quotes, non-ASCII) keeps its name end to end', async () => {
    const server = track(await startWebDavServer());
    const work = track(await makeTempDir('camdl-offsite-rclone-'));
    const target = track(createTarget(rcloneOptions(server)));
    const file = await writeLocalFile(work.path, 'a.mp4', 1000, 5);
    const key = "north gate/2026-03-29/a+b %25 c&d=e#f?g~é (1)'!*.mp4";
    expect((await target.put(file.path, key, { size: file.size, sha256: file.sha256 })).status).toBe('uploaded');
    expect(await allFiles(server.directory)).toEqual([`cameras/${key}`]);
    expect(await target.stat(key)).toMatchObject({ key, size: file.size });
    const keys: string[] = [];
    for await (const object of target.list('north gate/')) keys.push(object.key);
    expect(keys).toEqual([key]);
    expect(await target.hash(key)).toEqual({ size: file.size, sha256: file.sha256 });
    expect((await target.put(file.path, key, { size: file.size, sha256: file.sha256 })).status).toBe('already-there');
  });

  it('leaves other content alone, answers the same content as already-there, replaces when asked', async () => {
    const server = track(await startWebDavServer());
    const work = track(await makeTempDir('camdl-offsite-rclone-'));
    const target = track(createTarget(rcloneOptions(server)));
    const theirs = await writeLocalFile(work.path, 'theirs.mp4', 2000, 3);
    const ours = await writeLocalFile(work.path, 'ours.mp4', 2000, 4);
    await target.put(theirs.path, 'cam/a.mp4', { size: theirs.size, sha256: theirs.sha256 });
    const error = await target.put(ours.path, 'cam/a.mp4', { size: ours.size, sha256: ours.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFLICT')).toBe(true);
    expect(sha256(await readFile(join(server.directory, 'cameras/cam/a.mp4')))).toBe(theirs.sha256);
    expect((await target.put(theirs.path, 'cam/a.mp4', { size: theirs.size, sha256: theirs.sha256 })).status).toBe('already-there');
    expect((await target.put(ours.path, 'cam/a.mp4', { size: ours.size, sha256: ours.sha256, ifExists: 'replace' })).status).toBe('uploaded');
    expect(sha256(await readFile(join(server.directory, 'cameras/cam/a.mp4')))).toBe(ours.sha256);
    // A local file that no longer matches its sha256: nothing stored, no temporary file left.
    await writeFile(ours.path, Buffer.alloc(2000, 9));
    await expect(target.put(ours.path, 'cam/b.mp4', { size: ours.size, sha256: ours.sha256 })).rejects.toMatchObject({ code: 'ERR_OFFSITE_VERIFY' });
    expect(await allFiles(server.directory)).toEqual(['cameras/cam/a.mp4']);
  });

  it('a wrong password is one refused request and one clear line, without the password', async () => {
    const server = track(await startWebDavServer());
    const wrong = 'not-the-password-42';
    const options = rcloneOptions(server, {}, wrong);
    const target = track(createTarget(options));
    const error = await target.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_AUTH')).toBe(true);
    expect(String(error)).toContain('target "nas" (rclone nas:cameras)');
    expect(String(error)).not.toContain(wrong);
    expect(String(error)).not.toContain(options.env!.RCLONE_CONFIG_NAS_PASS!);
    const refused = (await server.apache.readAccessLog()).filter((line) => / 401 /.test(line));
    expect(refused).toHaveLength(1);
  });

  it('a missing remote folder, a missing rclone and an unknown remote each get their own code', async () => {
    const server = track(await startWebDavServer());
    await expect(createTarget(rcloneOptions(server, { remote: 'nas:no-such-folder' })).check()).rejects.toMatchObject({ code: 'ERR_OFFSITE_NOT_FOUND' });
    await expect(createTarget(rcloneOptions(server, { rcloneBinary: '/nonexistent/rclone' })).check()).rejects.toMatchObject({ code: 'ERR_OFFSITE_TOOL' });
    const work = track(await makeTempDir('camdl-offsite-rclone-'));
    await writeFile(join(work.path, 'rclone.conf'), '');
    await expect(createTarget({ kind: 'rclone', name: 'nas', remote: 'elsewhere:x', rcloneConfig: join(work.path, 'rclone.conf') }).check()).rejects.toMatchObject({ code: 'ERR_OFFSITE_CONFIG' });
  });

  it("runs rclone without camdl's other secrets in its environment and without credentials in argv", async () => {
    const server = track(await startWebDavServer());
    const work = track(await makeTempDir('camdl-offsite-rclone-'));
    const wrapper = join(work.path, 'rclone-wrapper.sh');
    const record = join(work.path, 'calls.txt');
    await writeFile(wrapper, `#!/bin/sh\n{ echo "ARGV: $*"; env; } >> "${record}"\nexec ${rclone} "$@"\n`);
    await chmod(wrapper, 0o755);
    process.env.CAMDL_TEST_OTHER_SECRET = 'other-secret-value';
    try {
      const options = rcloneOptions(server, { rcloneBinary: wrapper });
      const target = track(createTarget(options));
      const file = await writeLocalFile(work.path, 'a.mp4', 1000);
      await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 });
      const calls = await readFile(record, 'utf8');
      expect(calls).toContain('RCLONE_CONFIG_NAS_PASS=');
      expect(calls).not.toContain('other-secret-value');
      expect(calls).not.toContain('AWS_CA_BUNDLE');
      for (const line of calls.split('\n').filter((candidate) => candidate.startsWith('ARGV:'))) {
        expect(line).not.toContain(options.env!.RCLONE_CONFIG_NAS_PASS!);
        expect(line).not.toContain(server.password);
      }
    } finally {
      delete process.env.CAMDL_TEST_OTHER_SECRET;
    }
  });
});
