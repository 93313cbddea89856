export { AmcrestError, isAmcrestError, type AmcrestErrorCode, type AmcrestErrorOptions } from './errors.js';
export { parseKeyValueBody, classifyErrorBody, checkCameraBody, type KeyValueBody, type KeyValueNode } from './key-value.js';
export { buildQuery, encodeQueryComponent, encodeFilePath } from './query.js';
export {
  parseTimeInput,
  instantToCameraTime,
  cameraTimeToInstant,
  cameraTimeCandidates,
  cameraWindowForInstants,
  offsetFromCameraClock,
  zoneOffsetMinutes,
  describeTimeModel,
  formatOffset,
  isWallClock,
  assertTimeZone,
  type CameraTimeModel,
  type TimeInput,
} from './camera-time.js';
export { fileKindOf, type FileKind, type RecordingItem } from './recording-item.js';
export {
  createAmcrestClient,
  type AmcrestClient,
  type AmcrestClientOptions,
  type SearchRecordingsOptions,
  type DeviceInfo,
} from './client.js';
export {
  findRecordings,
  measureCameraTimeModel,
  recordingFileName,
  resolveInstants,
  type FindRecordingsOptions,
  type FindRecordingsResult,
  type Recording,
  type SkippedItem,
} from './find-recordings.js';
export {
  downloadRecordings,
  partsDirectory,
  PARTS_DIRECTORY_NAME,
  type DownloadRecordingsOptions,
  type RecordingDownloadEvent,
  type RecordingDownloadOutcome,
} from './download-recordings.js';
export { findGaps, type CoverageGap, type FindGapsOptions } from './gaps.js';
export { findFfmpeg, probeMedia, FFMPEG_INSTALL_HINT, type FfmpegTools, type FindFfmpegOptions, type MediaInfo } from './ffmpeg-tools.js';
export {
  mergeRecordings,
  concatListLine,
  MERGE_FORMATS,
  type MergeFormat,
  type MergeInput,
  type MergeRecordingsOptions,
  type MergeResult,
} from './merge-recordings.js';
