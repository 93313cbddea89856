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

  /**
   * `3/15 files  12.40 MiB/45.00 MiB  5.10 MiB/s  ETA 6s  (4 active)`, shortened to fit `columns`
   * (a line that wraps leaves fragments behind): the active count goes first, then the total, then the speed.
   */
  text(columns?: number): string {
    const p = this.parts();
    const max = (columns ?? 80) - 4; // spinner, its space, a spare column
    const candidates = [
      [p.files, p.bytesOfTotal, p.speed, p.eta, p.active],
      [p.files, p.bytesOfTotal, p.speed, p.eta],
      [p.files, p.bytes, p.speed, p.eta],
      [p.files, p.bytes, p.eta],
      [p.files, p.eta],
    ];
    for (const parts of candidates) {
      const line = parts.join('  ');
      if (line.length <= max) return line;
    }
    return p.files.slice(0, Math.max(1, max));
  }

  private parts(): { files: string; bytes: string; bytesOfTotal: string; speed: string; eta: string; active: string } {
    let bytes = this.#doneBytes;
    let speed = 0;
    for (const progress of this.#active.values()) {
      bytes += progress.bytes;
      speed += progress.speed;
    }
    const remaining = Math.max(0, this.#totalBytes - bytes);
    const eta = speed > 0 && this.#totalBytes > 0 ? remaining / speed : undefined;
    const total = this.#totalBytes > 0 ? `/${formatBytes(this.#totalBytes)}` : '';
    return {
      files: `${this.#doneFiles}/${this.#totalFiles} files`,
      bytes: formatBytes(bytes),
      bytesOfTotal: `${formatBytes(bytes)}${total}`,
      speed: formatSpeed(speed),
      eta: `ETA ${formatDuration(eta)}`,
      active: `(${this.#active.size} active)`,
    };
  }
}
