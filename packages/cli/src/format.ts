/** Binary multiples, labelled as such (209,715,200 bytes is 200.00 MiB, not "200.00 MB"). */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `127.45 MiB` — whole bytes under 1 KiB, two decimals above; binary multiples (the seed's arithmetic) with honest labels. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${UNITS[unit]}`;
}

/**
 * An instant as ISO 8601 (`2026-01-16T10:00:00.000Z`), or `invalid time (…)` for a value no date can
 * hold: a number read from a ledger or a camera must never end a command with `Invalid time value`.
 * The one time format of the fleet commands' lines (their stamps and the times inside them).
 */
export function formatInstant(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `invalid time (${ms})` : date.toISOString();
}

/** `10.23 MiB/s` */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

/** `10s`, `4m05s`, `2h03m`; `?` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The seed's progress bar: `[=====>-----] 54.2% 127.45 MiB/235.00 MiB 10.23 MiB/s ETA: 10s`. */
export function formatProgressLine(progress: { bytes: number; total?: number | undefined; speed: number; eta?: number | undefined }, width = 30): string {
  const { bytes, total, speed, eta } = progress;
  if (total === undefined || total <= 0) {
    return `${formatBytes(bytes)} ${formatSpeed(speed)}`;
  }
  const ratio = Math.min(1, bytes / total);
  const filled = Math.floor(ratio * width);
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(filled)}>${'-'.repeat(width - filled - 1)}`;
  return `[${bar}] ${(ratio * 100).toFixed(1)}% ${formatBytes(bytes)}/${formatBytes(total)} ${formatSpeed(speed)} ETA: ${formatDuration(eta)}`;
}

