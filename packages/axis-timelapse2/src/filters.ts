import { archiveNameTime, localTimeZone } from '@camdl/internal';
import type { TimelapseArchive } from './archive.js';
import { TimelapseError } from './errors.js';

/** Which archives to take. Time bounds compare with `first`/`last` (ms since the epoch). */
export interface ArchiveFilter {
  /** Keep archives whose last frame is at or after this instant. @default undefined (no bound) */
  since?: Date | number | undefined;
  /** Keep archives whose first frame is at or before this instant. @default undefined (no bound) */
  until?: Date | number | undefined;
  /**
   * Keep archives whose remote file name matches: a glob (`*`, `?`, `[abc]`, whole name, case
   * sensitive), a `/regex/flags` string, or a RegExp. @default undefined (all names)
   */
  match?: string | RegExp | undefined;
}

/**
 * When an archive was written, from the `_YYYY_MM_DD_HHMM` the apps put at the end of its name (the
 * camera's local time, read as this computer's), or undefined.
 */
export function archiveTimeFromName(filename: string): number | undefined {
  return archiveNameTime(filename, localTimeZone());
}

/**
 * Applies a filter. An archive without `first`/`last` (3.x lists migrated AVIs it found unindexed
 * with none) is placed by the date in its name; with neither it is kept only when no time bound is given.
 */
export function filterArchives(archives: readonly TimelapseArchive[], filter: ArchiveFilter): TimelapseArchive[] {
  const since = filter.since === undefined ? undefined : +filter.since;
  const until = filter.until === undefined ? undefined : +filter.until;
  const pattern = filter.match === undefined ? undefined : toNamePattern(filter.match);
  return archives.filter((archive) => {
    if (pattern && !pattern.test(archive.filename)) return false;
    const named = archive.first === undefined && archive.last === undefined ? archiveTimeFromName(archive.filename) : undefined;
    if (since !== undefined) {
      const end = archive.last ?? archive.first ?? named;
      if (end === undefined || end < since) return false;
    }
    if (until !== undefined) {
      const start = archive.first ?? archive.last ?? named;
      if (start === undefined || start > until) return false;
    }
    return true;
  });
}

/** A glob or `/regex/flags` string as a RegExp; throws `ERR_TIMELAPSE_INVALID_OPTIONS` when invalid. */
export function toNamePattern(match: string | RegExp): RegExp {
  if (match instanceof RegExp) return new RegExp(match.source, match.flags.replace(/[gy]/g, ''));
  const regex = /^\/(.*)\/([a-z]*)$/su.exec(match);
  try {
    if (regex) return new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
    return new RegExp(`^${globToRegexSource(match)}$`, 'u');
  } catch (error) {
    throw new TimelapseError(`invalid name pattern ${JSON.stringify(match)}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS', cause: error });
  }
}

function globToRegexSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return source;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses a time bound: an ISO date (`2025-09-30`, local midnight) or date-time, milliseconds since the
 * epoch, `today` / `yesterday` (local midnight), `now`, or a duration before `now` (`90m`, `12h`, `7d`,
 * `2w`). An impossible date (`2025-02-30`, `2026-13-45`) is refused, never rolled over. Throws
 * `ERR_TIMELAPSE_INVALID_OPTIONS`.
 */
export function parseTimeBound(text: string, now: number = Date.now()): Date {
  const trimmed = text.trim();
  const invalid = (why: string): TimelapseError =>
    new TimelapseError(`${why}: ${JSON.stringify(text)}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  const relative = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(trimmed);
  if (relative) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2]!.toLowerCase() as 'm'];
    return new Date(now - Number(relative[1]) * unit);
  }
  const word = trimmed.toLowerCase();
  if (word === 'now') return new Date(now);
  if (word === 'today' || word === 'yesterday') {
    const day = new Date(now);
    return new Date(day.getFullYear(), day.getMonth(), day.getDate() - (word === 'yesterday' ? 1 : 0));
  }
  if (/^\d{11,}$/.test(trimmed)) return new Date(Number(trimmed));
  const parts = DATE_TIME.exec(trimmed);
  if (!parts) throw invalid('not a date, date-time, epoch ms, today/yesterday or duration (7d, 12h)');
  const [, y, mo, d, h, mi, sec] = parts;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12) throw invalid('no such month');
  if (day < 1 || day > daysInMonth) throw invalid('no such day');
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(sec ?? 0) > 59) throw invalid('no such time of day');
  const date = h === undefined ? new Date(year, month - 1, day) : new Date(trimmed.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) throw invalid('not a date');
  return date;
}

/** Throws `ERR_TIMELAPSE_INVALID_OPTIONS` when `since` is after `until`: such a filter can match nothing. */
export function assertTimeBoundsOrder(since: Date | undefined, until: Date | undefined): void {
  if (since !== undefined && until !== undefined && since.getTime() > until.getTime()) {
    throw new TimelapseError(
      `--since (${since.toISOString()}) is after --until (${until.toISOString()}): no archive can match`,
      { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' },
    );
  }
}
