import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayStartMs, parseConfig, type FleetConfig, type RemoteRecording } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { ledgerInternals } from '../src/ledger.js';

const HOUR = 3_600_000;

/** A camera of a fixture ledger: its recordings, their fates and its runs. */
export interface FixtureCamera {
  name: string;
  kind: 'timelapse' | 'amcrest';
  timeZone: string;
  /** Days of history up to the day before `now` (camera time). */
  days: number;
  /** `hourly`: back-to-back hour files (an Amcrest); `daily`: one 06:00–18:00 archive a day (a Timelapse). */
  cadence: 'hourly' | 'daily';
  /** Day offsets (0 = the oldest day) whose recordings vanished before camdl held them. */
  lostDays?: number[];
  /** Day offsets whose recordings are listed but not archived yet. */
  pendingDays?: number[];
  /** Day offsets with no recording at all. */
  missingDays?: number[];
  /** The latest runs failed (this many), with this error. */
  failedRuns?: number;
  /** The newest recordings stop this many days before `now` (the camera answers but records nothing). */
  silentDays?: number;
}

const dayStarts = new Map<string, number>();

/** {@link dayStartMs}, remembered: forty cameras of one zone share their three years of midnights. */
function dayStartOf(day: string, timeZone: string): number {
  const key = `${timeZone}|${day}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    start = dayStartMs(day, timeZone);
    dayStarts.set(key, start);
  }
  return start;
}

/**
 * A fleet config and a ledger with months or years of history written through the Ledger API
 * (listing, states, runs), without running syncs: what the report reads.
 */
export function writeFixtureFleet(dir: string, cameras: readonly FixtureCamera[], now: number): FleetConfig {
  const lines = ['archive: ./archive', 'cameras:'];
  for (const camera of cameras) lines.push(`  - name: ${JSON.stringify(camera.name)}`, `    kind: ${camera.kind}`, '    host: http://127.0.0.1:9', `    time-zone: ${camera.timeZone}`);
  const file = join(dir, 'camdl.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const config = parseConfig(`${lines.join('\n')}\n`, file);
  mkdirSync(join(config.archive, '.camdl'), { recursive: true });
  let clock = now - 3 * HOUR;
  const ledger = Ledger.open(config.ledger, { now: () => clock });
  try {
    const internals = ledgerInternals(ledger);
    for (const camera of cameras) {
      const today = new Date(now).toISOString().slice(0, 10);
      const firstDay = Date.parse(`${today}T00:00:00Z`) - camera.days * 86_400_000;
      const recordings: RemoteRecording[] = [];
      const fates = new Map<string, 'lost' | 'listed'>();
      for (let offset = 0; offset < camera.days - (camera.silentDays ?? 0); offset += 1) {
        if (camera.missingDays?.includes(offset)) continue;
        const day = new Date(firstDay + offset * 86_400_000).toISOString().slice(0, 10);
        const dayStart = dayStartOf(day, camera.timeZone);
        const slots = camera.cadence === 'hourly' ? Array.from({ length: 24 }, (_, hour) => [dayStart + hour * HOUR, dayStart + (hour + 1) * HOUR] as const) : [[dayStart + 6 * HOUR, dayStart + 18 * HOUR] as const];
        for (const [startMs, endMs] of slots) {
          const key = camera.cadence === 'hourly' ? `/mnt/sd/${day}/001/dav/${new Date(startMs).toISOString().slice(11, 13)}/rec.mp4` : `${camera.name}_${day}.mp4`;
          recordings.push({ channel: camera.kind === 'amcrest' ? 1 : 0, remoteKey: key, remoteName: key, fileName: key.replace(/\//g, '_'), startMs, endMs, cameraStart: `${day} 00:00:00`, size: 1000 });
          if (camera.lostDays?.includes(offset)) fates.set(key, 'lost');
          else if (camera.pendingDays?.includes(offset)) fates.set(key, 'listed');
        }
      }
      ledger.stageListing(camera.name, recordings, new Map());
      ledger.recordListing(camera.name);
      ledger.dropListing(camera.name);
      internals.transaction(() => {
        const verify = internals.statement(`UPDATE recordings SET state = 'verified', local_path = camera || '/' || id || '.mp4', local_size = 1000, sha256 = 'x', verified_ms = ? WHERE camera = ?`);
        verify.run(clock, camera.name);
        const fate = internals.statement(`UPDATE recordings SET state = ?, local_path = NULL, local_size = NULL, verified_ms = NULL, last_error = ? WHERE camera = ? AND remote_key = ?`);
        for (const [key, state] of fates) fate.run(state, state === 'lost' ? 'vanished from the camera before it was fetched' : null, camera.name, key);
      });
    }
    // Runs: a successful one for every camera, then the failures of those that fail.
    const ok = ledger.startRun({ dryRun: false });
    for (const camera of cameras) {
      ledger.startCameraRun(ok, camera.name);
      ledger.finishCameraRun(ok, camera.name, { status: 'ok', listed: 1, downloaded: 1, bytes: 1000, failed: 0, lost: 0, deleted: 0 });
    }
    ledger.finishRun(ok, 'ok');
    const failing = cameras.filter((camera) => (camera.failedRuns ?? 0) > 0);
    for (let run = 0; run < Math.max(0, ...failing.map((camera) => camera.failedRuns ?? 0)); run += 1) {
      clock += HOUR;
      const id = ledger.startRun({ dryRun: false });
      for (const camera of failing.filter((candidate) => (candidate.failedRuns ?? 0) > run)) {
        ledger.startCameraRun(id, camera.name);
        ledger.finishCameraRun(id, camera.name, { status: 'failed', listed: 0, downloaded: 0, bytes: 0, failed: 0, lost: 0, deleted: 0, error: 'connect ECONNREFUSED 127.0.0.1:9' });
      }
      ledger.finishRun(id, 'some-failed');
    }
  } finally {
    ledger.close();
  }
  return config;
}
