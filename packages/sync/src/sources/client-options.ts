import { readFile } from 'node:fs/promises';
import type { CameraConfig } from '../config.js';
import type { SourceDownloadOptions } from './camera-source.js';

/**
 * The options every vendor client takes from a camera of the config: its URL, user (or the kind's
 * usual administrator), password, timeout, one connection more than the downloads (the listing and
 * API calls are not held up behind a download), and its TLS settings (CA file for https, `insecure`).
 */
export async function clientOptions(
  camera: CameraConfig,
  password: string | undefined,
  defaultUser: string,
): Promise<{ url: URL; username: string; password: string; timeout: number; connections: number; ca?: Buffer; insecure?: true }> {
  const ca = camera.url.protocol === 'https:' && camera.caFile !== undefined ? await readFile(camera.caFile) : undefined;
  return {
    url: camera.url,
    username: camera.username ?? defaultUser,
    password: password ?? '',
    timeout: camera.timeoutMs,
    connections: camera.connections + 1,
    ...(ca ? { ca } : {}),
    ...(camera.insecure ? { insecure: true as const } : {}),
  };
}

/**
 * The options of one download as the vendor libraries take them: the run's limiter and signal, the
 * camera's retries and timeout, and the SHA-256 computed while the file is written (the ledger's hash).
 */
export function transferOptions(
  camera: Pick<CameraConfig, 'maxRetries' | 'timeoutMs'>,
  options: SourceDownloadOptions,
): { rateLimiter: SourceDownloadOptions['rateLimiter']; maxRetries: number; timeout: number; signal: AbortSignal; sha256: true } & Pick<SourceDownloadOptions, 'onProgress' | 'onEvent'> {
  return {
    rateLimiter: options.rateLimiter,
    maxRetries: camera.maxRetries,
    timeout: camera.timeoutMs,
    signal: options.signal,
    sha256: true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}
