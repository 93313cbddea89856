import { createServer, type Server, type Socket } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteAvailable } from '@camdl/sync';
import { closeAfterEach, sha256File } from '@camdl/test-utils';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, runCamdl } from './camdl-helpers.js';

/**
 * A listener standing in for the RTSP address the device writes into its answers: it records every
 * connection (and closes it at once), so a client that follows that address is caught.
 */
async function rtspStandIn(): Promise<{ host: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Files in a folder tree (relative paths), the ledger's own folder aside. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .filter((path) => !path.startsWith('.camdl') && !path.endsWith('SHA256SUMS'))
    .sort();
}

describe.skipIf(!sqliteAvailable())('an rtsp:// address in a device answer is never connected to', () => {
  const startCamdlFleet = camdlFleetsClosedAfterEach();
  const track = closeAfterEach();
  beforeAll(() => assertCamdlBuilt());

  it('hikvision: each playbackURI (rtsp://, and a hostile http:// one) goes back to the HTTP origin; sync and get download over HTTP only', async () => {
    const rtsp = track(await rtspStandIn());
    // A hostile item whose playbackURI names another address outright: sent back to the device, which refuses it.
    const hostile = `<searchMatchItem>\n<trackID>101</trackID>\n<timeSpan><startTime>2026-01-17T01:00:00Z</startTime><endTime>2026-01-17T01:10:00Z</endTime></timeSpan>\n<mediaSegmentDescriptor><contentType>video</contentType><playbackURI>http://${rtsp.host}/Streaming/tracks/101/?starttime=20260117T010000Z&amp;endtime=20260117T011000Z&amp;name=elsewhere&amp;size=100</playbackURI><name>elsewhere</name></mediaSegmentDescriptor>\n</searchMatchItem>\n`;
    const fleet = await startCamdlFleet([
      { sim: { profile: 'hikvision', timeZone: 'UTC', hikvision: { recordingsPerChannel: 3, playbackHost: rtsp.host, extraSearchItems: hostile } }, extra: ['time-zone: UTC', 'since: 2026-01-16T00:00:00Z', 'until: 2026-01-18T00:00:00Z'] },
    ]);
    const recordings = fleet.sims[0]!.hikvision!.recordings;
    expect(recordings[0]!.playbackUri.startsWith(`rtsp://${rtsp.host}/`)).toBe(true);

    const sync = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    // The three real recordings are archived byte for byte; the hostile one fails, named.
    expect(sync.stdout.match(/^SAVE /gm), sync.stdout + sync.stderr).toHaveLength(3);
    // The device answered the search: its 404 for one recording is about that recording, not about kind:.
    expect(sync.stdout).toMatch(/^FAIL {2}cam0: elsewhere: .*404 Not Found.*: the camera does not have this recording, although it listed it$/m);
    expect(sync.code).toBe(1);
    const archived = await filesUnder(fleet.archive);
    expect(archived).toHaveLength(3);
    const hashes = await Promise.all(archived.map((path) => sha256File(join(fleet.archive, path))));
    expect(hashes.sort()).toEqual(recordings.map((recording) => recording.sha256).sort());

    const sim = fleet.sims[0]!;
    const out = join(fleet.dir.path, 'got');
    const get = await runCamdl(
      ['get', '--kind', 'hikvision', '--host', sim.url, '--user', sim.username, '--password-env', 'CAM0_PASSWORD', '--since', '2026-01-16T00:00:00Z', '--until', '2026-01-18T00:00:00Z', '--out', out, '--no-progress'],
      fleet.env,
    );
    expect(get.stdout.match(/^SAVE /gm), get.stdout + get.stderr).toHaveLength(3);
    expect(await filesUnder(out)).toHaveLength(3);
    expect(rtsp.connections()).toBe(0);
  });

  it('axis-edge: a recording whose id is an rtsp:// address is refused with a warning, never exported nor connected to; the others export over HTTP', async () => {
    const rtsp = track(await rtspStandIn());
    const address = `rtsp://${rtsp.host}/axis-media/media.amp?recordingid=20260116_203000_AE27_ACCC8EF7DE6B`;
    const hostile = `  <recording diskid="SD_DISK" recordingid="${address.replace(/&/g, '&amp;')}" starttime="2026-01-16T20:30:00.000000Z" starttimelocal="2026-01-16T20:30:00.000000+00:00" stoptime="2026-01-16T20:30:05.000000Z" stoptimelocal="2026-01-16T20:30:05.000000+00:00" recordingtype="continuous" eventid="continuous" eventtrigger="continuous" recordingstatus="completed" source="1">\n    <video mimetype="video/x-h264" source="1" framerate="10:1" resolution="160x120" width="160" height="120"/>\n  </recording>`;
    const fleet = await startCamdlFleet([{ sim: { profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 2, inProgress: false, extraListXml: hostile } }, extra: ['time-zone: UTC', 'since: 2026-01-16T00:00:00Z', 'until: 2026-01-18T00:00:00Z'] }]);
    const sim = fleet.sims[0]!;
    const recordings = sim.axisEdge!.recordings;

    const sync = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(sync.stdout.match(/^SAVE /gm), sync.stdout + sync.stderr).toHaveLength(2);
    expect(sync.stderr).toMatch(/^WARN {2}cam0: .*recordingid/m);
    const archived = await filesUnder(fleet.archive);
    expect(archived).toHaveLength(2);
    const hashes = await Promise.all(archived.map((path) => sha256File(join(fleet.archive, path))));
    expect(hashes.sort()).toEqual(recordings.map((recording) => recording.exports.matroska.sha256).sort());

    const out = join(fleet.dir.path, 'got');
    const get = await runCamdl(
      ['get', '--kind', 'axis-edge', '--host', sim.url, '--user', sim.username, '--password-env', 'CAM0_PASSWORD', '--since', '2026-01-16T00:00:00Z', '--until', '2026-01-18T00:00:00Z', '--out', out, '--no-progress'],
      fleet.env,
    );
    expect(get.stdout.match(/^SAVE /gm), get.stdout + get.stderr).toHaveLength(2);
    expect(rtsp.connections()).toBe(0);
  });
});
