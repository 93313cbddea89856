import { fileURLToPath } from 'node:url';
import { spawnJsonLinesChild, type JsonLinesChild } from '@camdl/test-utils';
import type { DownloadOptions } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/download-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs one download in its own process (see fixtures/download-child.ts), which prints its events as JSON lines. */
export function spawnDownload(url: string, destination: string, options: DownloadOptions = {}): JsonLinesChild {
  return spawnJsonLinesChild(fixture, [url, destination, JSON.stringify(options)], repoRoot);
}

export const progressAbove =
  (bytes: number) =>
  (line: Record<string, unknown>): boolean =>
    typeof line['progress'] === 'number' && line['progress'] > bytes;
