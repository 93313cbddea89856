export { createTimelapseClient, type TimelapseClient, type ApiDetection, type ArchiveListing, type ArchiveDownloadOptions } from './client.js';
export { DEFAULT_CLIENT_OPTIONS, type TimelapseClientOptions } from './options.js';
export { TIMELAPSE_API_CHOICES, apiFromAppInfo, type TimelapseApi, type TimelapseApiChoice } from './api.js';
export { parseArchiveList, archiveKey, type TimelapseArchive, type ArchiveListParseResult, type ArchiveListParseContext } from './archive.js';
export {
  buildArchiveRequest,
  pythonQuote,
  timelapse2V1QueryValue,
  timelapse2V1UnsupportedReason,
  timelapse3UnsupportedReason,
  type ArchiveRequest,
} from './archive-request.js';
export { downloadArchives, joinLikeSeed, type ArchiveRunEvent, type DownloadArchivesOptions, type DownloadArchivesSummary } from './download-archives.js';
export { toSafeFileName, assignLocalNames, FALLBACK_FILE_NAME } from './safe-file-name.js';
export { filterArchives, toNamePattern, parseTimeBound, type ArchiveFilter } from './filters.js';
export { TimelapseError, isTimelapseError, type TimelapseErrorCode, type TimelapseErrorContext } from './errors.js';
