import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { resolvePassword } from '../src/password.js';

const notATty = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;

describe('resolvePassword', () => {
  it('prefers argv, then the file, then the environment', async () => {
    const dir = await makeTempDir();
    try {
      const file = join(dir.path, 'pass');
      await writeFile(file, 'from-file\nsecond line\n');
      const base = { envNames: ['CAMDL_PASSWORD'], env: { CAMDL_PASSWORD: 'from-env' }, prompt: 'Password: ', input: notATty };
      expect(await resolvePassword({ ...base, argv: 'from-argv', file })).toEqual({ password: 'from-argv', source: 'argv' });
      expect(await resolvePassword({ ...base, file })).toEqual({ password: 'from-file', source: 'file' });
      expect(await resolvePassword(base)).toEqual({ password: 'from-env', source: 'env' });
    } finally {
      await dir.cleanup();
    }
  });

  it('fails with exit code 2 and says how, when nothing is given and stdin is not a terminal', async () => {
    await expect(resolvePassword({ envNames: ['CAMDL_PASSWORD'], env: {}, prompt: 'Password: ', input: notATty })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('--pass-file'),
    });
  });

  it('with stdinLine and no terminal: the first line of stdin (getpass), an empty stdin is the usual error', async () => {
    const piped = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    setTimeout(() => (piped as unknown as PassThrough).end('s3cret\r\nnot this\n'), 5);
    expect(await resolvePassword({ envNames: [], env: {}, prompt: '', input: piped, stdinLine: true })).toEqual({ password: 's3cret', source: 'stdin' });
    const empty = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    (empty as unknown as PassThrough).end();
    await expect(resolvePassword({ envNames: ['AMCREST_DL_PASSWORD'], env: {}, prompt: '', input: empty, stdinLine: true })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('first line of stdin'),
    });
  });

  it('with stdinLine: a stdin left open that nobody writes to is given up after stdinWaitMs (exit 2), not waited on forever', async () => {
    const silent = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    const started = Date.now();
    await expect(resolvePassword({ envNames: ['AMCREST_DL_PASSWORD'], env: {}, prompt: '', input: silent, stdinLine: true, stdinWaitMs: 150 })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('nothing arrived on stdin'),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // A line that has begun to arrive is read to its end, however slowly.
    const slow = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    setTimeout(() => (slow as unknown as PassThrough).write('s3'), 20);
    setTimeout(() => (slow as unknown as PassThrough).write('cret\n'), 250);
    expect(await resolvePassword({ envNames: [], env: {}, prompt: '', input: slow, stdinLine: true, stdinWaitMs: 150 })).toEqual({ password: 's3cret', source: 'stdin' });
  });

  it('reports an unreadable password file without its content', async () => {
    await expect(
      resolvePassword({ file: '/nonexistent/camdl-pass', envNames: [], env: {}, prompt: '', input: notATty }),
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('ENOENT') });
  });

  it('asks again after an empty answer at the prompt, and gives up after three', async () => {
    const fakeTty = (): { input: NodeJS.ReadStream; output: NodeJS.WriteStream; written: () => string } => {
      const input = Object.assign(new PassThrough(), { isTTY: true, isRaw: false, setRawMode: () => input }) as unknown as NodeJS.ReadStream;
      const output = new PassThrough();
      let written = '';
      output.on('data', (chunk: Buffer) => (written += chunk.toString()));
      return { input, output: output as unknown as NodeJS.WriteStream, written: () => written };
    };
    const answer = (input: NodeJS.ReadStream, lines: string[]): void => {
      // One answer each time the prompt starts reading (it resumes the stream per question).
      const queue = [...lines];
      (input as unknown as PassThrough).on('resume', () => {
        const line = queue.shift();
        if (line !== undefined) setTimeout(() => (input as unknown as PassThrough).write(line), 5);
      });
    };
    const tty = fakeTty();
    answer(tty.input, ['\r', 'secret\r']);
    expect(await resolvePassword({ envNames: [], env: {}, prompt: 'Password: ', input: tty.input, output: tty.output })).toEqual({ password: 'secret', source: 'prompt' });
    expect(tty.written()).toContain('The password is empty; type it again');

    const empty = fakeTty();
    answer(empty.input, ['\r', '\r', '\r']);
    await expect(resolvePassword({ envNames: [], env: {}, prompt: 'Password: ', input: empty.input, output: empty.output })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('empty'),
    });
  });
});
