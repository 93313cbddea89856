import { download } from './download.js';
import type { DownloadOptions, DownloadProgress, DownloadResult } from './types.js';

export interface DownloadWithProgress {
  /**
   * The progress reports as an async iterator; it ends when the download settles (either way: the
   * outcome is `result`). A slow consumer gets the latest report, never a backlog.
   */
  progress: AsyncIterableIterator<DownloadProgress>;
  /** What {@link download} resolves or rejects with. */
  result: Promise<DownloadResult>;
}

/**
 * {@link download} with its progress as an async iterator instead of a callback (`onProgress`, if
 * given too, is still called).
 *
 * @example
 * const { progress, result } = downloadWithProgress(url, 'rec/1.mkv', { rateLimitMbps: 10 });
 * for await (const p of progress) console.log(`${p.percent?.toFixed(1)} %`);
 * const { size } = await result;
 */
export function downloadWithProgress(url: string | URL, destination: string, options: DownloadOptions = {}): DownloadWithProgress {
  let latest: DownloadProgress | undefined;
  let settled = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const result = download(url, destination, {
    ...options,
    onProgress: (report) => {
      latest = report;
      options.onProgress?.(report);
      notify();
    },
  }).finally(() => {
    settled = true;
    notify();
  });
  // The caller handles `result`; the iterator must not turn a failure into an unhandled rejection.
  result.catch(() => {});

  async function* reports(): AsyncGenerator<DownloadProgress> {
    for (;;) {
      if (latest !== undefined) {
        const report = latest;
        latest = undefined;
        yield report;
        continue;
      }
      if (settled) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
  return { progress: reports(), result };
}
