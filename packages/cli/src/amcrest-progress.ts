import type { DownloadProgress } from '@camdl/throttled-download';
import { formatBytes, formatDuration, formatSpeed } from './format.js';

/** Overall progress of concurrent downloads: files done/total, bytes, speed, ETA. */
export class AmcrestProgress {
  readonly #totalFiles: number;
  readonly #totalBytes: number;
  #doneFiles = 0;
  #doneBytes = 0;
  readonly #active = new Map<string, DownloadProgress>();

  constructor(totalFiles: number, totalBytes: number) {
    this.#totalFiles = totalFiles;
    this.#totalBytes = totalBytes;
  }

  update(key: string, progress: DownloadProgress): void {
    this.#active.set(key, progress);
  }

  finish(key: string, size: number): void {
    this.#active.delete(key);
    this.#doneFiles += 1;
    this.#doneBytes += size;
  }

  fail(key: string): void {
    this.#active.delete(key);
    this.#doneFiles += 1;
  }

  /** `3/15 files  12.40 MB/45.00 MB  5.10 MB/s  ETA 6s  (4 active)` */
  text(): string {
    let bytes = this.#doneBytes;
    let speed = 0;
    for (const progress of this.#active.values()) {
      bytes += progress.bytes;
      speed += progress.speed;
    }
    const remaining = Math.max(0, this.#totalBytes - bytes);
    const eta = speed > 0 && this.#totalBytes > 0 ? remaining / speed : undefined;
    const total = this.#totalBytes > 0 ? `/${formatBytes(this.#totalBytes)}` : '';
    return `${this.#doneFiles}/${this.#totalFiles} files  ${formatBytes(bytes)}${total}  ${formatSpeed(speed)}  ETA ${formatDuration(eta)}  (${this.#active.size} active)`;
  }
}
