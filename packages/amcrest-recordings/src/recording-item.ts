import { PLAUSIBLE_DURATION_MAX_SECONDS, PLAUSIBLE_SIZE_MAX, PLAUSIBLE_TIME_AHEAD_MS, PLAUSIBLE_TIME_MIN_MS } from '@camdl/internal';
import { normalizeWallClock, wallClockToMs } from './camera-time.js';
import type { KeyValueNode } from './key-value.js';

/** One entry of a `findNextFile` page, as the camera reported it (camera wall-clock times). */
export interface RecordingItem {
  /** The camera's `Channel` (often 0 while the path says `/001/`). */
  channel: number | undefined;
  /** Camera wall-clock start `YYYY-MM-DD HH:MM:SS`. */
  startTime: string;
  /** Camera wall-clock end `YYYY-MM-DD HH:MM:SS`. */
  endTime: string;
  /** Path on the camera, e.g. `/mnt/sd/2026-01-16/001/dav/20/20.00.00-20.08.00[M][0@0][0].mp4`. */
  filePath: string;
  /** The camera's `Type` (`dav` even for `.mp4` files: decide by the path, see {@link fileKindOf}). */
  type: string | undefined;
  /** Size in bytes (`Length`). */
  length: number | undefined;
  /** Nominal duration in seconds (`Duration`). */
  duration: number | undefined;
  /** `Events[n]`, e.g. `VideoMotion`. */
  events: string[];
  /** `Flags[n]`, e.g. `Event`, `Timing`. */
  flags: string[];
  /** `FileState`: `Temporary` while the file is still being written (then it is not downloaded). */
  fileState: string | undefined;
  /** `UTCOffset`: the camera's offset from UTC for this item, in seconds (e.g. `-14400`); wins over any measured offset. */
  utcOffsetSeconds: number | undefined;
  /** Every field the camera sent for this item. */
  raw: Record<string, KeyValueNode>;
}

/** What a file path holds, by its extension (the camera's `Type` is not reliable). */
export type FileKind = 'mp4' | 'dav' | 'in-progress' | 'snapshot' | 'other';

/** `.mp4` and `.dav` are recordings; `.mp4_` is still being written; `.jpg` is a snapshot. */
export function fileKindOf(filePath: string): FileKind {
  const match = /\.([A-Za-z0-9_]+)$/.exec(filePath);
  const extension = match?.[1]?.toLowerCase();
  if (extension === 'mp4') return 'mp4';
  if (extension === 'dav') return 'dav';
  if (extension !== undefined && /^(mp4|dav)_+$/.test(extension)) return 'in-progress';
  if (extension === 'jpg' || extension === 'jpeg') return 'snapshot';
  return 'other';
}

function toStringList(node: KeyValueNode | undefined): string[] {
  if (node === undefined) return [];
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.filter((value): value is string => typeof value === 'string');
  return [];
}

/** The highest channel number a device may state (NVRs have up to a few hundred). */
const MAX_CHANNEL = 9999;

/**
 * A whole number the camera sent, within `max`; undefined when absent, not a number or implausible
 * (`Duration=99999999999999` would put the end of a recording past the year 275760), with a warning
 * for the last two.
 */
function toNumber(node: KeyValueNode | undefined, field: string, max: number, warn: (message: string) => void): number | undefined {
  if (node === undefined) return undefined;
  if (typeof node !== 'string' || !/^\s*\d+\s*$/.test(node)) {
    warn(`${field} ${JSON.stringify(typeof node === 'string' ? node : '(not a value)')} is not a number: ignored`);
    return undefined;
  }
  const value = Number(node);
  if (value <= max) return value;
  warn(`${field} ${JSON.stringify(node.trim())} is not plausible (at most ${max}): ignored`);
  return undefined;
}

/**
 * A wall-clock time is plausible from 1990 to 10 years after this computer's clock (read in the
 * widest offsets of the world: the camera's zone is not known yet).
 */
function isPlausibleWallClock(wallClock: string, now: number): boolean {
  const ms = wallClockToMs(wallClock);
  return ms >= PLAUSIBLE_TIME_MIN_MS - 14 * 3_600_000 && ms <= now + PLAUSIBLE_TIME_AHEAD_MS + 14 * 3_600_000;
}

/** `UTCOffset` in seconds (`-14400`); undefined when absent or not a plausible offset (±14 h). */
function toOffsetSeconds(node: KeyValueNode | undefined): number | undefined {
  if (typeof node !== 'string' || !/^\s*[+-]?\d+\s*$/.test(node)) return undefined;
  const seconds = Number(node);
  return Math.abs(seconds) <= 14 * 3600 ? seconds : undefined;
}

/** Whether the camera says the file is still being written (`FileState=Temporary`). */
export function isTemporaryItem(item: Pick<RecordingItem, 'fileState'>): boolean {
  return item.fileState?.toLowerCase() === 'temporary';
}

/** What {@link toRecordingItem} needs besides the item. */
export interface RecordingItemContext {
  /** Told about every field ignored (not a number, implausible) and every item skipped for its times. */
  onWarning?: ((message: string) => void) | undefined;
  /** This computer's clock (ms since the epoch), for the plausible range of times. @default Date.now() */
  now?: number | undefined;
}

/**
 * Turns one `items[n]` object into a {@link RecordingItem}; undefined when path or times are missing
 * or a time is implausible (before 1990, more than 10 years ahead: told to `onWarning`). Implausible
 * numbers (`Duration` over 7 days, `Length` over 1 TiB) are left undefined with a warning.
 */
export function toRecordingItem(node: KeyValueNode | undefined, context: RecordingItemContext = {}): RecordingItem | undefined {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  const filePath = node['FilePath'];
  const startTime = typeof node['StartTime'] === 'string' ? normalizeWallClock(node['StartTime']) : undefined;
  const endTime = typeof node['EndTime'] === 'string' ? normalizeWallClock(node['EndTime']) : undefined;
  if (typeof filePath !== 'string' || filePath.trim() === '') return undefined;
  if (startTime === undefined || endTime === undefined) return undefined;
  const path = filePath.trim();
  const warn = (message: string): void => context.onWarning?.(`${JSON.stringify(path)}: ${message}`);
  const now = context.now ?? Date.now();
  for (const [field, time] of [['StartTime', startTime], ['EndTime', endTime]] as const) {
    if (!isPlausibleWallClock(time, now)) {
      warn(`${field} ${time} is not plausible (1990 to 10 years from now): the item is skipped`);
      return undefined;
    }
  }
  const type = node['Type'];
  const fileState = node['FileState'];
  return {
    channel: toNumber(node['Channel'], 'Channel', MAX_CHANNEL, warn),
    startTime,
    endTime,
    filePath: path,
    type: typeof type === 'string' ? type : undefined,
    length: toNumber(node['Length'], 'Length', PLAUSIBLE_SIZE_MAX, warn),
    duration: toNumber(node['Duration'], 'Duration', PLAUSIBLE_DURATION_MAX_SECONDS, warn),
    events: toStringList(node['Events']),
    flags: toStringList(node['Flags']),
    fileState: typeof fileState === 'string' ? fileState.trim() : undefined,
    utcOffsetSeconds: toOffsetSeconds(node['UTCOffset']),
    raw: node,
  };
}
