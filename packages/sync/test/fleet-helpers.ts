import { writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim, type CameraSimOptions, type RecordingSpec } from '@camdl/camera-sim';
import { closeAfterEach, listFiles as listFilesUnder, makeTempDir, type TempDir } from '@camdl/test-utils';
import { loadConfig, type FleetConfig, type SyncEvent } from '@camdl/sync';

/** A fleet of simulators, a config naming them, an archive folder, and the env with their passwords. */
export interface TestFleet {
  dir: TempDir;
  sims: Map<string, CameraSim>;
  configPath: string;
  archive: string;
  env: NodeJS.ProcessEnv;
  config(): FleetConfig;
  close(): Promise<void>;
}

export interface FleetCamera {
  name: string;
  sim: CameraSimOptions;
  /** Extra YAML lines for this camera (indented by the helper). */
  extra?: string[];
  /** Use this password in the env instead of the simulator's (a wrong password). */
  passwordOverride?: string;
  /** Point the config at this URL instead (a camera that is down). */
  urlOverride?: string;
}

/** The config kind that archives a simulator of this profile. */
export function kindOf(profile: CameraSimOptions['profile']): string {
  return profile === 'amcrest' || profile === 'hikvision' || profile === 'axis-edge' ? profile : 'timelapse';
}

export function envName(name: string): string {
  return `CAMDL_TEST_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD`;
}

export async function startFleet(cameras: FleetCamera[], options: { top?: string[] } = {}): Promise<TestFleet> {
  const dir = await makeTempDir('camdl-sync-');
  const sims = new Map<string, CameraSim>();
  const env: NodeJS.ProcessEnv = {};
  const lines = ['archive: ./archive', ...(options.top ?? []), 'cameras:'];
  try {
    for (const camera of cameras) {
      const sim = await startCameraSim(camera.sim);
      sims.set(camera.name, sim);
      env[envName(camera.name)] = camera.passwordOverride ?? sim.password;
      lines.push(
        `  - name: ${camera.name}`,
        `    kind: ${kindOf(camera.sim.profile)}`,
        `    host: ${camera.urlOverride ?? sim.url}`,
        `    username: ${sim.username}`,
        `    password-env: ${envName(camera.name)}`,
        ...(camera.extra ?? []).map((line) => `    ${line}`),
      );
    }
  } catch (error) {
    await Promise.all([...sims.values()].map((sim) => sim.close()));
    await dir.cleanup();
    throw error;
  }
  const configPath = join(dir.path, 'camdl.yaml');
  await writeFile(configPath, `${lines.join('\n')}\n`);
  await chmod(configPath, 0o644);
  return {
    dir,
    sims,
    configPath,
    archive: join(dir.path, 'archive'),
    env,
    config: () => loadConfig(configPath),
    async close() {
      await Promise.all([...sims.values()].map((sim) => sim.close()));
      await dir.cleanup();
    },
  };
}

/** Every file below a folder, relative, sorted (hidden `.camdl` excluded). */
export function listFiles(root: string): Promise<string[]> {
  return listFilesUnder(root, { skipDirectories: ['.camdl'] });
}

/** Collects events of a run. */
export function collect(): { events: SyncEvent[]; onEvent: (event: SyncEvent) => void; ofType<T extends SyncEvent['type']>(type: T): Array<Extract<SyncEvent, { type: T }>> } {
  const events: SyncEvent[] = [];
  return {
    events,
    onEvent: (event) => events.push(event),
    ofType: <T extends SyncEvent['type']>(type: T) => events.filter((event): event is Extract<SyncEvent, { type: T }> => event.type === type),
  };
}

/** Archives on consecutive days (synthetic bytes: no ffmpeg needed). */
export function dailyArchives(prefix: string, days: number, options: { size?: number; startDay?: string } = {}): Array<{ filename: string; content: 'synthetic'; size: number; first: number }> {
  const start = Date.parse(`${options.startDay ?? '2026-03-01'}T00:00:00Z`);
  return Array.from({ length: days }, (_, index) => {
    const first = start + index * 86_400_000;
    const next = new Date(first + 86_400_000);
    const name = `${prefix}_${next.getUTCFullYear()}_${String(next.getUTCMonth() + 1).padStart(2, '0')}_${String(next.getUTCDate()).padStart(2, '0')}_0000`;
    return { filename: name, content: 'synthetic' as const, size: options.size ?? 40_000 + index * 1000, first };
  });
}

/**
 * `startFleet` for a suite: every fleet it starts (simulators, temp dir) is closed after each test.
 * Call it once inside the `describe`.
 */
export function fleetsClosedAfterEach(): typeof startFleet {
  const track = closeAfterEach();
  return async (cameras, options) => track(await startFleet(cameras, options));
}

/** `count` back-to-back synthetic recordings of `ms` each (an hour by default) ending at `end`, oldest first. */
export function hourly(count: number, end: number, size: number, ms = 3_600_000): RecordingSpec[] {
  return Array.from({ length: count }, (_, index) => ({ start: end - (count - index) * ms, end: end - (count - index - 1) * ms, content: 'synthetic' as const, size }));
}
