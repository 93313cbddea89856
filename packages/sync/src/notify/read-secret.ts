import { readFile } from 'node:fs/promises';
import type { SecretSource } from '../alerts/monitoring-config.js';
import { SyncError } from '../errors.js';

/** Reads a channel's secret (first line of a file, or an environment variable); the error names where, never the value. */
export async function readSecret(source: SecretSource, what: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (source.kind === 'env') {
    const value = env[source.name];
    if (value === undefined || value === '') throw new SyncError(`${what}: ${source.name} is not set`, { code: 'ERR_SYNC_NOTIFY' });
    return value;
  }
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new SyncError(`${what}: cannot read ${source.path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { code: 'ERR_SYNC_NOTIFY', cause: error });
  }
  const first = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (first === '') throw new SyncError(`${what}: ${source.path} is empty`, { code: 'ERR_SYNC_NOTIFY' });
  return first;
}
