import { readFile } from 'node:fs/promises';
import type { CameraConfig } from './config.js';
import { SyncError } from './errors.js';

/** Reads a camera's password from where the config says (never logged). */
export async function resolveCameraPassword(camera: CameraConfig, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const source = camera.password;
  switch (source.kind) {
    case 'none':
      return undefined;
    case 'inline':
      return source.value;
    case 'env': {
      const value = env[source.name];
      if (value === undefined || value === '') throw new SyncError(`password-env: ${source.name} is not set`, { code: 'ERR_SYNC_PASSWORD', camera: camera.name });
      return value;
    }
    case 'file': {
      let text: string;
      try {
        text = await readFile(source.path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new SyncError(`cannot read password-file ${source.path} (${code})`, { code: 'ERR_SYNC_PASSWORD', camera: camera.name, cause: error });
      }
      const first = text.split(/\r?\n/, 1)[0] ?? '';
      if (first === '') throw new SyncError(`password-file ${source.path} is empty`, { code: 'ERR_SYNC_PASSWORD', camera: camera.name });
      return first;
    }
  }
}
