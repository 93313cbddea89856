import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ALERT_KINDS } from './alerts/alert-kinds.js';
import { horizonFamilies } from './horizon-metrics.js';
import { measureDiskQuietly } from './alerts/disk-space.js';
import type { FleetConfig } from './config.js';
import { CopyLedger } from './ledger-copies.js';
import { Ledger, RECORDING_STATES } from './ledger.js';
import { channelRefs } from './notify/notify-channels.js';

/** One sample of a metric family. */
export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family of the Prometheus text exposition format. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: MetricSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isInteger(value) ? value.toFixed(0) : String(value);
}

/**
 * Renders families in the Prometheus text exposition format 0.0.4 (`# HELP`, `# TYPE`, samples;
 * label values escaped). The same text goes to the node_exporter textfile and `camdl serve /metrics`.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const family of families) {
    if (!NAME.test(family.name)) throw new Error(`not a metric name: ${family.name}`);
    out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      for (const [key] of labels) if (!LABEL.test(key)) throw new Error(`not a label name: ${key}`);
      const text = labels.length === 0 ? '' : `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
      out.push(`${family.name}${text} ${formatValue(sample.value)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * The metrics of an archive, from its ledger (opened read-only) and its disk: last run and last
 * success (of the fleet and per camera), camera up, recordings by state, archived bytes, the age of
 * the oldest pending recording, open alerts by kind, notification deliveries and failures. Names
 * follow Prometheus conventions: `camdl_` prefix, base units, `_total` counters, `_timestamp_seconds`.
 */
export async function collectMetrics(config: FleetConfig, options: { now?: number; disk?: { freeBytes: number; totalBytes: number } | undefined } = {}): Promise<MetricFamily[]> {
  const now = options.now ?? Date.now();
  const disk = options.disk ?? (await measureDiskQuietly(config.archive));
  const families: MetricFamily[] = [];
  const family = (name: string, help: string, type: MetricFamily['type'], samples: MetricSample[]): void => {
    families.push({ name, help, type, samples });
  };
  let ledger: Ledger | undefined;
  try {
    ledger = Ledger.open(config.ledger, { readOnly: true });
  } catch {
    ledger = undefined;
  }
  family('camdl_ledger_up', 'Whether the ledger could be opened (1) or not (0).', 'gauge', [{ value: ledger ? 1 : 0 }]);
  try {
    const runs = ledger?.runs(50) ?? [];
    const lastRun = runs.find((run) => run.finishedMs !== null);
    const lastOk = runs.find((run) => run.status === 'ok' && run.finishedMs !== null);
    family('camdl_last_run_timestamp_seconds', 'End of the last finished camdl sync run.', 'gauge', lastRun ? [{ value: seconds(lastRun.finishedMs!) }] : []);
    family('camdl_last_run_exit_code', 'Exit code of the last finished camdl sync run.', 'gauge', lastRun ? [{ value: lastRun.exitCode ?? 0 }] : []);
    family('camdl_last_success_timestamp_seconds', 'End of the last camdl sync run that archived everything.', 'gauge', lastOk ? [{ value: seconds(lastOk.finishedMs!) }] : []);
    const lastRunSamples: MetricSample[] = [];
    const lastSuccessSamples: MetricSample[] = [];
    const upSamples: MetricSample[] = [];
    for (const camera of config.cameras) {
      const cameraRuns = ledger?.cameraRuns(camera.name, 20) ?? [];
      const last = cameraRuns.find((run) => run.finishedMs !== null && run.status !== 'busy');
      const ok = cameraRuns.find((run) => run.status === 'ok' && run.finishedMs !== null);
      const labels = { camera: camera.name };
      if (last) lastRunSamples.push({ labels, value: seconds(last.finishedMs!) });
      if (ok) lastSuccessSamples.push({ labels, value: seconds(ok.finishedMs!) });
      upSamples.push({ labels, value: last?.status === 'ok' ? 1 : 0 });
    }
    family('camdl_camera_last_run_timestamp_seconds', 'End of the camera part of the last run.', 'gauge', lastRunSamples);
    family('camdl_camera_last_success_timestamp_seconds', 'End of the last run that listed and fetched the camera without failure.', 'gauge', lastSuccessSamples);
    family('camdl_camera_up', 'Whether the last run of the camera succeeded (1) or not (0).', 'gauge', upSamples);
    const store = ledger?.monitoring();
    const figures = store?.recordingFigures() ?? [];
    const recordings: MetricSample[] = [];
    const archived: MetricSample[] = [];
    for (const camera of config.cameras) {
      let bytes = 0;
      for (const state of RECORDING_STATES) {
        const row = figures.find((figure) => figure.camera === camera.name && figure.state === state);
        recordings.push({ labels: { camera: camera.name, state }, value: row?.count ?? 0 });
        if (state === 'verified' || state === 'deleted-on-camera') bytes += row?.bytes ?? 0;
      }
      archived.push({ labels: { camera: camera.name }, value: bytes });
    }
    family('camdl_recordings', 'Recordings the ledger knows, by camera and state.', 'gauge', recordings);
    family('camdl_archived_bytes', 'Bytes of verified recordings in the archive, by camera.', 'gauge', archived);
    const recency = store?.cameraRecency() ?? new Map();
    // One sample a configured camera; a camera whose value is undefined has no sample.
    const perCamera = (value: (camera: string) => number | undefined): MetricSample[] =>
      config.cameras.flatMap((camera) => {
        const sample = value(camera.name);
        return sample === undefined ? [] : [{ labels: { camera: camera.name }, value: sample }];
      });
    const oldestPending = (camera: string): number => {
      const oldest = recency.get(camera)?.oldestPendingMs;
      return oldest === undefined ? 0 : Math.max(0, seconds(now - oldest));
    };
    const newest = (camera: string): number | undefined => {
      const newestMs = recency.get(camera)?.newestMs;
      return newestMs === undefined ? undefined : seconds(newestMs);
    };
    family('camdl_oldest_pending_age_seconds', 'Age of the oldest recording listed but not archived yet (0 when none).', 'gauge', perCamera(oldestPending));
    family('camdl_newest_recording_timestamp_seconds', 'End of the newest recording the camera listed.', 'gauge', perCamera(newest));
    if (ledger) horizonFamilies(ledger, config, now, family);
    if (ledger && config.targets.length > 0) copyFamilies(ledger, config, now, family);
    const alerts = store?.all() ?? [];
    family(
      'camdl_alerts_open',
      'Open alert conditions, by kind.',
      'gauge',
      ALERT_KINDS.map((kind) => ({ labels: { kind }, value: alerts.filter((row) => row.kind === kind && row.state === 'open').length })),
    );
    const counters = store?.counters() ?? [];
    const refs = channelRefs(config.notify);
    const channels = [...new Set([...refs.map((ref) => ref.label), ...counters.map((counter) => counter.channel)])].sort();
    const kindOf = (channel: string): string => refs.find((ref) => ref.label === channel)?.config.kind ?? counters.find((counter) => counter.channel === channel)?.kind ?? 'unknown';
    const counted = (name: string, help: string, field: 'sent' | 'failures'): void =>
      family(name, help, 'counter', channels.map((channel) => ({ labels: { channel, kind: kindOf(channel) }, value: counters.find((counter) => counter.channel === channel)?.[field] ?? 0 })));
    counted('camdl_notify_sent_total', 'Messages and pings delivered, by channel.', 'sent');
    counted('camdl_notify_failures_total', 'Deliveries that failed (retried on the next run), by channel.', 'failures');
  } finally {
    ledger?.close();
  }
  // Without the ledger nothing of its figures is known: no sample (a counter at 0 would be a reset to
  // Prometheus, then a jump back; a 0 of open alerts would say all is well).
  if (!ledger) for (const known of families.slice(1)) known.samples = [];
  family('camdl_archive_free_bytes', 'Free bytes on the file system of the archive (for the user camdl runs as).', 'gauge', disk ? [{ value: disk.freeBytes }] : []);
  family('camdl_archive_size_bytes', 'Size of the file system of the archive.', 'gauge', disk ? [{ value: disk.totalBytes }] : []);
  return families;
}

/** The states of `camdl_copies`: each copy is in exactly one. */
const COPY_STATES = ['verified', 'pending', 'failing', 'conflict'] as const;

/**
 * Copies by target and state, and the age of the oldest copy not yet verified per target, over
 * the cameras that copy to each target now (a camera taken off a target no longer counts there).
 */
function copyFamilies(ledger: Ledger, config: FleetConfig, now: number, family: (name: string, help: string, type: MetricFamily['type'], samples: MetricSample[]) => void): void {
  const copies = new CopyLedger(ledger);
  const totals = new Map(config.targets.map((target) => [target.name, { verified: 0, pending: 0, failing: 0, conflict: 0, oldest: undefined as number | undefined }]));
  for (const camera of config.cameras) {
    for (const row of copies.summary(camera.name)) {
      const total = totals.get(row.target);
      if (!total || !camera.targets.includes(row.target)) continue;
      total.verified += row.verified;
      // `pending` of the ledger holds the failing ones too: the gauge keeps the states apart.
      total.pending += row.pending - row.failing;
      total.failing += row.failing;
      total.conflict += row.conflict;
      if (row.oldestPendingMs !== undefined && (total.oldest === undefined || row.oldestPendingMs < total.oldest)) total.oldest = row.oldestPendingMs;
    }
  }
  family(
    'camdl_copies',
    'Off-site copies by target and state (verified; pending: not tried yet; failing: an attempt failed; conflict: another object at the key).',
    'gauge',
    [...totals].flatMap(([target, total]) => COPY_STATES.map((state) => ({ labels: { target, state }, value: total[state] }))),
  );
  family(
    'camdl_copy_oldest_pending_age_seconds',
    'Age of the oldest copy not yet verified on the target (0 when none).',
    'gauge',
    [...totals].map(([target, total]) => ({ labels: { target }, value: total.oldest === undefined ? 0 : Math.max(0, seconds(now - total.oldest)) })),
  );
}

/** Writes the metrics as a node_exporter textfile: a temporary file beside it, fsynced, then renamed (never half a file). */
export async function writeMetricsTextfile(config: FleetConfig, path: string, options: { now?: number; disk?: { freeBytes: number; totalBytes: number } | undefined } = {}): Promise<void> {
  const text = renderExposition(await collectMetrics(config, options));
  // node_exporter reads only *.prom: the temporary name is invisible to it.
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
