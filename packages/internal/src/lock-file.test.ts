import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLockFile, leftOwnerFiles } from './lock-file.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createLockFile', () => {
  it('creates the lock with its content and leaves no owner file; a second create fails with EEXIST and keeps the first owner', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-lock-'));
    const lock = join(dir, 'a.lock');
    await createLockFile(lock, 'first\n');
    expect(await readFile(lock, 'utf8')).toBe('first\n');
    expect(await readdir(dir)).toEqual(['a.lock']);
    await expect(createLockFile(lock, 'second\n')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(lock, 'utf8')).toBe('first\n');
    expect(await readdir(dir)).toEqual(['a.lock']);
  });

  it('a process killed at any moment leaves no lock or a whole one: 20 children killed mid-loop', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-lock-'));
    // Node strips the types of the module itself (22.18+): no loader, a quick start.
    const script = `
      const { createLockFile } = await import(${JSON.stringify(new URL('./lock-file.ts', import.meta.url).href)});
      const lock = process.argv[1];
      for (let i = 0; ; i += 1) {
        await createLockFile(lock + i, JSON.stringify({ pid: process.pid, i }));
        if (i === 0) process.stdout.write('ready\\n');
      }`;
    for (let child = 0; child < 20; child += 1) {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', script, join(dir, `c${child}-`)], { stdio: ['ignore', 'pipe', 'ignore'] });
      await once(proc.stdout!, 'data');
      await new Promise((resolve) => setTimeout(resolve, child % 4));
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    }
    const locks = (await readdir(dir)).filter((name) => !name.endsWith('.new'));
    expect(locks.length).toBeGreaterThanOrEqual(20);
    for (const name of locks) expect(JSON.parse(await readFile(join(dir, name), 'utf8'))).toHaveProperty('pid');
  });
});

describe('leftOwnerFiles', () => {
  it('lists other processes\' owner files of this lock only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-lock-'));
    const lock = join(dir, 'x.mp4.lock');
    for (const name of ['x.mp4.lock.123.new', `x.mp4.lock.${process.pid}.new`, 'x.mp4.lock.12a.new', 'x.mp4.lock.77.lock', 'y.mp4.lock.5.new', 'x.mp4.part']) {
      await writeFile(join(dir, name), '');
    }
    expect(await leftOwnerFiles(lock)).toEqual([join(dir, 'x.mp4.lock.123.new')]);
    expect(await leftOwnerFiles(join(dir, 'missing', 'z.lock'))).toEqual([]);
  });
});
