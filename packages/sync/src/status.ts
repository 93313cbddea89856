import { localTimeZone, PLAUSIBLE_TIME_AHEAD_MS, PLAUSIBLE_TIME_MIN_MS } from '@camdl/internal';
import { DEFAULT_ALERT_POLICY } from './alerts/monitoring-config.js';
import { selectCameras, type FleetConfig } from './config.js';
import { coverageDays, dayOf, DAY_STATES, isAtRisk, MAX_COVERAGE_DAYS, recorderOf, type AtRiskInput, type DayCoverage, type DayState } from './coverage-days.js';
import { CopyLedger, type CopySummary } from './ledger-copies.js';
import { Ledger, type LedgerRecording } from './ledger.js';
import { cameraVerdict, type CameraConcern } from './status-verdict.js';
import { cameraHorizon } from './camera-horizon.js';
import { lostByReason, type LostReason } from './ledger-horizon.js';
import { atRiskOfHorizon, DEFAULT_RISK_MARGIN_MS, type ChannelHorizon } from './overwrite-horizon.js';

/** A stretch of time with no recording between two recordings the ledger knows (what the camera did not record counts too: the raw holes, not what status calls a gap). */
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
  /** Pending recordings the camera may overwrite before camdl fetches them, where the overwrite horizon is known. */
  atRisk?: number | undefined;
  /** Timelapse: days between two archives (1 daily, 7 weekly), inferred from the archives; undefined when unknown. */
  periodDays: number | undefined;
  /** What the camera listed and camdl does not hold, and (Timelapse) the days its cadence expected an archive for and none came; oldest first. */
  gaps: ArchiveGap[];
  /**
   * The overwrite horizon: oldest and newest on the camera when last listed, retention, wrapping,
   * oldest pending, its overwrite instant and ETA, and the pending recordings at risk (`atRisk`,
   * `atRiskThroughMs`, `atRiskKeys`). Undefined before a run recorded what the camera holds.
   */
  horizon: ChannelHorizon | undefined;
}

/**
 * A run of camera days camdl does not hold and should: days with a recording the camera listed and camdl
 * never will hold (`lost`) or does not hold yet (`pending`, at risk included), and (Timelapse only) days
 * its cadence expected an archive for and none was listed (`missing`). The hours between Timelapse
 * archives and what a continuous recorder did not record are no gap.
 */
export interface ArchiveGap {
  reason: 'lost' | 'pending' | 'missing';
  /** First and last camera day (`YYYY-MM-DD`). */
  firstDay: string;
  lastDay: string;
  days: number;
  /** Recordings of that reason overlapping those days (0 for `missing`). */
  recordings: number;
}

/** `ok` ✓ nothing to do; `warn` ⚠ something to look at; `fail` ✗ footage is being or about to be lost (runs failing, silent, at risk). */
export type CameraVerdict = 'ok' | 'warn' | 'fail';

/** A day of the strip: a {@link DayState}, or `missing` for a day a Timelapse cadence expected an archive for and none came. */
export type StripState = DayState | 'missing';

/** Strip states, worst first: a camera day shows the worst of its channels. */
export const STRIP_STATES: readonly StripState[] = ['lost', 'missing', ...DAY_STATES.slice(1)];

/** One camera day of the strip: the worst state of its channels. */
export interface StripDay {
  day: string;
  state: StripState;
}

export interface CameraStatus {
  name: string;
  kind: string;
  /** The zone of the camera days (the strip, the gaps). */
  timeZone: string;
  verdict: CameraVerdict;
  /** Why the verdict is not `ok`, the worst first. */
  concerns: CameraConcern[];
  /** End of the last run that finished this camera without failure. */
  lastSuccessMs: number | undefined;
  lastRun: { status: string; finishedMs: number | undefined; error: string | undefined } | undefined;
  /** Consecutive failed runs up to the latest one. */
  failedRuns: number;
  /** The end of the newest recording when the camera answers but has recorded nothing new for longer than `camera-silent-after`. */
  silent: { newestMs: number | undefined; sinceMs: number } | undefined;
  /** The last {@link STRIP_DAYS} camera days, today last. */
  strip: StripDay[];
  channels: ChannelStatus[];
  /** Per target of the camera's recordings: verified, pending and failing copies, the oldest pending and its age. */
  copies: Array<CopySummary & { oldestPendingAgeMs: number | undefined }>;
  /** Archived recordings keep-local removed from the local disk (every target holds them verified). */
  offsiteOnly: number;
  /** Lost recordings by why: `overwritten` by the camera as its oldest, `deleted` from the middle, `unknown` (lost before reasons were recorded, or by verify). */
  lostReasons: Record<LostReason | 'unknown', number>;
}

/** The version of the `camdl status --json` document; raised when a field changes meaning or goes away. */
export const STATUS_JSON_VERSION = 1;

export interface FleetStatus {
  /** {@link STATUS_JSON_VERSION}. */
  version: number;
  archive: string;
  ledger: string;
  cameras: CameraStatus[];
}

/** Days in a camera's strip. */
export const STRIP_DAYS = 30;

export interface LedgerStatusOptions {
  /** @default Date.now() */
  now?: number;
  /** A camera that answers with nothing new for this long is silent. @default 2 days */
  silentAfterMs?: number;
  /** The fleet's global bandwidth limit in Mbps (0: none), for the time fetching what is at risk takes. @default 0 */
  bandwidthMbps?: number;
  /**
   * Which pending recordings of a camera channel are at risk of being overwritten, in place of the
   * overwrite horizon the ledger records (`undefined` for a channel: its horizon).
   * @default the overwrite horizon of each channel
   */
  atRiskOf?: ((camera: string, channel: number) => AtRiskInput | undefined) | undefined;
}

export interface FleetStatusOptions {
  /** Only these cameras, by name; an unknown name is a config error. @default every camera */
  cameras?: readonly string[] | undefined;
  /** @default Date.now() */
  now?: number;
}

/** A camera as status reads it: its name and kind, and its zone when the config gives one. */
export interface StatusCamera {
  name: string;
  kind: string;
  /** @default this computer's zone */
  timeZone?: string | undefined;
  /** The camera's own rate limit in Mbps (0: none). @default 0 */
  rateLimitMbps?: number;
  /** How close an overwrite may come before the footage is at risk. @default 24 hours */
  riskMarginMs?: number;
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
export function fleetStatus(config: FleetConfig, options: FleetStatusOptions = {}): FleetStatus {
  const cameras = selectCameras(config, options.cameras);
  const ledger = Ledger.open(config.ledger, { readOnly: true });
  try {
    return {
      version: STATUS_JSON_VERSION,
      archive: config.archive,
      ledger: config.ledger,
      cameras: ledgerStatus(ledger, cameras, { ...(options.now === undefined ? {} : { now: options.now }), silentAfterMs: config.alerts.cameraSilentAfterMs, bandwidthMbps: config.bandwidthMbps }),
    };
  } finally {
    ledger.close();
  }
}

const DAY_MS = 86_400_000;

function stripState(day: DayCoverage): StripState {
  return day.gap ? 'missing' : day.state;
}

/** Consecutive days of one reason are one gap. */
function archiveGaps(days: readonly DayCoverage[]): ArchiveGap[] {
  const gaps: ArchiveGap[] = [];
  let open: ArchiveGap | undefined;
  for (const day of days) {
    const reason = day.state === 'lost' ? 'lost' : day.state === 'pending' || day.state === 'at-risk' ? 'pending' : day.gap ? 'missing' : undefined;
    if (reason === undefined) {
      open = undefined;
      continue;
    }
    const recordings = reason === 'lost' ? day.lost : reason === 'pending' ? day.pending + day.atRisk : 0;
    if (open?.reason === reason) {
      open.lastDay = day.day;
      open.days += 1;
      open.recordings += recordings;
    } else {
      open = { reason, firstDay: day.day, lastDay: day.day, days: 1, recordings };
      gaps.push(open);
    }
  }
  return gaps;
}

/** The status of some cameras from an open ledger (the local one, or a site's snapshot from a target). */
export function ledgerStatus(ledger: Ledger, cameraList: readonly StatusCamera[], options: LedgerStatusOptions = {}): CameraStatus[] {
  const now = options.now ?? Date.now();
  const silentAfterMs = options.silentAfterMs ?? DEFAULT_ALERT_POLICY.cameraSilentAfterMs;
  const copies = new CopyLedger(ledger);
  return cameraList.map((camera): CameraStatus => {
    const timeZone = camera.timeZone ?? localTimeZone();
    const horizons = cameraHorizon(ledger, { name: camera.name, rateLimitMbps: camera.rateLimitMbps ?? 0, riskMarginMs: camera.riskMarginMs ?? DEFAULT_RISK_MARGIN_MS }, { now, bandwidthMbps: options.bandwidthMbps ?? 0 });
    const runs = ledger.cameraRuns(camera.name);
    const lastOk = runs.find((run) => run.status === 'ok');
    let failedRuns = 0;
    for (const run of runs) {
      if (run.status === 'ok') break;
      if (run.status === 'failed') failedRuns += 1;
    }
    const latest = runs[0];
    const firstRunMs = runs.at(-1)?.startedMs;
    const today = dayOf(now, timeZone);
    // Counted on the calendar, not in 24-hour steps (a DST change would move the first day).
    const stripFirstDay = new Date(Date.parse(`${today}T00:00:00Z`) - (STRIP_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    const summaries = ledger.channelSummaries(camera.name);
    // Every day from the first recording on (a plausible one, no later than the strip's start): the cadence and the gaps of the whole history.
    const earliest = Math.min(...summaries.map((summary) => summary.firstMs ?? now), firstRunMs ?? now);
    const historyDay = dayOf(Math.min(Math.max(earliest, PLAUSIBLE_TIME_MIN_MS, now - (MAX_COVERAGE_DAYS - 2) * DAY_MS), now), timeZone);
    const firstDay = historyDay < stripFirstDay ? historyDay : stripFirstDay;
    const knownSinceMs = firstRunMs === undefined && summaries.length === 0 ? Number.POSITIVE_INFINITY : Math.min(earliest, firstRunMs ?? earliest);
    const coverageOptions = { timeZone, firstDay, lastDay: today, recorder: recorderOf(camera.kind), knownSinceMs };
    const channels = summaries.map((summary) => {
      const horizon = horizons.find((candidate) => candidate.channel === summary.channel);
      const given = options.atRiskOf?.(camera.name, summary.channel);
      const atRisk = given ?? atRiskOfHorizon(horizon);
      // One pass over the rows: the calendar, the newest plausible end (a hostile 1e300 keeps no camera from being silent) and the given at-risk ones.
      let newestMs: number | undefined;
      let givenAtRisk = 0;
      function* tally(rows: Iterable<LedgerRecording>): Generator<LedgerRecording> {
        for (const row of rows) {
          if (Number.isFinite(row.endMs) && row.endMs <= now + PLAUSIBLE_TIME_AHEAD_MS) newestMs = Math.max(newestMs ?? row.endMs, row.endMs);
          if (isAtRisk(row, given)) givenAtRisk += 1;
          yield row;
        }
      }
      const days = coverageDays(tally(ledger.recordingsOf(camera.name, summary.channel)), { ...coverageOptions, atRisk });
      const channel: ChannelStatus = {
        channel: summary.channel,
        files: summary.files,
        bytes: summary.bytes,
        days: ledger.archivedDays(camera.name, summary.channel),
        pending: summary.pending,
        lost: summary.lost,
        failing: summary.failing,
        firstMs: summary.firstMs,
        lastMs: summary.lastMs,
        periodDays: days.periodDays,
        gaps: archiveGaps(days.days),
        horizon,
        ...(given !== undefined ? { atRisk: givenAtRisk } : horizon === undefined ? {} : { atRisk: horizon.atRiskCount }),
      };
      return { channel, days: days.days, newestMs };
    });
    const calendar = channels.length > 0 ? channels.map(({ days }) => days) : [coverageDays([], coverageOptions).days];
    const strip = calendar[0]!
      .map((day, index): StripDay => ({ day: day.day, state: STRIP_STATES[Math.min(...calendar.map((days) => STRIP_STATES.indexOf(stripState(days[index]!))))]! }))
      .filter((day) => day.day >= stripFirstDay);
    const newestMs = channels.reduce<number | undefined>((newest, channel) => (channel.newestMs === undefined ? newest : Math.max(newest ?? channel.newestMs, channel.newestMs)), undefined);
    const since = newestMs ?? firstRunMs;
    // A Timelapse camera that delivers once a week is not silent after two days.
    const periodMs = Math.max(0, ...channels.map(({ channel }) => (channel.periodDays ?? 0) * DAY_MS * 1.5));
    const silent = latest?.status === 'ok' && since !== undefined && now - since > Math.max(silentAfterMs, periodMs) ? { newestMs, sinceMs: since } : undefined;
    const status: Omit<CameraStatus, 'verdict' | 'concerns'> = {
      name: camera.name,
      kind: camera.kind,
      timeZone,
      lastSuccessMs: lastOk?.finishedMs ?? undefined,
      lastRun: latest ? { status: latest.status, finishedMs: latest.finishedMs ?? undefined, error: latest.error ?? undefined } : undefined,
      failedRuns,
      silent,
      strip,
      channels: channels.map(({ channel }) => channel),
      copies: copies.summary(camera.name).map((copy) => ({ ...copy, oldestPendingAgeMs: copy.oldestPendingMs === undefined ? undefined : Math.max(0, now - copy.oldestPendingMs) })),
      offsiteOnly: copies.localRemoved(camera.name),
      lostReasons: lostByReason(ledger, camera.name),
    };
    return { ...status, ...cameraVerdict(status) };
  });
}
