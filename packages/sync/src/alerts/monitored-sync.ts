import { selectCameras, type FleetConfig } from '../config.js';
import type { CameraLock } from '../camera-lock.js';
import { describeError, errorCode, isSyncError } from '../errors.js';
import { Ledger } from '../ledger.js';
import { writeMetricsTextfile } from '../metrics.js';
import { alertChannels, channelRefs, deliverToEach, pingEach, type ChannelRef, type DeliveryResult } from '../notify/notify-channels.js';
import { buildNotifyMessage, runSummaryText } from '../notify/notify-message.js';
import { syncFleet, type SyncEvent, type SyncFleetOptions, type SyncResult } from '../sync-fleet.js';
import { advanceAlerts } from './advance-alerts.js';
import type { MonitoringStore } from './monitoring-store.js';
import { measureDiskQuietly } from './disk-space.js';
import type { AlertKind, AlertRow, Notice, Observation } from './alert-kinds.js';
import { observeSyncRun, observeVerify, type RunFacts, type TargetTrouble } from './observe-run.js';
import { atRiskCameras } from './at-risk.js';
import { ledgerStatus } from '../status.js';

/** What the monitoring around a run did, for a CLI to render. Never carries a secret. */
export type MonitorEvent =
  | { type: 'alert'; notice: Notice }
  | { type: 'notify-sent'; channel: string; notices: number }
  | { type: 'notify-failed'; channel: string; reason: string }
  | { type: 'metrics-written'; path: string }
  | { type: 'metrics-failed'; path: string; reason: string }
  | { type: 'alert-state-failed'; reason: string };

/** Options of {@link runMonitoredSync}: those of `syncFleet` and where monitoring events go. */
export interface MonitoredSyncOptions extends SyncFleetOptions {
  /** Every monitoring event (alerts, deliveries, metrics). @default undefined */
  onMonitorEvent?: (event: MonitorEvent) => void;
  /** Measures the archive's disk. @default fs.statfs */
  measureDisk?: (path: string) => Promise<{ freeBytes: number; totalBytes: number } | undefined>;
}

interface EvaluateInput {
  config: FleetConfig;
  observations: Observation[];
  covers: (kind: AlertKind, subject: string) => boolean;
  now: number;
  env: NodeJS.ProcessEnv;
  emit: (event: MonitorEvent) => void;
}

/**
 * Advances the alert state in the ledger with what a run found, then delivers to every alert
 * channel what it has not received yet (this run's notices and those a failed delivery left). A
 * ledger that cannot hold state still gets its condition sent (every run, having nowhere to remember).
 */
export async function evaluateAlerts(input: EvaluateInput): Promise<{ open: AlertRow[]; deliveries: DeliveryResult[] }> {
  const { config, now, emit } = input;
  const refs = alertChannels(channelRefs(config.notify));
  let ledger: Ledger | undefined;
  try {
    ledger = Ledger.open(config.ledger, { now: () => now });
  } catch (error) {
    emit({ type: 'alert-state-failed', reason: describeError(error) });
  }
  if (ledger === undefined) {
    const notices = input.observations.map((observation): Notice => ({ event: 'opened', kind: observation.kind, subject: observation.subject, camera: observation.camera, sinceMs: now, atMs: now, message: observation.message, action: observation.action, items: [...(observation.items ?? [])] }));
    for (const notice of notices) emit({ type: 'alert', notice });
    if (notices.length === 0) return { open: [], deliveries: [] };
    const message = buildNotifyMessage(notices, [], { now });
    const deliveries = await deliverToEach(refs, () => message, input.env);
    for (const result of deliveries) emit(result.ok ? { type: 'notify-sent', channel: result.shown, notices: notices.length } : { type: 'notify-failed', channel: result.shown, reason: result.reason ?? 'failed' });
    return { open: [], deliveries };
  }
  try {
    const store = ledger.monitoring();
    const { rows, notices } = store.advance(
      (previous) => advanceAlerts({ previous, observations: input.observations, covers: input.covers, policy: config.alerts, now }),
      refs.map((ref) => ref.label),
      now,
    );
    for (const notice of notices) emit({ type: 'alert', notice });
    if (refs.length === 0) return { open: rows.filter((row) => row.state === 'open'), deliveries: [] };
    // Another run delivering the outbox now (cron overlap) would send what this one reads: wait for it.
    const claim = await claimAlertDelivery(ledger, Math.max(...refs.map((ref) => ref.config.timeoutMs)) + 5_000);
    // Still held: what is new here stays in the outbox for the next run.
    if (claim === undefined) return { open: rows.filter((row) => row.state === 'open'), deliveries: [] };
    try {
      return await deliverOutbox(store, refs, rows, { now, env: input.env, emit });
    } finally {
      await claim.release();
    }
  } finally {
    ledger.close();
  }
}

/** Waits up to `waitMs` for the claim on alert delivery; undefined when another run still holds it. */
async function claimAlertDelivery(ledger: Ledger, waitMs: number): Promise<CameraLock | undefined> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    try {
      return await ledger.claimAlertDelivery();
    } catch (error) {
      // A lock folder this user cannot write: deliver unclaimed (a message twice rather than none).
      if (!isSyncError(error, 'ERR_SYNC_CAMERA_BUSY')) return { path: '', release: async () => {} };
    }
    if (performance.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends each channel what it has not received yet (this run's notices and those a failed delivery left). */
async function deliverOutbox(
  store: MonitoringStore,
  refs: readonly ChannelRef[],
  rows: readonly AlertRow[],
  options: { now: number; env: NodeJS.ProcessEnv; emit: (event: MonitorEvent) => void },
): Promise<{ open: AlertRow[]; deliveries: DeliveryResult[] }> {
  const { now, emit } = options;
  const batches = new Map(refs.map((ref) => [ref.label, store.pending(ref.label)]));
  const deliveries = await deliverToEach(
    refs,
    (ref) => {
      const batch = batches.get(ref.label);
      return batch && batch.notices.length > 0 ? buildNotifyMessage(batch.notices, rows, { now }) : undefined;
    },
    options.env,
  );
  for (const result of deliveries) {
    const batch = batches.get(result.channel);
    store.recordDelivery(result.channel, result.kind, { ok: result.ok, deliveredUpTo: batch?.lastId }, now);
    emit(result.ok ? { type: 'notify-sent', channel: result.shown, notices: batch?.notices.length ?? 0 } : { type: 'notify-failed', channel: result.shown, reason: result.reason ?? 'failed' });
  }
  return { open: rows.filter((row) => row.state === 'open'), deliveries };
}

/**
 * What the off-site events of a run say about each target: why it went down, the first upload that
 * failed on the target's side (a local file that no longer matches is verify's matter, not the
 * target's) and the first conflict. Read by type name, so a build without targets passes them by.
 */
function noteTargetEvent(targets: Map<string, TargetTrouble>, event: SyncEvent): void {
  const loose = event as { type: string; target?: unknown; message?: unknown; error?: unknown; code?: unknown; path?: unknown };
  if (typeof loose.target !== 'string') return;
  const trouble = targets.get(loose.target) ?? { failures: 0 };
  const code = typeof loose.code === 'string' ? loose.code : undefined;
  if (loose.type === 'target-down' && trouble.down === undefined && typeof loose.message === 'string') {
    trouble.down = { message: loose.message, code };
  } else if (loose.type === 'upload-failed' && code !== 'ERR_SYNC_VERIFY_FAILED' && typeof loose.error === 'string') {
    trouble.failures += 1;
    trouble.failed ??= { error: loose.error, code };
  } else if (loose.type === 'upload-conflict' && typeof loose.path === 'string') {
    trouble.conflict ??= loose.path;
  } else {
    return;
  }
  targets.set(loose.target, trouble);
}

async function pingAll(refs: readonly ChannelRef[], event: 'start' | 'success' | 'fail', body: string, emit: (event: MonitorEvent) => void, ledgerPath: string, now: number): Promise<void> {
  const results = await pingEach(refs, event, body);
  if (results.length === 0) return;
  let ledger: Ledger | undefined;
  try {
    ledger = Ledger.open(ledgerPath, { now: () => now });
    const store = ledger.monitoring();
    for (const result of results) store.recordDelivery(result.channel, result.kind, { ok: result.ok }, now);
  } catch {
    // Counting is best effort: a ledger that cannot count is an alert of its own.
  } finally {
    ledger?.close();
  }
  for (const result of results) if (!result.ok) emit({ type: 'notify-failed', channel: result.shown, reason: result.reason ?? 'failed' });
}

/**
 * `camdl sync` with its monitoring: a healthchecks `/start` ping, the run, then the conditions it
 * found (alert state in the ledger, one message per alert channel), a success or `/fail` ping, and
 * the metrics textfile. Nothing here changes what was archived or the exit code: a channel that
 * fails is reported as an event and retried on the next run. A run that throws (config, ledger,
 * crash) is alerted as `run-failed`/`ledger-error` and the error is thrown again after.
 */
export async function runMonitoredSync(config: FleetConfig, options: MonitoredSyncOptions = {}): Promise<SyncResult> {
  const emit = options.onMonitorEvent ?? (() => {});
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  if (options.dryRun) return syncFleet(config, options);
  const pings = channelRefs(config.notify).filter((ref) => ref.config.kind === 'healthchecks');
  const started = pingAll(pings, 'start', '', emit, config.ledger, now());
  const lost = new Map<string, string[]>();
  const deleted = new Map<string, string[]>();
  let diskFull: string | undefined;
  const targets = new Map<string, TargetTrouble>();
  let result: SyncResult | undefined;
  let failure: unknown;
  // `run-done` stays the last event of a run: it is passed on after the monitoring's own events.
  let runDone: SyncEvent | undefined;
  try {
    result = await syncFleet(config, {
      ...options,
      onEvent: (event) => {
        if (event.type === 'lost') {
          const byReason = event.reason === 'deleted' ? deleted : lost;
          byReason.set(event.camera, [...(byReason.get(event.camera) ?? []), event.remoteName]);
        }
        if (event.type === 'disk-full') diskFull = event.message;
        noteTargetEvent(targets, event);
        if (event.type === 'run-done') runDone = event;
        else options.onEvent?.(event);
      },
    });
  } catch (error) {
    failure = error;
  }
  await started;
  const finish = (): SyncResult => {
    if (runDone !== undefined) options.onEvent?.(runDone);
    if (failure !== undefined || result === undefined) throw failure;
    return result;
  };
  // Stop now (a second Ctrl+C, SIGTERM): no channel may hold the exit; the next run says what is open.
  if (options.signal?.aborted) return finish();
  const at = now();
  const interrupted = result?.summary.interrupted ?? false;
  const disk = await (options.measureDisk ?? measureDiskQuietly)(config.archive);
  let recency: RunFacts['recency'] = new Map();
  let atRisk: RunFacts['atRisk'] = [];
  let silent: RunFacts['silent'];
  try {
    const ledger = Ledger.open(config.ledger, { readOnly: true });
    try {
      recency = ledger.monitoring().cameraRecency();
      atRisk = atRiskCameras(ledger, selectCameras(config, options.cameras), { now: at, bandwidthMbps: config.bandwidthMbps });
      silent = statusSilence(ledger, selectCameras(config, options.cameras), recency, { now: at, silentAfterMs: config.alerts.cameraSilentAfterMs, bandwidthMbps: config.bandwidthMbps });
    } finally {
      ledger.close();
    }
  } catch {
    // No ledger: ledger-error or run-failed says so.
  }
  const facts: RunFacts = {
    configFile: config.file,
    archive: config.archive,
    summary: result?.summary,
    runError: failure === undefined ? undefined : { message: describeError(failure), code: errorCode(failure) },
    lost,
    deleted,
    atRisk,
    disk,
    diskFull,
    recency,
    silent,
    targets,
    now: at,
  };
  // An interrupted run says nothing about what recovered; a run that failed still says what it found.
  const { observations, covers } = observeSyncRun(facts, config.alerts);
  const { open } = await evaluateAlerts({ config, observations, covers: interrupted ? () => false : covers, now: at, env, emit });
  const failed = failure !== undefined || open.length > 0;
  await pingAll(pings, failed ? 'fail' : 'success', runSummaryText(result?.summary, failure === undefined ? undefined : describeError(failure), open), emit, config.ledger, at);
  if (config.metrics.textfile !== undefined) {
    try {
      await writeMetricsTextfile(config, config.metrics.textfile, { now: at, disk });
      emit({ type: 'metrics-written', path: config.metrics.textfile });
    } catch (error) {
      emit({ type: 'metrics-failed', path: config.metrics.textfile, reason: describeError(error) });
    }
  }
  return finish();
}

/** After `camdl verify`: opens or closes `verify-failed` per camera and tells the alert channels. */
export async function recordVerifyAlerts(
  config: FleetConfig,
  verified: { cameras: readonly string[]; problems: Parameters<typeof observeVerify>[1]; complete: boolean },
  options: { now?: () => number; env?: NodeJS.ProcessEnv; onMonitorEvent?: (event: MonitorEvent) => void } = {},
): Promise<{ open: AlertRow[]; deliveries: DeliveryResult[] }> {
  const { observations, covers } = observeVerify(verified.cameras, verified.problems, config.file);
  return evaluateAlerts({
    config,
    observations,
    // An interrupted verify looked at only some files: it can open, never close.
    covers: verified.complete ? covers : () => false,
    now: (options.now ?? Date.now)(),
    env: options.env ?? process.env,
    emit: options.onMonitorEvent ?? (() => {}),
  });
}

/**
 * `camdl status`'s verdict on silence for the cameras whose newest recording is older than
 * `camera-silent-after` (only those get the status's full look, with their cadence): the alert and the
 * status never disagree on a silent camera.
 */
function statusSilence(
  ledger: Ledger,
  cameras: ReturnType<typeof selectCameras>,
  recency: RunFacts['recency'],
  options: { now: number; silentAfterMs: number; bandwidthMbps: number },
): NonNullable<RunFacts['silent']> {
  const silent = new Map<string, { sinceMs: number; newestMs: number | undefined } | undefined>();
  for (const camera of cameras) {
    const seen = recency.get(camera.name);
    const since = seen?.newestMs ?? seen?.firstRunMs;
    if (since === undefined || options.now - since <= options.silentAfterMs) continue;
    silent.set(camera.name, ledgerStatus(ledger, [camera], options)[0]?.silent);
  }
  return silent;
}
