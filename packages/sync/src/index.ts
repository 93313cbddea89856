export {
  loadConfig,
  parseConfig,
  parseTimeBound,
  selectCameras,
  DEFAULT_LAYOUT,
  CONFIG_KEYS,
  CAMERA_KINDS,
  type FleetConfig,
  type CameraConfig,
  type CameraKind,
  type TimeBound,
  type PasswordSource,
  type LoadConfigOptions,
} from './config.js';
export { EXAMPLE_CONFIG } from './example-config.js';
export { getRecordings, getCameraConfig, type GetRecordingsOptions, type GetRecordingsResult, type GotFile } from './get-recordings.js';
export { LEDGER_SCHEMA_VERSION, RECORDING_STATES, type LedgerRecording, type RecordingState, type LedgerRun, type LedgerCameraRun, type CameraRunCounts, type OpenLedgerOptions, type ListingCursor, type ListingPlanSummary, type ChannelSummary } from './ledger.js';
export { syncFleet, cameraWindow, type SyncEvent, type SyncResult, type SyncFleetOptions, type SyncSummary, type DryRunPlan, type CameraOutcome, type CameraOutcomeStatus } from './sync-fleet.js';
export type { SyncOutcome } from './run-outcome.js';
export { LEDGER_SNAPSHOT_KEY, type OffsiteEvent, type TargetOutcome } from './offsite-copies.js';
export { TARGET_KINDS, TARGET_KEYS, type TargetConfig, type S3TargetConfig, type RcloneTargetConfig, type DirectoryTargetConfig, type SecretSource } from './targets-config.js';
export type { TargetTuning } from './open-target.js';
export { COPY_STATES, type CopyState } from './ledger-copies-schema.js';
export type { CopySummary } from './ledger-copies.js';
export { verifyTarget, type TargetVerifyOptions, type TargetVerifyResult, type TargetVerifyProblem, type TargetVerifyEvent } from './verify-target.js';
export { restoreFromTarget, type RestoreOptions, type RestoreResult, type RestoreProblem, type RestoreEvent } from './restore.js';
export { targetFleetStatus, withTargetSites, type TargetFleetStatus, type SiteStatus, type TargetSite, type OpenSite, type TargetSitesOptions } from './target-sites.js';
export {
  fleetStatus,
  findCoverageGaps,
  GAP_TOLERANCE_MS,
  STATUS_JSON_VERSION,
  STRIP_DAYS,
  type FleetStatus,
  type FleetStatusOptions,
  type CameraStatus,
  type CameraVerdict,
  type ChannelStatus,
  type CoverageGap,
  type StripDay,
  type StripState,
  type ArchiveGap,
  STRIP_STATES,
} from './status.js';
export type { CameraConcern } from './status-verdict.js';
export { silentText } from './report-verdict.js';
export { coverageDays, dayOf, dayStartMs, recorderOf, DAY_STATES, MAX_COVERAGE_DAYS, type AtRiskInput, type CoverageDays, type CoverageDaysOptions, type DayCoverage, type DayGap, type DayRecording, type DayState, type RecorderKind } from './coverage-days.js';
export { verifyArchive, type VerifyOptions, type VerifyResult, type VerifyProblem, type VerifyEvent } from './verify.js';
export { renderCoverageReport, renderSitesReport, COVERAGE_COLOURS, type CoverageReportOptions, type CoverageState } from './report.js';
export { renderLayout, validateLayout, type LayoutValues } from './layout.js';
export { parseDuration } from './duration.js';
export { sqliteAvailable } from './sqlite.js';
export type { RemoteRecording, CameraListing, OutsideWindow } from './sources/camera-source.js';
export { SyncError, isSyncError, type SyncErrorCode, type SyncErrorOptions } from './errors.js';
export { findArchiveLedger, archivedCoverage, type ArchivedCoverage } from './film-coverage.js';
export { ALERT_KINDS, type AlertKind, type AlertRow, type Notice, type Observation } from './alerts/alert-kinds.js';
export { DEFAULT_ALERT_POLICY, parseMinFree, type AlertPolicy, type MetricsConfig, type MonitoringConfig, type NotifyChannelConfig, type NotifyChannelKind } from './alerts/monitoring-config.js';
export { advanceAlerts, type AdvanceAlertsInput } from './alerts/advance-alerts.js';
export { runMonitoredSync, recordVerifyAlerts, type MonitoredSyncOptions, type MonitorEvent } from './alerts/monitored-sync.js';
export { healthReport, openAlerts, DEFAULT_HEALTH_MAX_AGE_MS, type HealthReport } from './alerts/health.js';
export { startMonitorServer, EXPOSITION_CONTENT_TYPE, type MonitorServer, type MonitorServerOptions } from './alerts/monitor-server.js';
export { collectMetrics, renderExposition, writeMetricsTextfile, type MetricFamily, type MetricSample } from './metrics.js';
export { NOTIFY_SCHEMA_VERSION, type NotifyMessage, type NotifyNotice } from './notify/notify-message.js';
export { webhookSignature } from './notify/http-channels.js';
export { channelRefs, type ChannelRef, type DeliveryResult } from './notify/notify-channels.js';
export { sendTestNotifications } from './notify/notify-test.js';
export { deriveHorizon, describeHorizon, describeDuration, DEFAULT_RISK_MARGIN_MS, type ChannelHorizon, type HorizonOptions, type RetentionSource } from './overwrite-horizon.js';
export type { LostReason, Holdings, CameraStorage } from './ledger-horizon.js';
