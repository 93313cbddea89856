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
 * Applies a filter. An archive without `first`/`last` has unknown times: it is kept only when no time
 * bound is given.
 */
export function filterArchives(archives: readonly TimelapseArchive[], filter: ArchiveFilter): TimelapseArchive[] {
  const since = filter.since === undefined ? undefined : +filter.since;
  const until = filter.until === undefined ? undefined : +filter.until;
  const pattern = filter.match === undefined ? undefined : toNamePattern(filter.match);
  return archives.filter((archive) => {
    if (pattern && !pattern.test(archive.filename)) return false;
    if (since !== undefined) {
      const end = archive.last ?? archive.first;
      if (end === undefined || end < since) return false;
    }
    if (until !== undefined) {
      const start = archive.first ?? archive.last;
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
    throw new TimelapseError('ERR_TIMELAPSE_INVALID_OPTIONS', `invalid name pattern ${JSON.stringify(match)}`, { cause: error });
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

/**
 * Parses a time bound: an ISO date (`2025-09-30`, local midnight) or date-time, milliseconds since the
 * epoch, or a duration before `now` (`90m`, `12h`, `7d`, `2w`). Throws `ERR_TIMELAPSE_INVALID_OPTIONS`.
 */
export function parseTimeBound(text: string, now: number = Date.now()): Date {
  const trimmed = text.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(trimmed);
  if (relative) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2]!.toLowerCase() as 'm'];
    return new Date(now - Number(relative[1]) * unit);
  }
  if (/^\d{11,}$/.test(trimmed)) return new Date(Number(trimmed));
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const date = dateOnly ? new Date(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])) : new Date(trimmed);
  if (trimmed === '' || Number.isNaN(date.getTime())) {
    throw new TimelapseError('ERR_TIMELAPSE_INVALID_OPTIONS', `not a date, date-time, epoch ms or duration (7d, 12h): ${JSON.stringify(text)}`);
  }
  return date;
}
