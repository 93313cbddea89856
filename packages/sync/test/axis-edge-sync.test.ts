import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, sha256File } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, envName, listFiles, startFleet } from './fleet-helpers.js';

const EXPORTS = 'record/export/exportrecording.cgi';

function states(ledgerPath: string): Map<string, string> {
  const ledger = Ledger.open(ledgerPath);
  try {
    return new Map(ledger.allRecordings().map((row) => [row.remoteKey, row.state]));
  } finally {
    ledger.close();
  }
}

describe.skipIf(!sqliteAvailable())('camdl sync: Axis edge storage', () => {
  const track = closeAfterEach();

  it('a recording still being written is not fetched; the run after it completes archives it whole', async () => {
    const fleet = track(await startFleet([{ name: 'dock', sim: { profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 2 } } }]));
    const sim = fleet.sims.get('dock')!;
    const first = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: first.onEvent });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras[0]).toMatchObject({ listed: 2, downloaded: 2, lost: 0 });
    expect(first.ofType('camera-listed')[0]!.notes.join('\n')).toMatch(/1 recording\(s\) still being written/);
    // Its export was never asked for.
    expect(sim.counters.requests[EXPORTS]).toBe(2);
    const live = sim.axisEdge!.recordings[2]!;
    expect(live.stopMs).toBeUndefined();

    sim.axisEdge!.completeRecording();
    const second = await syncFleet(fleet.config(), { env: fleet.env });
    expect(second.outcome).toBe('ok');
    expect(second.summary.cameras[0]).toMatchObject({ downloaded: 1, lost: 0 });
    const files = await listFiles(fleet.archive);
    const local = `dock/2026-01-16/${live.diskId}_${live.recordingId}.mkv`;
    expect(files).toContain(local);
    expect(await sha256File(join(fleet.archive, local))).toBe(live.exports.matroska.sha256);
  });

  it('an export refused with 200 and an XML GeneralError is never saved as video; the next run fetches it', async () => {
    const fleet = track(await startFleet([{ name: 'dock', sim: { profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 3, inProgress: false } }, extra: ['max-retries: 0'] }]));
    const sim = fleet.sims.get('dock')!;
    const refused = sim.axisEdge!.recordings[1]!;
    sim.axisEdge!.refuseExport(refused.recordingId, 40);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 2, failed: 1 });
    const failed = run.ofType('file-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.remoteName).toBe(refused.recordingId);
    expect(failed[0]!.error).toMatch(/GeneralError 40/);
    const name = `${refused.diskId}_${refused.recordingId}.mkv`;
    expect((await listFiles(fleet.archive)).some((file) => file.endsWith(name))).toBe(false);
    // Nothing of it in staging either.
    const incoming = join(fleet.dir.path, 'archive', '.camdl', 'incoming', 'dock');
    const staged = await readdir(incoming, { recursive: true }).catch(() => []);
    expect(staged.filter((entry) => String(entry).endsWith('.mkv') || String(entry).endsWith('.part'))).toEqual([]);
    expect(states(fleet.config().ledger).get(`${refused.diskId}/${refused.recordingId}`)).not.toMatch(/verified|deleted/);

    sim.axisEdge!.refuseExport(refused.recordingId, undefined);
    const again = await syncFleet(fleet.config(), { env: fleet.env });
    expect(again.outcome).toBe('ok');
    expect(await sha256File(join(fleet.archive, `dock/2026-01-16/${name}`))).toBe(refused.exports.matroska.sha256);
  });

  it('delete-after removes on the camera only what was archived whole: not a cut export, not a recording in progress', async () => {
    const fleet = track(await startFleet([{ name: 'dock', sim: { profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 3, formats: ['mp4'] } }, extra: ['delete-after: true', 'format: mp4', 'max-retries: 0'] }]));
    const sim = fleet.sims.get('dock')!;
    const [kept, cut, other] = sim.axisEdge!.recordings;
    // A chunked body properly terminated: only the container says it is short.
    sim.axisEdge!.cutExport(cut!.recordingId, Math.floor(cut!.exports.mp4.size / 2));
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 2, failed: 1, deleted: 2 });
    expect(run.ofType('file-failed')[0]!.error).toMatch(/not the whole recording|lasts|removed/);
    expect([...sim.axisEdge!.removed].sort()).toEqual([kept!.recordingId, other!.recordingId].sort());
    // The cut one and the one in progress are still on the card.
    expect(sim.axisEdge!.recordings.map((recording) => recording.recordingId)).toEqual([cut!.recordingId, sim.axisEdge!.recordings[1]!.recordingId]);
    const ledgerStates = states(fleet.config().ledger);
    expect(ledgerStates.get(`${kept!.diskId}/${kept!.recordingId}`)).toBe('deleted-on-camera');
    expect(ledgerStates.get(`${cut!.diskId}/${cut!.recordingId}`)).not.toMatch(/verified|deleted/);
    expect(await sha256File(join(fleet.archive, `dock/2026-01-16/${kept!.diskId}_${kept!.recordingId}.mp4`))).toBe(kept!.exports.mp4.sha256);

    // Whole again: archived, then removed; the deleted ones are not reported lost.
    sim.axisEdge!.cutExport(cut!.recordingId, undefined);
    const again = await syncFleet(fleet.config(), { env: fleet.env });
    expect(again.outcome).toBe('ok');
    expect(again.summary.cameras[0]).toMatchObject({ downloaded: 1, deleted: 1, lost: 0 });
    expect(sim.axisEdge!.removed).toContain(cut!.recordingId);
  });

  it('delete-after waits for every target to hold a verified copy', async () => {
    const fleet = track(await startFleet(
      [{ name: 'dock', sim: { profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 2, inProgress: false } }, extra: ['delete-after: true'] }],
      // A directory target below a file: every copy fails.
      { top: ['targets:', '  - name: usb', '    kind: directory', '    path: ./camdl.yaml/usb'] },
    ));
    const sim = fleet.sims.get('dock')!;
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 2, deleted: 0 });
    expect(sim.axisEdge!.removed).toEqual([]);
    expect(sim.axisEdge!.recordings).toHaveLength(2);
    expect(run.ofType('delete-held')).toHaveLength(1);
  });

  it('a wrong password is one failed login per run and locks nothing; the right one then works', async () => {
    const fleet = track(await startFleet([
      { name: 'dock', sim: { profile: 'axis-edge', timeZone: 'UTC', digest: { lockoutAfterFailures: 3 }, axisEdge: { recordings: 2 } }, passwordOverride: 'wrong-password' },
      { name: 'lobby', sim: { profile: 'hikvision', timeZone: 'UTC', digest: { lockoutAfterFailures: 3 } }, passwordOverride: 'wrong-password', extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-18T00:00:00'] },
    ]));
    for (const attempt of [1, 2]) {
      const result = await syncFleet(fleet.config(), { env: fleet.env });
      expect(result.outcome).toBe('some-failed');
      expect(result.summary.cameras.map((camera) => [camera.camera, camera.status, camera.errorCode])).toEqual([
        ['dock', 'failed', 'ERR_AXIS_EDGE_AUTH'],
        ['lobby', 'failed', 'ERR_HIKVISION_AUTH'],
      ]);
      for (const sim of fleet.sims.values()) expect(sim.counters.authFailures).toBe(attempt);
    }
    const env = { ...fleet.env };
    for (const [name, sim] of fleet.sims) env[envName(name)] = sim.password;
    const result = await syncFleet(fleet.config(), { env });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras.map((camera) => camera.downloaded)).toEqual([2, 6]);
  });
});
