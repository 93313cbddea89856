export { HikvisionError, isHikvisionError, type HikvisionErrorCode, type HikvisionErrorOptions } from './errors.js';
export {
  createHikvisionClient,
  normalizeClientOptions,
  DEFAULT_CLIENT_OPTIONS,
  type HikvisionClient,
  type HikvisionClientOptions,
  type HikvisionChannel,
  type HikvisionDeviceInfo,
  type IsapiAnswer,
  type IsapiElement,
  type IsapiCallOptions,
} from './client.js';
export {
  toIsapiTime,
  fromIsapiTime,
  wallClockAt,
  instantOfWallClock,
  posixZoneOffsetMinutes,
  type ClockModel,
  type DeviceTime,
  type WallClock,
} from './device-clock.js';
export { parsePosixZone, posixZoneOffsetAt, type PosixZone, type PosixRule } from './posix-zone.js';
export { recordingFileName, sizeFromPlaybackUri, type HikvisionRecording } from './recording.js';
export { searchRecordings, type SearchRecordingsOptions } from './search-recordings.js';
export { downloadRequestBody, type DownloadRecordingOptions, type RecordingDownloadResult } from './download-recording.js';
export { downloadRecordings, type DownloadRecordingsOptions, type RecordingTransferEvent, type RecordingOutcome } from './download-recordings.js';
export { parseUserCheck, type UserCheck } from './user-check.js';
