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

  it('reports an unreadable password file without its content', async () => {
    await expect(
      resolvePassword({ file: '/nonexistent/camdl-pass', envNames: [], env: {}, prompt: '', input: notATty }),
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('ENOENT') });
  });
});
