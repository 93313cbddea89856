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
      if (value === undefined || value === '') throw new SyncError('ERR_SYNC_PASSWORD', `password-env: ${source.name} is not set`, { camera: camera.name });
      return value;
    }
    case 'file': {
      let text: string;
      try {
        text = await readFile(source.path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new SyncError('ERR_SYNC_PASSWORD', `cannot read password-file ${source.path} (${code})`, { camera: camera.name, cause: error });
      }
      const first = text.split(/\r?\n/, 1)[0] ?? '';
      if (first === '') throw new SyncError('ERR_SYNC_PASSWORD', `password-file ${source.path} is empty`, { camera: camera.name });
      return first;
    }
  }
}
