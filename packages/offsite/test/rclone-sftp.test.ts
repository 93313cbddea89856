import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { closeAfterEach, findFreePort, findSystemTool, makeTempDir, sha256, startSftpServer } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget, isOffsiteError, type RcloneTargetOptions } from '@camdl/offsite';
import { allFiles, MIB, writeLocalFile } from './helpers.js';

const track = closeAfterEach();
const rclone = findSystemTool('rclone');

/** An sftp remote named "nas", defined only by environment variables, the password obscured as rclone wants it. */
function sftpOptions(server: { port: number; username: string; password: string }, overrides: Partial<RcloneTargetOptions> = {}, password = server.password): RcloneTargetOptions {
  return {
    kind: 'rclone',
    name: 'nas',
    remote: 'nas:cameras',
    env: {
      RCLONE_CONFIG_NAS_TYPE: 'sftp',
      RCLONE_CONFIG_NAS_HOST: '127.0.0.1',
      RCLONE_CONFIG_NAS_PORT: String(server.port),
      RCLONE_CONFIG_NAS_USER: server.username,
      RCLONE_CONFIG_NAS_PASS: execFileSync('rclone', ['obscure', '-'], { input: password, encoding: 'utf8' }).trim(),
    },
    retryDelayMs: 1,
    timeoutMs: 20_000,
    ...overrides,
  };
}

describe.skipIf(rclone === undefined)('rclone target against a real SFTP server (rclone serve sftp)', () => {
  it('copies, verifies by reading back, lists, restores; a tampered copy is found and replaced', async () => {
    const server = track(await startSftpServer());
    const work = track(await makeTempDir('camdl-offsite-sftp-'));
    const target = track(createTarget(sftpOptions(server)));
    await mkdir(join(server.directory, 'cameras'));
    await target.check();
    const first = await writeLocalFile(work.path, 'a.mp4', 3 * MIB + 5, 1);
    const second = await writeLocalFile(work.path, 'b.mp4', 1000, 2);
    expect(await target.put(first.path, 'north/2026-05-01/a.mp4', { size: first.size, sha256: first.sha256 })).toEqual({ status: 'uploaded', size: first.size, sha256: first.sha256, partsReused: 0 });
    await target.put(second.path, 'north/2026-05-02/b.mp4', { size: second.size, sha256: second.sha256 });
    expect(await allFiles(server.directory)).toEqual(['cameras/north/2026-05-01/a.mp4', 'cameras/north/2026-05-02/b.mp4']);
    expect(sha256(await readFile(join(server.directory, 'cameras/north/2026-05-01/a.mp4')))).toBe(first.sha256);
    // SFTP has no SHA-256 of its own: the stat carries none, a deep verify reads the copy back.
    expect(await target.stat('north/2026-05-01/a.mp4')).toMatchObject({ key: 'north/2026-05-01/a.mp4', size: first.size, sha256: undefined });
    expect(await target.hash('north/2026-05-01/a.mp4')).toEqual({ size: first.size, sha256: first.sha256 });
    const keys: string[] = [];
    for await (const object of target.list('north/')) keys.push(object.key);
    expect(keys).toEqual(['north/2026-05-01/a.mp4', 'north/2026-05-02/b.mp4']);
    const children: string[] = [];
    for await (const entry of target.children('north/')) children.push(`${entry.name}${entry.folder ? '/' : ''}`);
    expect(children).toEqual(['2026-05-01/', '2026-05-02/']);

    const restored = join(work.path, 'restore/a.mp4');
    expect(await target.get('north/2026-05-01/a.mp4', restored, { expectedSha256: first.sha256 })).toEqual({ size: first.size, sha256: first.sha256 });
    expect(sha256(await readFile(restored))).toBe(first.sha256);

    // A byte flipped on the server: same size, found only by reading it back; a conflict until replaced.
    const onServer = join(server.directory, 'cameras/north/2026-05-02/b.mp4');
    const bytes = await readFile(onServer);
    bytes[10] = bytes[10]! ^ 1;
    await writeFile(onServer, bytes);
    expect(await target.stat('north/2026-05-02/b.mp4')).toMatchObject({ size: second.size });
    expect((await target.hash('north/2026-05-02/b.mp4')).sha256).not.toBe(second.sha256);
    await expect(target.get('north/2026-05-02/b.mp4', join(work.path, 'restore/b.mp4'), { expectedSha256: second.sha256 })).rejects.toMatchObject({ code: 'ERR_OFFSITE_VERIFY' });
    expect(await readdir(join(work.path, 'restore'))).toEqual(['a.mp4']);
    await expect(target.put(second.path, 'north/2026-05-02/b.mp4', { size: second.size, sha256: second.sha256 })).rejects.toMatchObject({ code: 'ERR_OFFSITE_CONFLICT' });
    expect((await target.put(second.path, 'north/2026-05-02/b.mp4', { size: second.size, sha256: second.sha256, ifExists: 'replace' })).status).toBe('uploaded');
    expect(sha256(await readFile(onServer))).toBe(second.sha256);
  });

  it('an upload cut off mid-way leaves nothing under the final name; the next put sends it whole', async () => {
    const server = track(await startSftpServer());
    const work = track(await makeTempDir('camdl-offsite-sftp-'));
    const target = track(createTarget(sftpOptions(server)));
    await mkdir(join(server.directory, 'cameras'));
    const file = await writeLocalFile(work.path, 'big.mp4', 8 * MIB, 3);
    const stop = new AbortController();
    const cut = target.put(file.path, 'gate/big.mp4', {
      size: file.size,
      sha256: file.sha256,
      signal: stop.signal,
      onProgress: ({ bytes }) => {
        if (bytes >= 2 * MIB) stop.abort();
      },
    });
    await expect(cut).rejects.toMatchObject({ code: 'ERR_OFFSITE_ABORTED' });
    expect(await target.stat('gate/big.mp4')).toBeUndefined();
    const listed: string[] = [];
    for await (const object of target.list('')) listed.push(object.key);
    expect(listed).toEqual([]);
    expect(await target.put(file.path, 'gate/big.mp4', { size: file.size, sha256: file.sha256 })).toMatchObject({ status: 'uploaded', size: file.size });
    expect(sha256(await readFile(join(server.directory, 'cameras/gate/big.mp4')))).toBe(file.sha256);
  });

  it('a wrong password is one refused login and one clear line; the password is in no argv, and reaches rclone only obscured in its RCLONE_CONFIG_ environment', async () => {
    const server = track(await startSftpServer());
    const work = track(await makeTempDir('camdl-offsite-sftp-'));
    const wrapper = join(work.path, 'rclone-wrapper.sh');
    const record = join(work.path, 'calls.txt');
    await writeFile(wrapper, `#!/bin/sh\n{ echo "ARGV: $*"; env; } >> "${record}"\nexec ${rclone} "$@"\n`);
    await chmod(wrapper, 0o755);
    const wrong = 'not-the-password-42';
    const options = sftpOptions(server, { rcloneBinary: wrapper }, wrong);
    const obscured = options.env!['RCLONE_CONFIG_NAS_PASS']!;
    const error = await track(createTarget(options))
      .check()
      .catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_AUTH')).toBe(true);
    expect((error as Error).message).toMatch(/^target "nas" \(rclone nas:cameras\): rclone lsjson failed \(exit \d+\): .*; check the remote's user and password or key$/);
    for (const secret of [wrong, obscured, server.password]) expect(String(error)).not.toContain(secret);
    // Our retries are for failures that can pass; a refused login is not retried.
    expect((await server.log()).filter((line) => line.includes('SSH login failed'))).toHaveLength(1);
    const calls = await readFile(record, 'utf8');
    expect(calls).not.toContain(wrong);
    expect(calls.split('\n').filter((line) => line.includes(obscured))).toEqual([`RCLONE_CONFIG_NAS_PASS=${obscured}`]);
  });

  it('a remote given as "nas:" (its home folder) keeps keys relative to it, never under the absolute "nas:/"', async () => {
    const server = track(await startSftpServer());
    const work = track(await makeTempDir('camdl-offsite-sftp-'));
    const wrapper = join(work.path, 'rclone-wrapper.sh');
    const record = join(work.path, 'calls.txt');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> "${record}"\nexec ${rclone} "$@"\n`);
    await chmod(wrapper, 0o755);
    const target = track(createTarget(sftpOptions(server, { remote: 'nas:', rcloneBinary: wrapper })));
    const file = await writeLocalFile(work.path, 'a.mp4', 1000, 4);
    await target.check();
    await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 });
    for await (const entry of target.children('')) expect(entry).toEqual({ name: 'cam', folder: true });
    expect(sha256(await readFile(join(server.directory, 'cam/a.mp4')))).toBe(file.sha256);
    const paths = (await readFile(record, 'utf8')).split(/\s+/).filter((word) => word.startsWith('nas:'));
    expect(paths).toContain('nas:cam/a.mp4');
    expect(paths.filter((path) => path.startsWith('nas:/'))).toEqual([]);
  });

  it('a host that is down, or that never answers, fails within the deadline as unreachable', async () => {
    const closed = await findFreePort();
    const refused = await createTarget(sftpOptions({ port: closed, username: 'camdl', password: 'x' }, { attempts: 1 }))
      .check()
      .catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: 'ERR_OFFSITE_UNREACHABLE' });

    // Accepts the connection and never says a word (no SSH banner).
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    track({
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => silent.close(() => resolve()));
      },
    });
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const error = await createTarget(sftpOptions({ port, username: 'camdl', password: 'x' }, { attempts: 1, timeoutMs: 1500 }))
      .check()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_OFFSITE_UNREACHABLE', message: expect.stringMatching(/gave no result within 1500 ms; check the remote's host and the network/) as string });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
