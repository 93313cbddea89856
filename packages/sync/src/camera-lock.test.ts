import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireCameraLock } from './camera-lock.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function deadPid(): Promise<number> {
  const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(gone, 'exit');
  return gone.pid!;
}

describe('acquireCameraLock', () => {
  it('holds the owner from the first moment, refuses a second taker, and is gone after release', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-camlock-'));
    const lock = await acquireCameraLock(dir, 'gate');
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(acquireCameraLock(dir, 'gate')).rejects.toMatchObject({ code: 'ERR_SYNC_CAMERA_BUSY' });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("takes over a dead process's lock and removes owner files of processes killed before they linked theirs", async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-camlock-'));
    const dead = await deadPid();
    await writeFile(join(dir, 'gate.lock'), JSON.stringify({ pid: dead, host: hostname(), startedMs: 1 }));
    await writeFile(join(dir, `gate.lock.${dead}.new`), JSON.stringify({ pid: dead, host: hostname(), startedMs: 1 }));
    const lock = await acquireCameraLock(dir, 'gate');
    expect(await readdir(dir)).toEqual(['gate.lock']);
    await lock.release();
  });

  it('a live owner makes it throw ERR_SYNC_CAMERA_BUSY naming the pid', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-camlock-'));
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'gate.lock'), JSON.stringify({ pid: alive.pid, host: hostname(), startedMs: Date.now() }));
      const error = await acquireCameraLock(dir, 'gate').then(() => undefined, (caught: unknown) => caught as Error & { code?: string });
      expect(error?.code).toBe('ERR_SYNC_CAMERA_BUSY');
      expect(error?.message).toContain(`pid ${alive.pid}`);
    } finally {
      alive.kill();
      await once(alive, 'exit');
    }
  });
});
