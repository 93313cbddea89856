export { createTimelapseClient, type TimelapseClient, type ApiDetection, type ArchiveListing, type ArchiveDownloadOptions } from './client.js';
export { DEFAULT_CLIENT_OPTIONS, type TimelapseClientOptions } from './options.js';
export { TIMELAPSE_API_CHOICES, timelapseCapabilities, type TimelapseApi, type TimelapseApiChoice, type TimelapseCapabilities, type QuerySpelling } from './api.js';
export { type TimelapseArchive } from './archive.js';
export { downloadArchives, type ArchiveRunEvent, type DownloadArchivesOptions, type DownloadArchivesSummary } from './download-archives.js';
export {
  runTimelapseJob,
  canDelete,
  type TimelapseJobEvent,
  type TimelapseJobMode,
  type TimelapseJobOptions,
  type TimelapseJobOutcome,
  type TimelapseJobResult,
  type TimelapsePhase,
} from './timelapse-job.js';
export { assignLocalNames } from './safe-file-name.js';
export { filterArchives, toNamePattern, parseTimeBound, assertTimeBoundsOrder, type ArchiveFilter } from './filters.js';
export { TimelapseError, isTimelapseError, type TimelapseErrorCode, type TimelapseErrorOptions } from './errors.js';
export { verifyArchiveFile, isArchiveContentType, timelapse2V1FileSize, type ArchiveFileCheck } from './verify-archive-file.js';
