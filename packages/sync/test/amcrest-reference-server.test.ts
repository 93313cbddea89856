import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, sqliteAvailable, syncFleet } from '@camdl/sync';
import { makeTempDir, sha256, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The reference server is written from the spec, not from camera-sim.
import {
  CAMERA_VARIANTS,
  NVR_VARIANTS,
  cameraFiles,
  expectedVideos,
  nvrFiles,
  startReferenceDahuaServer,
  type ReferenceDahuaServer,
} from '@camdl/test-utils';
import { collect, envName, listFiles } from './fleet-helpers.js';

/** `camdl sync` (the amcrest source: one findRecordings per channel, one downloadRecordings per file) against every variant. */
describe.skipIf(!sqliteAvailable())('camdl sync against the reference Dahua server', { timeout: 120_000 }, () => {
  let dir: TempDir;
  const servers = new Map<string, { server: ReferenceDahuaServer; channels: number[]; encodedOnly: boolean }>();
  let configPath: string;
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    dir = await makeTempDir('camdl-sync-ref-');
    const lines = ['archive: ./archive', 'cameras:'];
    const variants = [...Object.entries(CAMERA_VARIANTS).map(([label, options]) => ({ label, options, nvr: false })), ...Object.entries(NVR_VARIANTS).map(([label, options]) => ({ label, options, nvr: true }))];
    for (const [index, { options, nvr }] of variants.entries()) {
      const name = `${nvr ? 'nvr' : 'cam'}${index}`;
      const files = nvr ? nvrFiles() : cameraFiles([Buffer.alloc(6000, 1 + index), Buffer.alloc(7000, 2 + index), Buffer.alloc(8000, 3 + index)]);
      const server = await startReferenceDahuaServer({ ...options, files });
      const channels = nvr ? [1, 2] : [1];
      servers.set(name, { server, channels, encodedOnly: options.loadfilePaths === 'encoded' });
      env[envName(name)] = server.password;
      lines.push(
        `  - name: ${name}`,
        '    kind: amcrest',
        `    host: ${server.url}`,
        `    username: ${server.username}`,
        `    password-env: ${envName(name)}`,
        '    since: 2026-01-16T20:00:00',
        '    until: 2026-01-16T20:10:00',
        '    time-zone: America/New_York',
        `    channels: [${channels.join(', ')}]`,
      );
    }
    configPath = join(dir.path, 'camdl.yaml');
    await writeFile(configPath, `${lines.join('\n')}\n`);
    await chmod(configPath, 0o644);
  });

  afterAll(async () => {
    await Promise.all([...servers.values()].map(({ server }) => server.close()));
    await dir.cleanup();
  });

  it('archives every finished Main recording byte for byte, releases every search object; a second run downloads nothing', async () => {
    const run = collect();
    const result = await syncFleet(loadConfig(configPath), { env, onEvent: run.onEvent });
    const byName = new Map(result.summary.cameras.map((camera) => [camera.camera, camera]));
    const archived = await listFiles(join(dir.path, 'archive'));
    for (const [name, { server, channels, encodedOnly }] of servers) {
      const wanted = expectedVideos(server).filter((path) => channels.includes(server.files[server.paths.indexOf(path)]!.channel));
      expect(byName.get(name), name).toMatchObject({ status: 'ok', listed: wanted.length, downloaded: wanted.length });
      const local = await Promise.all(archived.filter((file) => file.startsWith(`${name}/`) && !file.endsWith('SHA256SUMS')).map(async (file) => sha256(await readFile(join(dir.path, 'archive', file)))));
      expect(local.sort(), name).toEqual(wanted.map((path) => sha256(server.files[server.paths.indexOf(path)]!.content)).sort());
      expect(server.leaks(), name).toEqual({ notClosed: [], notDestroyed: [] });
      expect(server.counters.badDigests, name).toBe(0);
      // Each file fetched once; a server refusing raw brackets costs one refused request per camera, not per file.
      expect([...server.counters.downloads.values()].every((count) => count === 1), name).toBe(true);
      expect(server.requests.filter((request) => request.url.startsWith('/cgi-bin/RPC_Loadfile') && request.status === 400).length, name).toBe(encodedOnly ? 1 : 0);
    }
    expect(result.outcome).toBe('ok');

    for (const { server } of servers.values()) server.resetCounters();
    const again = await syncFleet(loadConfig(configPath), { env });
    expect(again.outcome).toBe('ok');
    for (const [name, { server }] of servers) {
      expect(server.counters.downloads.size, name).toBe(0);
      expect(server.leaks(), name).toEqual({ notClosed: [], notDestroyed: [] });
    }
  });
});
