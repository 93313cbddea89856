import type { AtRiskInput } from './coverage-days.js';
import type { Holdings, PendingRecording } from './ledger-horizon.js';

/** The default `risk-margin`: a day. */
export const DEFAULT_RISK_MARGIN_MS = 86_400_000;

/** A card this full (used / total) is wrapping: the camera overwrites its oldest to record. */
const FULL_CARD = 0.98;

/** How long the retention behind the figures is, and where it comes from. */
export type RetentionSource = 'reported' | 'observed' | 'capacity';

/** What is known of one camera channel's overwrite horizon at an instant. */
export interface ChannelHorizon {
  channel: number;
  /** When the camera was last listed (undefined: never). */
  observedMs: number | undefined;
  /** Oldest start and newest end the camera held then, and how many. */
  oldestOnCameraMs: number | undefined;
  newestOnCameraMs: number | undefined;
  countOnCamera: number | undefined;
  /** The card's size and use, when the camera says. */
  totalBytes: number | undefined;
  usedBytes: number | undefined;
  /** How long the camera keeps a recording (start to overwrite); undefined when nothing says. */
  retentionMs: number | undefined;
  retentionSource: RetentionSource | undefined;
  /** The camera drops its oldest to record (the oldest moved forward between runs, or the card is full). */
  wrapping: boolean;
  pendingCount: number;
  /** Start of the oldest recording not archived yet. */
  oldestPendingMs: number | undefined;
  /** When the camera will overwrite the oldest pending recording, and how long from now (negative: due). */
  overwriteAtMs: number | undefined;
  etaMs: number | undefined;
  /** Some pending footage will be overwritten within the margin or before it can be fetched. */
  atRisk: boolean;
  /** Pending recordings starting at or before this instant are at risk (the oldest first). */
  atRiskThroughMs: number | undefined;
  atRiskCount: number;
  atRiskKeys: string[];
  /** At risk only because the camera's own rate-limit is slower than the fleet's bandwidth. */
  rateBound: boolean;
}

/** What the derivation needs besides the ledger's figures. */
export interface HorizonOptions {
  /** The instant ETAs are measured from (ms since the epoch). */
  now: number;
  /** At risk when the overwrite is closer than this. @default 86400000 (a day) */
  riskMarginMs?: number;
  /** The camera's download rate in bytes/s (its rate-limit and the fleet's bandwidth); 0 = unlimited. @default 0 */
  bytesPerSecond?: number;
  /** The rate without the camera's own rate-limit (the fleet's bandwidth), bytes/s; 0 = unlimited. @default 0 */
  fleetBytesPerSecond?: number;
  /** Most at-risk keys to name. @default 100 */
  maxKeys?: number;
}

/** Whether the oldest the camera holds is the camera's own oldest (not the edge of a listing window). */
function trueOldest(holdings: Holdings): boolean {
  return holdings.oldestMs !== null && (holdings.windowStartMs === null || holdings.oldestMs > holdings.windowStartMs);
}

/** Whether the camera is dropping its oldest: its oldest moved forward between the last two listings, or its card is full. */
export function isWrapping(history: readonly Holdings[]): boolean {
  const last = history.at(-1);
  if (last === undefined) return false;
  if (last.totalBytes !== null && last.usedBytes !== null && last.totalBytes > 0 && last.usedBytes / last.totalBytes >= FULL_CARD) return true;
  const listed = history.filter((holdings) => holdings.count > 0 && trueOldest(holdings));
  const [before, after] = listed.slice(-2);
  return before !== undefined && after !== undefined && after === last && after.oldestMs! > before.oldestMs!;
}

/**
 * How long the camera keeps a recording: the retention its app reports; else, when it wraps, the
 * span it holds (oldest start to newest end); else, with the card's figures, the span it will hold
 * when full (the span held × total / used). Undefined when nothing says.
 */
export function retentionOf(history: readonly Holdings[]): { ms: number; source: RetentionSource } | undefined {
  const last = history.at(-1);
  if (last === undefined) return undefined;
  if (last.retentionMs !== null && last.retentionMs > 0) return { ms: last.retentionMs, source: 'reported' };
  if (last.oldestMs === null || last.newestMs === null || !trueOldest(last)) return undefined;
  const span = last.newestMs - last.oldestMs;
  if (span <= 0) return undefined;
  if (isWrapping(history)) return { ms: span, source: 'observed' };
  if (last.totalBytes !== null && last.usedBytes !== null && last.usedBytes > 0 && last.totalBytes > last.usedBytes) {
    return { ms: Math.round((span * last.totalBytes) / last.usedBytes), source: 'capacity' };
  }
  return undefined;
}

/**
 * One channel's horizon: from the holdings history (oldest first) and the pending recordings
 * (oldest first), each pending recording is overwritten at its start + the retention. At risk: a
 * pending recording whose overwrite is closer than the margin, or closer than the time to fetch it
 * and every older pending one at the camera's rate (unknown sizes count as the average known one).
 */
export function deriveHorizon(channel: number, history: readonly Holdings[], pending: readonly PendingRecording[], options: HorizonOptions): ChannelHorizon {
  const last = history.at(-1);
  const retention = retentionOf(history);
  const margin = options.riskMarginMs ?? DEFAULT_RISK_MARGIN_MS;
  const maxKeys = options.maxKeys ?? 100;
  const oldest = pending[0];
  const overwriteAtMs = retention !== undefined && oldest !== undefined ? oldest.startMs + retention.ms : undefined;
  const known = pending.filter((recording) => recording.size !== null);
  const averageSize = known.length > 0 ? known.reduce((sum, recording) => sum + recording.size!, 0) / known.length : 0;
  const riskyThrough = (bytesPerSecond: number): number => {
    let through = -1;
    if (retention === undefined) return through;
    let bytes = 0;
    pending.forEach((recording, index) => {
      bytes += recording.size ?? averageSize;
      const left = recording.startMs + retention.ms - options.now;
      const fetchMs = bytesPerSecond > 0 ? (bytes / bytesPerSecond) * 1000 : 0;
      if (left < margin || left < fetchMs) through = index;
    });
    return through;
  };
  const through = riskyThrough(options.bytesPerSecond ?? 0);
  const withoutCameraLimit = riskyThrough(options.fleetBytesPerSecond ?? 0);
  const atRisk = pending.slice(0, through + 1);
  return {
    channel,
    observedMs: last?.observedMs,
    oldestOnCameraMs: last?.oldestMs ?? undefined,
    newestOnCameraMs: last?.newestMs ?? undefined,
    countOnCamera: last?.count,
    totalBytes: last?.totalBytes ?? undefined,
    usedBytes: last?.usedBytes ?? undefined,
    retentionMs: retention?.ms,
    retentionSource: retention?.source,
    wrapping: isWrapping(history),
    pendingCount: pending.length,
    oldestPendingMs: oldest?.startMs,
    overwriteAtMs,
    etaMs: overwriteAtMs === undefined ? undefined : overwriteAtMs - options.now,
    atRisk: atRisk.length > 0,
    atRiskThroughMs: atRisk.at(-1)?.startMs,
    atRiskCount: atRisk.length,
    atRiskKeys: atRisk.slice(0, maxKeys).map((recording) => recording.remoteKey),
    rateBound: through > withoutCameraLimit,
  };
}

/** A camera's risk-first priority: the soonest overwrite of its channels' oldest pending (smaller goes first); Infinity when none is known. */
export function overwritePriority(horizons: readonly ChannelHorizon[]): number {
  return Math.min(Number.POSITIVE_INFINITY, ...horizons.map((horizon) => horizon.overwriteAtMs ?? Number.POSITIVE_INFINITY));
}

/** `3 h 20 min`, `2 days 4 h`, `45 s`: a span for a person. */
export function describeDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 > 0 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} days${hours % 24 > 0 ? ` ${hours % 24} h` : ''}`;
}

/** `YYYY-MM-DD HH:MM UTC`, or `invalid` for what no date can show. */
function reportInstant(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? 'invalid' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The day model's at-risk input from a channel's horizon: pending recordings starting at or before `atRiskThroughMs`. */
export function atRiskOfHorizon(horizon: ChannelHorizon | undefined): AtRiskInput | undefined {
  const throughMs = horizon?.atRiskThroughMs;
  return throughMs === undefined ? undefined : { beforeMs: throughMs + 1 };
}

/**
 * One line for a person: what the camera held when last listed, how long it keeps footage and
 * whether it wraps, the oldest pending and when it will be overwritten, and AT RISK when it is.
 * `options.time` writes its instants in the format of the output it is part of.
 */
export function describeHorizon(
  horizon: ChannelHorizon,
  options: {
    /** How an instant is written. @default `2026-01-16 20:00 UTC` (the report's form) */
    time?: (ms: number) => string;
  } = {},
): string {
  const instant = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? 'unknown' : (options.time ?? reportInstant)(ms));
  const held = horizon.countOnCamera === undefined ? 'not listed yet' : `${horizon.countOnCamera} on the camera (${instant(horizon.oldestOnCameraMs)} .. ${instant(horizon.newestOnCameraMs)})`;
  const card = horizon.totalBytes !== undefined && horizon.usedBytes !== undefined ? `, card ${Math.round((horizon.usedBytes / Math.max(1, horizon.totalBytes)) * 100)}% full` : '';
  const keeps = horizon.retentionMs === undefined ? 'retention unknown' : `keeps ~${describeDuration(horizon.retentionMs)} (${horizon.retentionSource})`;
  const pending =
    horizon.oldestPendingMs === undefined
      ? 'nothing pending'
      : `oldest pending ${instant(horizon.oldestPendingMs)}${horizon.etaMs === undefined ? '' : horizon.etaMs <= 0 ? ', overwrite due now' : `, overwritten in ${describeDuration(horizon.etaMs)}`}`;
  const risk = horizon.atRisk ? `; AT RISK: ${horizon.atRiskCount} recording(s)${horizon.rateBound ? ' (the camera rate-limit is too slow)' : ''}` : '';
  return `${held}${card}; ${keeps}${horizon.wrapping ? ', wrapping' : ''}; ${pending}${risk}`;
}
