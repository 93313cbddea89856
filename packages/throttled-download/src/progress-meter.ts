import type { DownloadProgress } from './types.js';

const SPEED_WINDOW_MS = 3000;

/** Turns byte counts into throttled progress reports with a speed averaged over a few seconds. */
export class ProgressMeter {
  readonly #samples: { time: number; transferred: number }[] = [];
  #lastEmit = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly intervalMs: number,
    private readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
  ) {}

  update(bytes: number, transferred: number, total: number | undefined, force = false): void {
    if (!this.onProgress) return;
    const time = this.now();
    if (!force && time - this.#lastEmit < this.intervalMs) return;
    this.#lastEmit = time;
    this.#samples.push({ time, transferred });
    while (this.#samples.length > 2 && time - (this.#samples[1]?.time ?? time) >= SPEED_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0] ?? { time, transferred };
    const elapsed = (time - first.time) / 1000;
    const speed = elapsed > 0 ? (transferred - first.transferred) / elapsed : 0;
    const percent = total !== undefined && total > 0 ? Math.min(100, (bytes / total) * 100) : undefined;
    const eta = total !== undefined && speed > 0 ? Math.max(0, (total - bytes) / speed) : undefined;
    this.onProgress({ bytes, transferred, total, percent, speed, eta });
  }
}
