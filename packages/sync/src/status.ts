import type { FleetConfig } from './config.js';
import { CopyLedger, type CopySummary } from './ledger-copies.js';
import { Ledger, type LedgerRecording } from './ledger.js';
import { cameraHorizon } from './camera-horizon.js';
import { lostByReason, type LostReason } from './ledger-horizon.js';
import { DEFAULT_RISK_MARGIN_MS, type ChannelHorizon } from './overwrite-horizon.js';

/** A stretch of time with no recording between two recordings the ledger knows. */
export interface CoverageGap {
  startMs: number;
  endMs: number;
}

/** What the archive holds for one camera channel. */
export interface ChannelStatus {
  channel: number;
  /** Recordings archived and verified (also those since deleted on the camera). */
  files: number;
  bytes: number;
  /** Camera-time days (`YYYY-MM-DD`) with at least one archived recording. */
  days: string[];
  /** Known but not archived yet. */
  pending: number;
  lost: number;
  /** Not archived and at least one failed attempt. */
  failing: number;
  firstMs: number | undefined;
  lastMs: number | undefined;
  /** Holes between known recordings longer than {@link GAP_TOLERANCE_MS}. */
  gaps: CoverageGap[];
  /**
   * The overwrite horizon: oldest and newest on the camera when last listed, retention, wrapping,
   * oldest pending, its overwrite instant and ETA, and the pending recordings at risk (`atRisk`,
   * `atRiskThroughMs`, `atRiskKeys`). Undefined before a run recorded what the camera holds.
   */
  horizon: ChannelHorizon | undefined;
}

export interface CameraStatus {
  name: string;
  kind: string;
  /** End of the last run that finished this camera without failure. */
  lastSuccessMs: number | undefined;
  lastRun: { status: string; finishedMs: number | undefined; error: string | undefined } | undefined;
  /** Consecutive failed runs up to the latest one. */
  failedRuns: number;
  channels: ChannelStatus[];
  /** Per target of the camera's recordings: verified, pending and failing copies, the oldest pending and its age. */
  copies: Array<CopySummary & { oldestPendingAgeMs: number | undefined }>;
  /** Archived recordings keep-local removed from the local disk (every target holds them verified). */
  offsiteOnly: number;
  /** Lost recordings by why: `overwritten` by the camera as its oldest, `deleted` from the middle, `unknown` (lost before reasons were recorded, or by verify). */
  lostReasons: Record<LostReason | 'unknown', number>;
}

export interface FleetStatus {
  archive: string;
  ledger: string;
  cameras: CameraStatus[];
}

/** Gaps shorter than this (clock jitter, the seconds between two files) are not gaps. */
export const GAP_TOLERANCE_MS = 120_000;

/** Gaps between recordings of one channel (any state: a lost recording was recorded). */
export function findCoverageGaps(rows: readonly Pick<LedgerRecording, 'startMs' | 'endMs'>[]): CoverageGap[] {
  const sorted = [...rows].sort((a, b) => a.startMs - b.startMs);
  const gaps: CoverageGap[] = [];
  let reach: number | undefined;
  for (const row of sorted) {
    if (reach !== undefined && row.startMs - reach > GAP_TOLERANCE_MS) gaps.push({ startMs: reach, endMs: row.startMs });
    reach = reach === undefined ? row.endMs : Math.max(reach, row.endMs);
  }
  return gaps;
}

/** `camdl status`: per camera and channel, from the ledger (no camera is contacted). */
export function fleetStatus(config: FleetConfig): FleetStatus {
  const ledger = Ledger.open(config.ledger, { readOnly: true });
  try {
    return { archive: config.archive, ledger: config.ledger, cameras: ledgerStatus(ledger, config.cameras, Date.now(), config.bandwidthMbps) };
  } finally {
    ledger.close();
  }
}

/** The status of some cameras from an open ledger (the local one, or a site's snapshot from a target). */
export function ledgerStatus(
  ledger: Ledger,
  cameraList: ReadonlyArray<{ name: string; kind: string; rateLimitMbps?: number; riskMarginMs?: number }>,
  now: number = Date.now(),
  bandwidthMbps = 0,
): CameraStatus[] {
  const copies = new CopyLedger(ledger);
  return cameraList.map((camera): CameraStatus => {
      const horizons = cameraHorizon(ledger, { name: camera.name, rateLimitMbps: camera.rateLimitMbps ?? 0, riskMarginMs: camera.riskMarginMs ?? DEFAULT_RISK_MARGIN_MS }, { now, bandwidthMbps });
      const runs = ledger.cameraRuns(camera.name);
      const lastOk = runs.find((run) => run.status === 'ok');
      let failedRuns = 0;
      for (const run of runs) {
        if (run.status === 'ok') break;
        if (run.status === 'failed') failedRuns += 1;
      }
      const latest = runs[0];
      return {
        name: camera.name,
        kind: camera.kind,
        lastSuccessMs: lastOk?.finishedMs ?? undefined,
        lastRun: latest ? { status: latest.status, finishedMs: latest.finishedMs ?? undefined, error: latest.error ?? undefined } : undefined,
        failedRuns,
        // Counted and spanned in SQL; only the days and the gaps come back as rows.
        channels: ledger.channelSummaries(camera.name).map((summary) => ({
          channel: summary.channel,
          files: summary.files,
          bytes: summary.bytes,
          days: ledger.archivedDays(camera.name, summary.channel),
          pending: summary.pending,
          lost: summary.lost,
          failing: summary.failing,
          firstMs: summary.firstMs,
          lastMs: summary.lastMs,
          gaps: ledger.coverageGaps(camera.name, summary.channel, GAP_TOLERANCE_MS),
          horizon: horizons.find((horizon) => horizon.channel === summary.channel),
        })),
        lostReasons: lostByReason(ledger, camera.name),
        copies: copies.summary(camera.name).map((copy) => ({ ...copy, oldestPendingAgeMs: copy.oldestPendingMs === undefined ? undefined : Math.max(0, now - copy.oldestPendingMs) })),
        offsiteOnly: copies.localRemoved(camera.name),
      };
    });
}
