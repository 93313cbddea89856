import { mergeMedia, type MergeMediaOptions, type MergeMediaResult } from '@camdl/media';
import type { Recording } from './find-recordings.js';

/** A downloaded recording: the local file and what the camera said about it. */
export interface DownloadedRecording {
  path: string;
  /** Videos only: snapshots (`jpg`) are never merged. */
  recording: Pick<Recording, 'start' | 'startTime'> & { kind: 'mp4' | 'dav' };
}

export interface MergeRecordingsOptions extends Omit<MergeMediaOptions, 'inputs' | 'window'> {
  /** The downloaded parts (any order: merged by their start instant). */
  recordings: readonly DownloadedRecording[];
  /**
   * The requested range (instants, e.g. `findRecordings().range`): the first and last parts are trimmed
   * to it as `trim` says. @default undefined (whole parts)
   */
  range?: { start: Date; end: Date } | undefined;
}

/**
 * Merges downloaded recordings with `@camdl/media`'s planner: ordered by their start instant, split on
 * the camera's wall-clock time (`split`), trimmed to `range` (`trim`), `.dav` read with ffmpeg's
 * `dhav` demuxer, a new output (`…_part2`) at each change of format unless `transcode`, every output
 * verified with ffprobe.
 */
export function mergeRecordings(options: MergeRecordingsOptions): Promise<MergeMediaResult> {
  const { recordings, range, ...rest } = options;
  return mergeMedia({
    ...rest,
    inputs: recordings.map(({ path, recording }) => ({ path, start: recording.start, cameraTime: recording.startTime, kind: recording.kind })),
    window: range,
  });
}
