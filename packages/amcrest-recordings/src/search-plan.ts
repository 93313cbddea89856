import { outputName, type MergeFormat, type SplitMode } from '@camdl/media';
import { wallClockToMs } from './camera-time.js';
import type { Recording } from './find-recordings.js';

/** One recording's share of a planned output. */
export interface SearchPlanPiece {
  fileName: string;
  filePath: string;
  kind: Recording['kind'];
  /** Camera wall-clock start and end of the share (a recording crossing midnight is in two day outputs). */
  from: string;
  to: string;
  seconds: number;
  /** The whole recording's size (`Length`), downloaded once even when it is shared by two outputs. */
  size: number | undefined;
}

/** An output a merge would write, as far as the search can tell (no download, no probe). */
export interface SearchPlanOutput {
  path: string;
  /** `2026-01-16` (split day) or `2026-01-16 20h` (split hour). */
  label: string | undefined;
  pieces: SearchPlanPiece[];
  /** Seconds of recording the search lists for it (within the requested range). */
  seconds: number;
  /** Bytes to download for it (whole recordings). */
  bytes: number;
}

export interface PlanFromSearchOptions {
  /** The merged file (per-day/hour outputs are named after it, as the merge names them). */
  output: string;
  /** The container of the outputs (their extension, when `output` has none). */
  format: MergeFormat;
  /** @default 'none' */
  split?: SplitMode | undefined;
  /** The requested range: shares outside it are left out (what the trim will cut). @default undefined */
  range?: { start: Date; end: Date } | undefined;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function wallText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function labelOf(wallMs: number, split: SplitMode): string | undefined {
  if (split === 'none') return undefined;
  const text = wallText(wallMs);
  return split === 'day' ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 13)}h`;
}

/**
 * What a merge of these recordings would write, from the search alone (pure): outputs per camera day
 * or hour with `split` — a recording crossing midnight (or the hour) counts in both, as the merge cuts it
 * there — each with its recordings, seconds and bytes. Stream parameters (codec, resolution, audio) are only
 * known once the parts are downloaded and probed: a change there adds `…_part2` outputs this plan cannot show.
 */
export function planFromSearch(recordings: readonly Recording[], options: PlanFromSearchOptions): SearchPlanOutput[] {
  const split = options.split ?? 'none';
  const outputs = new Map<string, SearchPlanOutput>();
  const ordered = [...recordings].sort((a, b) => a.start.getTime() - b.start.getTime());
  for (const recording of ordered) {
    let from = recording.start.getTime();
    let to = recording.end.getTime();
    if (options.range) {
      from = Math.max(from, options.range.start.getTime());
      to = Math.min(to, options.range.end.getTime());
      if (to <= from && !(recording.durationSeconds === 0 && from === to)) continue;
    }
    // Camera wall clock runs at this recording's offset (its label's instant vs its wall-clock text).
    const shift = wallClockToMs(recording.startTime) - recording.start.getTime();
    let wallFrom = from + shift;
    const wallTo = to + shift;
    const step = split === 'day' ? DAY_MS : HOUR_MS;
    do {
      const boundary = split === 'none' ? wallTo : Math.min(wallTo, (Math.floor(wallFrom / step) + 1) * step);
      const label = labelOf(wallFrom, split);
      const path = outputName(options.output, label, 1, options.format);
      let output = outputs.get(path);
      if (!output) {
        output = { path, label, pieces: [], seconds: 0, bytes: 0 };
        outputs.set(path, output);
      }
      const seconds = (boundary - wallFrom) / 1000;
      output.pieces.push({
        fileName: recording.fileName,
        filePath: recording.filePath,
        kind: recording.kind,
        from: wallText(wallFrom),
        to: wallText(boundary),
        seconds,
        size: recording.size,
      });
      output.seconds += seconds;
      output.bytes += recording.size ?? 0;
      wallFrom = boundary;
    } while (wallFrom < wallTo);
  }
  return [...outputs.values()];
}
