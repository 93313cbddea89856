import { readFile } from 'node:fs/promises';
import type { CameraConfig } from '../config.js';

/** The TLS options of a camera's client: its CA file (https only) and `insecure`, as the clients take them. */
export async function cameraTls(camera: Pick<CameraConfig, 'url' | 'caFile' | 'insecure'>): Promise<{ ca?: Buffer; insecure?: true }> {
  const ca = camera.url.protocol === 'https:' && camera.caFile !== undefined ? await readFile(camera.caFile) : undefined;
  return { ...(ca ? { ca } : {}), ...(camera.insecure ? { insecure: true as const } : {}) };
}
