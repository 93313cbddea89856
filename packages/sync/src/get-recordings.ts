import { join, resolve } from 'node:path';
import { assertKnownTimeZone } from '@camdl/internal';
import { CAMERA_KINDS, MAX_AMCREST_CONNECTIONS, parseHost, parseTimeBound, type CameraConfig, type CameraKind, type FleetConfig, type TimeBound } from './config.js';
import { DEFAULT_ALERT_POLICY } from './alerts/monitoring-config.js';
import { SyncError } from './errors.js';
import { Ledger } from './ledger.js';
import { DEFAULT_RISK_MARGIN_MS } from './overwrite-horizon.js';
import type { SyncOutcome } from './run-outcome.js';
import { syncFleet, type SyncEvent, type SyncSummary } from './sync-fleet.js';

/** Options of {@link getRecordings}. */
export interface GetRecordingsOptions {
  /** The camera's kind. */
  kind: CameraKind;
  /** `host`, `host:port` or `http(s)://host[:port]`, as in the config. */
  host: string;
  /** The camera user. @default the kind's usual administrator (`root` Axis, `admin` Amcrest and Hikvision) */
  username?: string | undefined;
  /** The password (never printed, never in a URL). */
  password: string;
  /** Window start: camera wall-clock time `2026-01-16T20:00:00`, an instant with `Z` or an offset, or a duration before now (`12h`). */
  since: string;
  /** Window end, written like `since`. @default now */
  until?: string | undefined;
  /** The camera's IANA zone. @default this computer's zone (hikvision: the recorder's own offset) */
  timeZone?: string | undefined;
  /** The folder the files go to (created); its `.camdl/` keeps what a second run needs to skip what is there. */
  out: string;
  /** Amcrest and Hikvision channels, or `all`. @default [1] */
  channels?: number[] | 'all' | undefined;
  /** axis-edge: the disk. @default every disk */
  disk?: string | undefined;
  /** axis-edge: the export container. @default 'matroska' */
  format?: 'matroska' | 'mp4' | undefined;
  /** Accept any TLS certificate. @default false */
  insecure?: boolean | undefined;
  /** PEM file of the CA that signed the camera's certificate. @default undefined */
  caFile?: string | undefined;
  /** Mbps; 0 = unlimited. @default 0 */
  rateLimitMbps?: number | undefined;
  /** Seconds per request. @default 60 */
  timeoutSec?: number | undefined;
  /** Retries per file. @default 3 */
  maxRetries?: number | undefined;
  /** Aborts at once (running downloads keep their `.part`). @default undefined */
  signal?: AbortSignal | undefined;
  /** Asked before each new file; false starts no more. @default () => true */
  shouldContinue?: (() => boolean) | undefined;
  /** The events of the sync job. @default undefined */
  onEvent?: ((event: SyncEvent) => void) | undefined;
  /** Clock (the window's "now"). @default Date.now */
  now?: (() => number) | undefined;
}

/** One file of the window, verified. */
export interface GotFile {
  /** Absolute path. */
  path: string;
  channel: number;
  startMs: number;
  endMs: number;
  /** Camera wall-clock start `YYYY-MM-DD HH:MM:SS`. */
  cameraStart: string;
}

/** What {@link getRecordings} did: the sync's outcome and summary, and every verified file of the window. */
export interface GetRecordingsResult {
  outcome: SyncOutcome;
  summary: SyncSummary;
  /** Oldest first per channel (this run's and those a previous run left verified in `out`). */
  files: GotFile[];
}

function usage(message: string): SyncError {
  return new SyncError(message, { code: 'ERR_SYNC_CONFIG' });
}

function bound(name: string, text: string | undefined): TimeBound | undefined {
  if (text === undefined) return undefined;
  const parsed = parseTimeBound(text);
  if (!parsed) throw usage(`${name} must be a duration (12h, 2d) or an ISO date/time in camera time (2026-01-16T20:00:00), got ${JSON.stringify(text)}`);
  return parsed;
}

/**
 * The one camera of {@link getRecordings} as a config camera: the same checks and defaults as a fleet
 * config's, errors `ERR_SYNC_CONFIG` naming the option.
 */
export function getCameraConfig(options: Omit<GetRecordingsOptions, 'password' | 'signal' | 'shouldContinue' | 'onEvent' | 'now'>): CameraConfig {
  if (!CAMERA_KINDS.includes(options.kind)) throw usage(`kind must be ${CAMERA_KINDS.join(', ')}, got ${JSON.stringify(options.kind)}`);
  const url = parseHost(options.host);
  if (typeof url === 'string') throw usage(`host ${url}`);
  const since = bound('since', options.since);
  if (since === undefined) throw usage('since is required (the start of the window)');
  const until = bound('until', options.until);
  if (options.timeZone !== undefined) {
    try {
      assertKnownTimeZone(options.timeZone);
    } catch {
      throw usage(`time-zone: unknown IANA zone ${JSON.stringify(options.timeZone)} (e.g. Europe/Berlin)`);
    }
  }
  const searched = options.kind === 'amcrest' || options.kind === 'hikvision';
  if (options.channels !== undefined && !searched) throw usage('channels apply to amcrest and hikvision cameras only');
  if (options.channels !== undefined && options.channels !== 'all' && (options.channels.length === 0 || options.channels.some((channel) => !Number.isInteger(channel) || channel < 0 || channel > 999))) {
    throw usage('channels must be channel numbers (1, 2) or all');
  }
  if ((options.disk !== undefined || options.format !== undefined) && options.kind !== 'axis-edge') throw usage('disk and format apply to axis-edge cameras only');
  if (options.disk !== undefined && !/^[\w.-]{1,64}$/.test(options.disk)) throw usage(`disk must be a disk id such as SD_DISK, got ${JSON.stringify(options.disk)}`);
  const format = options.format ?? 'matroska';
  if (format !== 'matroska' && format !== 'mp4') throw usage(`format must be matroska or mp4, got ${JSON.stringify(format)}`);
  const number = (name: string, value: number | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < min) throw usage(`${name} must be a number of at least ${min}, got ${value}`);
    return value;
  };
  // The camera's name in the lines and the ledger: its host, as a folder-safe name.
  const name = url.hostname.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'camera';
  return {
    name,
    kind: options.kind,
    url,
    username: options.username ?? (options.kind === 'timelapse' ? undefined : options.kind === 'axis-edge' ? 'root' : 'admin'),
    password: { kind: 'none' },
    insecure: options.insecure ?? false,
    caFile: options.caFile === undefined ? undefined : resolve(options.caFile),
    rateLimitMbps: number('rate-limit', options.rateLimitMbps, 0, 0),
    since,
    until,
    deleteAfter: false,
    channels: searched ? (options.channels ?? [1]) : [0],
    timeZone: options.timeZone,
    connections: options.kind === 'amcrest' ? MAX_AMCREST_CONNECTIONS : 1,
    types: undefined,
    timeoutMs: number('timeout', options.timeoutSec, 60, 1) * 1000,
    disk: options.disk,
    format,
    maxRetries: Math.floor(number('max-retries', options.maxRetries, 3, 0)),
    targets: [],
    keepLocalMs: undefined,
    riskMarginMs: DEFAULT_RISK_MARGIN_MS,
    line: 0,
  };
}

/**
 * `camdl get` as a library job: one camera's window downloaded into `out` by the sync itself (the same
 * listing, atomic files, container and size checks, hostile names made safe), as a fleet of one
 * whose layout is the folder itself. Nothing is ever deleted on the camera. A second run into the same
 * folder fetches only what is missing.
 */
export async function getRecordings(options: GetRecordingsOptions): Promise<GetRecordingsResult> {
  // Held in memory only, as a config's password would be after reading it.
  const camera: CameraConfig = { ...getCameraConfig(options), password: options.password === '' ? { kind: 'none' } : { kind: 'inline', value: options.password } };
  const archive = resolve(options.out);
  const config: FleetConfig = {
    file: join(archive, '.camdl', 'camdl get'),
    archive,
    ledger: join(archive, '.camdl', 'ledger.sqlite'),
    bandwidthMbps: 0,
    layout: '{file}',
    uploadBandwidthMbps: 0,
    targets: [],
    cameras: [camera],
    notify: [],
    alerts: DEFAULT_ALERT_POLICY,
    metrics: { textfile: undefined },
  };
  const now = options.now ?? Date.now;
  const startedAt = now();
  const { outcome, summary } = await syncFleet(config, {
    now,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.shouldContinue ? { shouldContinue: options.shouldContinue } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const ledger = Ledger.open(config.ledger, { readOnly: true });
  try {
    // The window's files: listed by the camera in this run (a previous get into the same folder may have fetched others).
    const files = ledger
      .allRecordings()
      .filter((row) => row.camera === camera.name && row.state === 'verified' && row.localPath !== null && row.lastSeenMs >= startedAt)
      .map((row) => ({ path: join(archive, row.localPath!), channel: row.channel, startMs: row.startMs, endMs: row.endMs, cameraStart: row.cameraStart }));
    return { outcome, summary, files };
  } finally {
    ledger.close();
  }
}
