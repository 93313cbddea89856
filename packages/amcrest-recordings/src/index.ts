export { AmcrestError, isAmcrestError, type AmcrestErrorCode, type AmcrestErrorOptions } from './errors.js';
export {
  parseTimeInput,
  assertTimeOrder,
  assertTimeZone,
  instantToCameraTime,
  describeTimeModel,
  type CameraTimeModel,
  type TimeInput,
} from './camera-time.js';
export { type FileKind, type RecordingItem } from './recording-item.js';
export {
  createAmcrestClient,
  type AmcrestClient,
  type AmcrestClientOptions,
  type SearchRecordingsOptions,
  type DeviceInfo,
} from './client.js';
export {
  normalizeEvents,
  normalizeRecordFlags,
  normalizeVideoStream,
  matchConditions,
  RECORD_FLAGS,
  VIDEO_STREAMS,
  KNOWN_EVENTS,
  type RecordFlag,
  type VideoStream,
  type SearchConditions,
} from './search-conditions.js';
export { planFromSearch, type PlanFromSearchOptions, type SearchPlanOutput, type SearchPlanPiece } from './search-plan.js';
export { getChannelCount, MAX_CHANNELS, type GetChannelCountOptions } from './channel-count.js';
export { getStorageInfo, type GetStorageInfoOptions, type StorageInfo } from './storage-info.js';
export { findRecordings, type FindRecordingsOptions, type FindRecordingsResult, type Recording, type SkippedItem } from './find-recordings.js';
export {
  downloadRecordings,
  partsDirectory,
  type DownloadRecordingsOptions,
  type RecordingDownloadEvent,
  type RecordingDownloadOutcome,
} from './download-recordings.js';
export { findGaps, type CoverageGap, type FindGapsOptions } from './gaps.js';
export { mergeRecordings, type MergeRecordingsOptions, type DownloadedRecording } from './merge-recordings.js';
export {
  runRecordingsJob,
  defaultOutputName,
  channelOutputName,
  SNAPSHOTS_DIRECTORY_NAME,
  type ChannelResult,
  type RecordingsJobOptions,
  type RecordingsJobEvent,
  type RecordingsJobOutcome,
  type RecordingsJobResult,
  type RecordingsPhase,
} from './recordings-job.js';
