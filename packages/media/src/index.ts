export { MediaError, isMediaError, type MediaErrorCode, type MediaErrorOptions } from './errors.js';
export { findFfmpeg, FFMPEG_INSTALL_HINT, type FfmpegTools, type FindFfmpegOptions } from './ffmpeg-tools.js';
export {
  probeMedia,
  keyframeTimes,
  type MediaProbe,
  type ProbeMediaOptions,
  type KeyframeTimes,
  type StreamFormat,
  type VideoFormat,
  type AudioFormat,
} from './probe-media.js';
export {
  planMerge,
  describePlan,
  describeFormat,
  describeChange,
  formatKey,
  outputName,
  splitStretches,
  MERGE_FORMATS,
  SPLIT_MODES,
  TRIM_MODES,
  TRANSCODE_MODES,
  type MergeFormat,
  type SplitMode,
  type TrimMode,
  type TranscodeMode,
  type PlanPart,
  type PlanOptions,
  type PlannedPiece,
  type PlannedOutput,
  type MergePlan,
} from './merge-plan.js';
export {
  mergeMedia,
  concatListLine,
  type MergeInput,
  type MergeEvent,
  type MergeMediaOptions,
  type MergeMediaResult,
  type MergedOutput,
} from './merge-media.js';
export { findFilmSources, coverageFromAmcrestName, type FilmSource, type Coverage, type CoverageOrigin, type FindFilmSourcesOptions } from './film-sources.js';
export { createFilm, type CreateFilmOptions, type FilmEvent, type FilmPlan, type FilmPart, type FilmResult } from './create-film.js';
