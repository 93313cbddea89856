export { AxisEdgeError, isAxisEdgeError, type AxisEdgeErrorCode, type AxisEdgeErrorOptions } from './errors.js';
export {
  createAxisEdgeClient,
  generalErrorOf,
  DEFAULT_CLIENT_OPTIONS,
  type AxisEdgeClient,
  type AxisEdgeClientOptions,
  type EdgeDisk,
  type ListRecordingsOptions,
  type RemoveResult,
  type VapixElement,
} from './client.js';
export { parseEdgeTime, type EdgeRecording } from './recording.js';
export { exportRecording, checkExportFile, type ExportFileCheck, type ExportFormat, type ExportRecordingOptions, type ExportResult } from './export-recording.js';
export { exportRecordings, exportFileName, type ExportRecordingsOptions, type ExportJobEvent, type ExportOutcome } from './export-recordings.js';
