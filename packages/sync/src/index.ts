export {
  loadConfig,
  parseConfig,
  parseTimeBound,
  selectCameras,
  DEFAULT_LAYOUT,
  CONFIG_KEYS,
  type FleetConfig,
  type CameraConfig,
  type CameraKind,
  type TimeBound,
  type PasswordSource,
  type LoadConfigOptions,
} from './config.js';
export { EXAMPLE_CONFIG } from './example-config.js';
export { Ledger, LEDGER_SCHEMA_VERSION, RECORDING_STATES, type LedgerRecording, type RecordingState, type LedgerRun, type LedgerCameraRun, type OpenLedgerOptions, type ListingCursor, type ListingPlanSummary, type ChannelSummary } from './ledger.js';
export { syncFleet, cameraWindow, SYNC_EXIT_CODES, type SyncEvent, type SyncFleetOptions, type SyncSummary, type CameraOutcome, type CameraOutcomeStatus } from './sync-fleet.js';
export { LEDGER_SNAPSHOT_KEY, type OffsiteEvent, type TargetOutcome } from './offsite-copies.js';
export { TARGET_KINDS, TARGET_KEYS, type TargetConfig, type S3TargetConfig, type RcloneTargetConfig, type DirectoryTargetConfig, type SecretSource } from './targets-config.js';
export type { TargetTuning } from './open-target.js';
export { COPY_STATES, type CopyState } from './ledger-copies-schema.js';
export type { CopySummary } from './ledger-copies.js';
export { verifyTarget, type TargetVerifyOptions, type TargetVerifyResult, type TargetVerifyProblem, type TargetVerifyEvent } from './verify-target.js';
export { restoreFromTarget, type RestoreOptions, type RestoreResult, type RestoreProblem, type RestoreEvent } from './restore.js';
export { targetFleetStatus, withTargetSites, type TargetFleetStatus, type SiteStatus, type TargetSite, type OpenSite, type TargetSitesOptions } from './target-sites.js';
export { fleetStatus, findCoverageGaps, GAP_TOLERANCE_MS, type FleetStatus, type CameraStatus, type ChannelStatus, type CoverageGap } from './status.js';
export { verifyArchive, type VerifyOptions, type VerifyResult, type VerifyProblem, type VerifyEvent } from './verify.js';
export { renderCoverageReport, renderSitesReport, COVERAGE_COLOURS, type CoverageReportOptions, type CoverageState } from './report.js';
export { renderLayout, validateLayout, type LayoutValues } from './layout.js';
export { parseDuration } from './duration.js';
export { sqliteAvailable } from './sqlite.js';
export type { RemoteRecording, CameraListing } from './sources/camera-source.js';
export { SyncError, isSyncError, type SyncErrorCode, type SyncErrorOptions } from './errors.js';
export { findArchiveLedger, archivedCoverage, type ArchivedCoverage } from './film-coverage.js';
