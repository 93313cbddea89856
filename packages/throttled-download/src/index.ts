export { download } from './download.js';
export {
  DownloadAgent,
  parseRetryAfterValue,
  readText,
  smallRequest,
  type ComposableDispatcher,
  type DispatchOnly,
  type DownloadAgentOptions,
  type SmallRequestOptions,
  type SmallResponse,
  type SmallResponseBody,
} from './lean/index.js';
export { downloadWithProgress, type DownloadWithProgress } from './download-with-progress.js';
export { probeRemoteSize } from './probe-remote-size.js';
export { RateLimiter, BYTES_PER_SECOND_PER_MBPS, type Rate, type RateLimiterOptions } from './rate-limiter.js';
export { createThrottleStream, type ThrottleStreamOptions } from './throttle-stream.js';
export { DownloadError, isDownloadError, type DownloadErrorCode, type DownloadErrorOptions } from './errors.js';
export { DEFAULT_DOWNLOAD_OPTIONS } from './options.js';
export type {
  BackoffOptions,
  DownloadEvent,
  DownloadOptions,
  DownloadProgress,
  DownloadResult,
  ExistingPolicy,
  ProbeOptions,
  RemoteSize,
  RestartReason,
  SkipReason,
} from './types.js';
export { transferOptions, type TransferOptions } from './transfer-options.js';
export { forwardTransferEvents, type TransferEvent, type RecordingTransferOutcome, type JobPhaseEvent, type JobWarningEvent } from './transfer-event.js';
export { temporaryPaths, TEMPORARY_DIRECTORY_NAME, type TemporaryPaths } from './part-file.js';
export { deviceAgent, type DeviceClientOptions } from './device-client-options.js';
export { recordBatchFailure, type BatchItem } from './batch-failure.js';
