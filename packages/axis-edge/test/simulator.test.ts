import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCameraSim, type CameraSimOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAxisEdgeClient, exportRecording, exportRecordings, isAxisEdgeError, type EdgeRecording, type ExportJobEvent } from '../src/index.js';

const execFileAsync = promisify(execFile);
const track = closeAfterEach();

async function start(axisEdge: CameraSimOptions['axisEdge'] = {}) {
  const sim = track(await startCameraSim({ profile: 'axis-edge', timeZone: 'America/Los_Angeles', axisEdge }));
  const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: sim.password }));
  return { sim, client };
}

async function listAll(client: ReturnType<typeof createAxisEdgeClient>, options: Parameters<ReturnType<typeof createAxisEdgeClient>['listRecordings']>[0] = {}): Promise<EdgeRecording[]> {
  const out: EdgeRecording[] = [];
  for await (const each of client.listRecordings(options)) out.push(each);
  return out;
}

describe('Axis edge storage against the simulator', () => {
  it('lists every recording over pages whose numberofrecordings counts all matches, in either order', async () => {
    const { sim, client } = await start({ recordings: 5, disks: ['SD_DISK', 'NetworkShare'] });
    const ascending = await listAll(client, { pageSize: 2 });
    const expected = sim.axisEdge!.recordings;
    expect(ascending.map((each) => each.recordingId)).toEqual(expected.map((each) => each.recordingId));
    expect(sim.counters.requestsByMethod['GET record/list.cgi']).toBe(1 + 3);
    const newestFirst = await listAll(client, { pageSize: 4, order: 'descending' });
    expect(newestFirst.map((each) => each.recordingId)).toEqual(expected.map((each) => each.recordingId).reverse());
    expect(ascending[0]).toMatchObject({ diskId: 'SD_DISK', startWallClock: '2026-01-16 12:00:00', status: 'completed', inProgress: false });
    expect(ascending.at(-1)).toMatchObject({ status: 'recording', inProgress: true, stop: undefined });
    expect((await listAll(client, { diskId: 'NetworkShare' })).map((each) => each.diskId)).toEqual(['NetworkShare', 'NetworkShare', 'NetworkShare']);
    expect((await client.listDisks()).map((each) => each.diskId)).toEqual(['SD_DISK', 'NetworkShare']);
  });

  it('exports Matroska and MP4 byte for byte, proven whole from the container (no Content-Length)', async () => {
    const { sim, client } = await start({ recordings: 1, inProgress: false });
    const [recording] = await listAll(client);
    const dir = track(await makeTempDir());
    for (const format of ['matroska', 'mp4'] as const) {
      const path = join(dir.path, `a.${format}`);
      const result = await exportRecording(client, recording!, path, { format });
      expect(result).toMatchObject({ format, containerVerified: true, framing: 'chunked', verified: false });
      // A streamed Matroska has no Duration: measured to its last frame's end.
      expect(result.durationSec).toBeCloseTo(4, 2);
      expect(await sha256File(path)).toBe(sim.axisEdge!.recordings[0]!.exports[format].sha256);
    }
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', join(dir.path, 'a.matroska')]);
    expect(stdout.trim()).toMatch(/matroska/);
  });

  it('an export refused with 200 text/xml is an error with its code, and no file', async () => {
    const { sim, client } = await start({ recordings: 1, inProgress: false });
    const [recording] = await listAll(client);
    sim.axisEdge!.refuseExport(recording!.recordingId, 40);
    const dir = track(await makeTempDir());
    const path = join(dir.path, 'x.mkv');
    const error = await exportRecording(client, recording!, path, { maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(isAxisEdgeError(error, 'ERR_AXIS_EDGE_DEVICE')).toBe(true);
    expect(error).toMatchObject({ errorCode: 40, status: 200 });
    expect(existsSync(path)).toBe(false);
    expect((await readdir(dir.path)).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('a cut export (a whole chunked body, a cut container) is refused and removed', async () => {
    const { sim, client } = await start({ recordings: 1, inProgress: false });
    const [recording] = await listAll(client);
    const size = sim.axisEdge!.recordings[0]!.exports.matroska.size;
    const dir = track(await makeTempDir());
    const path = join(dir.path, 'cut.mkv');
    for (const bytes of [size - 1, Math.floor(size / 3), 200]) {
      sim.axisEdge!.cutExport(recording!.recordingId, bytes);
      const error = await exportRecording(client, recording!, path, { maxRetries: 0 }).catch((caught: unknown) => caught);
      expect(isAxisEdgeError(error, 'ERR_AXIS_EDGE_INCOMPLETE'), `cut at ${bytes}`).toBe(true);
      expect(existsSync(path)).toBe(false);
    }
  });

  it('an export cut at a cluster boundary is whole as a structure but short: refused by its duration', async () => {
    const { sim, client } = await start({ recordings: 1, inProgress: false });
    const [recording] = await listAll(client);
    const dir = track(await makeTempDir());
    const whole = join(dir.path, 'whole.mkv');
    await exportRecording(client, recording!, whole);
    const bytes = await readFile(whole);
    const clusters: number[] = [];
    for (let index = bytes.indexOf('1f43b675', 0, 'hex'); index >= 0; index = bytes.indexOf('1f43b675', index + 1, 'hex')) clusters.push(index);
    expect(clusters.length).toBeGreaterThan(2);
    sim.axisEdge!.cutExport(recording!.recordingId, clusters.at(-1)!);
    const path = join(dir.path, 'short.mkv');
    const error = await exportRecording(client, recording!, path, { maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(isAxisEdgeError(error, 'ERR_AXIS_EDGE_INCOMPLETE')).toBe(true);
    expect((error as Error).message).toMatch(/lasts 3\.000 s, the recording 4\.000 s/);
    expect(existsSync(path)).toBe(false);
  });

  it('a recording in progress is skipped, and exported once complete; nothing removed unless asked', async () => {
    const { sim, client } = await start({ recordings: 2 });
    const dir = track(await makeTempDir());
    const events: ExportJobEvent['type'][] = [];
    const first = await exportRecordings(client, await listAll(client), { directory: dir.path, onEvent: (event) => events.push(event.type) });
    expect(first.map((each) => each.status)).toEqual(['exported', 'exported', 'in-progress']);
    expect(events).toContain('in-progress');
    // The recording in progress was never asked for.
    expect(sim.counters.requestsByMethod['GET record/export/exportrecording.cgi']).toBe(2);
    expect(sim.axisEdge!.removed).toEqual([]);

    sim.axisEdge!.completeRecording();
    const second = await exportRecordings(client, await listAll(client), { directory: dir.path });
    expect(second.map((each) => each.status)).toEqual(['skipped', 'skipped', 'exported']);
    expect(await sha256File(second[2]!.path)).toBe(sim.axisEdge!.recordings[2]!.exports.matroska.sha256);
    expect(sim.axisEdge!.removed).toEqual([]);
  });

  it('removes only verified exports, and only when asked', async () => {
    const { sim, client } = await start({ recordings: 3 });
    const listed = await listAll(client);
    sim.axisEdge!.refuseExport(listed[1]!.recordingId, 110);
    const dir = track(await makeTempDir());
    const outcomes = await exportRecordings(client, listed, { directory: dir.path, removeAfterExport: true, maxRetries: 0 });
    expect(outcomes.map((each) => each.status)).toEqual(['exported', 'failed', 'exported', 'in-progress']);
    expect(sim.axisEdge!.removed).toEqual([listed[0]!.recordingId, listed[2]!.recordingId]);
    expect((await listAll(client)).map((each) => each.recordingId)).toEqual([listed[1]!.recordingId, listed[3]!.recordingId]);
    // The camera's own refusal of a recording in progress, if asked directly.
    expect(await client.removeRecordings([{ ...listed[3]!, inProgress: false }])).toEqual([{ recordingId: listed[3]!.recordingId, ok: false, message: 'Recording in progress' }]);
  });

  it('close-delimited exports (HTTP/1.0 style) are proven whole the same way', async () => {
    const { client } = await start({ recordings: 1, inProgress: false, closeDelimited: true });
    const [recording] = await listAll(client);
    const dir = track(await makeTempDir());
    const result = await exportRecording(client, recording!, join(dir.path, 'c.mkv'));
    expect(result).toMatchObject({ framing: 'close', containerVerified: true });
  });

  it('a wrong password: one refused login, then nothing more is sent', async () => {
    const sim = track(await startCameraSim({ profile: 'axis-edge', axisEdge: { recordings: 1 } }));
    const client = track(createAxisEdgeClient({ url: sim.url, username: sim.username, password: 'wrong' }));
    for (let attempt = 0; attempt < 3; attempt += 1) expect(isAxisEdgeError(await listAll(client).catch((error: unknown) => error), 'ERR_AXIS_EDGE_AUTH')).toBe(true);
    expect(sim.counters.authFailures).toBe(1);
  });
});
