import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCameraSim, type CameraSim, type CameraSimOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';
import { spawnBin, type BinRun } from './spawn-bin.js';

export const CAMDL_BIN = fileURLToPath(new URL('../bin/camdl.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/camdl.js', import.meta.url));

export function assertCamdlBuilt(): void {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`pnpm build\` before the tests`);
}

export type CamdlRun = BinRun;

/** Starts `camdl` as its own process; `onStdout` sees the output so far (to signal at the right moment). */
export function startCamdl(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; node?: string; nodeArgs?: string[]; onStdout?: (text: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; done: Promise<CamdlRun>; output: () => { stdout: string; stderr: string } } {
  // Lines without time stamps, as the tests match them (a test of the stamps turns them on).
  return spawnBin(CAMDL_BIN, args, { ...options, env: { CI: '', CAMDL_TIMESTAMPS: '0', ...options.env } });
}

export function runCamdl(args: string[], env?: NodeJS.ProcessEnv): Promise<CamdlRun> {
  return startCamdl(args, env ? { env } : {}).done;
}

/** NDJSON lines of a `--json` run. */
export function events(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
}

export interface CamdlFleet {
  dir: TempDir;
  sims: CameraSim[];
  config: string;
  archive: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** A suite's {@link startCamdlFleet}: every fleet it starts is closed after its test. */
export function camdlFleetsClosedAfterEach(): typeof startCamdlFleet {
  const track = closeAfterEach();
  return async (cameras) => track(await startCamdlFleet(cameras));
}

/** Simulators plus a config naming them (`cam0`, `cam1`…), passwords in the env. */
export async function startCamdlFleet(cameras: Array<{ sim: CameraSimOptions; extra?: string[] }>): Promise<CamdlFleet> {
  const dir = await makeTempDir('camdl-cli-');
  const sims: CameraSim[] = [];
  const env: NodeJS.ProcessEnv = {};
  const lines = ['archive: ./archive', 'cameras:'];
  for (const [index, camera] of cameras.entries()) {
    const sim = await startCameraSim(camera.sim);
    sims.push(sim);
    env[`CAM${index}_PASSWORD`] = sim.password;
    lines.push(
      `  - name: cam${index}`,
      `    kind: ${camera.sim.profile === 'amcrest' || camera.sim.profile === 'hikvision' || camera.sim.profile === 'axis-edge' ? camera.sim.profile : 'timelapse'}`,
      `    host: ${sim.url}`,
      `    username: ${sim.username}`,
      `    password-env: CAM${index}_PASSWORD`,
      ...(camera.extra ?? []).map((line) => `    ${line}`),
    );
  }
  const config = join(dir.path, 'camdl.yaml');
  await writeFile(config, `${lines.join('\n')}\n`);
  return {
    dir,
    sims,
    config,
    archive: join(dir.path, 'archive'),
    env,
    async close() {
      await Promise.all(sims.map((sim) => sim.close()));
      await dir.cleanup();
    },
  };
}

/** Synthetic daily archives (no ffmpeg needed). */
export function syntheticArchives(count: number, size: number): Array<{ filename: string; content: 'synthetic'; size: number; first: number }> {
  const start = Date.parse('2026-03-01T00:00:00Z');
  return Array.from({ length: count }, (_, index) => ({
    filename: `Site_2026_03_${String(index + 2).padStart(2, '0')}_0000`,
    content: 'synthetic' as const,
    size,
    first: start + index * 86_400_000,
  }));
}
