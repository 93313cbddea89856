import { dayIndexAt, isAtRisk, type AtRiskInput, type DayCoverage } from './coverage-days.js';
import { wallClockIn } from './layout.js';
import type { LedgerRecording } from './ledger.js';

/** The most not-archived recordings a day's strip names; the rest are counted. */
export const NAMED_PER_DAY = 20;

/**
 * One day's strip as the page's script reads it: `[startMs, endMs, runs, named, more]`. `runs` are the
 * day's recordings as space-separated tokens `<state><start>.<duration>[*<count>]` (minutes from the
 * day's start, base 36; a count of back-to-back recordings of one length and state): a day of 24
 * hourly recordings is one short token, so two years of ten cameras stay well under a megabyte.
 */
export type StripDay = [number, number, string, Array<[string, string, string, string]>, number];

const LETTER = { archived: 'a', pending: 'p', 'at-risk': 'r', lost: 'l' } as const;

interface Builder {
  tokens: string[];
  last: { letter: string; start: number; duration: number; count: number } | undefined;
  named: Array<[string, string, string, string]>;
  more: number;
}

function flush(builder: Builder): void {
  const last = builder.last;
  if (last) builder.tokens.push(`${last.letter}${last.start.toString(36)}.${last.duration.toString(36)}${last.count > 1 ? `*${last.count.toString(36)}` : ''}`);
  builder.last = undefined;
}

/** The strips of a channel's days, for the days that hold a recording (rows oldest first). */
export function stripDays(rows: readonly LedgerRecording[], days: readonly DayCoverage[], timeZone: string, atRisk: AtRiskInput | undefined): Record<string, StripDay> {
  const builders = new Map<number, Builder>();
  if (days.length === 0) return {};
  const rangeStart = days[0]!.startMs;
  const rangeEnd = days[days.length - 1]!.endMs;
  const starts = days.map((day) => day.startMs);
  for (const row of rows) {
    if (!Number.isFinite(row.startMs) || !Number.isFinite(row.endMs)) continue;
    const start = row.startMs;
    const end = Math.max(start, row.endMs);
    if (end < rangeStart || start >= rangeEnd) continue;
    const kind = row.state === 'verified' || row.state === 'deleted-on-camera' ? 'archived' : row.state === 'lost' ? 'lost' : isAtRisk(row, atRisk) ? 'at-risk' : 'pending';
    const letter = LETTER[kind];
    let index = dayIndexAt(starts, Math.max(start, rangeStart));
    do {
      const day = days[index]!;
      let builder = builders.get(index);
      if (!builder) {
        builder = { tokens: [], last: undefined, named: [], more: 0 };
        builders.set(index, builder);
      }
      const from = Math.max(0, Math.round((start - day.startMs) / 60_000));
      const duration = Math.max(1, Math.round((Math.min(end, day.endMs) - Math.max(start, day.startMs)) / 60_000));
      const last = builder.last;
      if (last && last.letter === letter && last.duration === duration && last.start + last.duration * last.count === from) last.count += 1;
      else {
        flush(builder);
        builder.last = { letter, start: from, duration, count: 1 };
      }
      if (kind !== 'archived') {
        if (builder.named.length < NAMED_PER_DAY) builder.named.push([letter, row.remoteKey, `${wallClockIn(start, timeZone)} → ${wallClockIn(end, timeZone)}`, row.lastError ?? '']);
        else builder.more += 1;
      }
      index += 1;
    } while (index < days.length && days[index]!.startMs < end);
  }
  const out: Record<string, StripDay> = {};
  for (const [index, builder] of [...builders].sort((a, b) => a[0] - b[0])) {
    flush(builder);
    const day = days[index]!;
    out[day.day] = [day.startMs, day.endMs, builder.tokens.join(' '), builder.named, builder.more];
  }
  return out;
}
