import { createServer, request as httpRequest, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, serveOnLoopback, type Closable, type TempDir } from '@camdl/test-utils';
import { beforeEach } from 'vitest';
import { spawnBin, type BinRun, type SpawnedBin } from './spawn-bin.js';

export const AMCREST_DL_BIN = fileURLToPath(new URL('../bin/amcrest-dl.js', import.meta.url));

export type CliRun = BinRun;
export type SpawnedCli = SpawnedBin;

/** Starts the BUILT `amcrest-dl` (`pnpm build` first) with the password in the environment. */
export function spawnAmcrestDl(args: string[], options: { password: string; env?: NodeJS.ProcessEnv; cwd?: string }): SpawnedCli {
  return spawnBin(AMCREST_DL_BIN, args, { cwd: options.cwd, env: { CI: '1', NO_COLOR: '1', AMCREST_DL_PASSWORD: options.password, ...options.env } });
}

export function runAmcrestDl(args: string[], options: { password: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<CliRun> {
  return spawnAmcrestDl(args, options).done;
}

/** The arguments that point amcrest-dl at a simulator and a folder, quietly; `extra` follows them. */
export function simulatorArgs(camera: { url: string; username: string }, outputDir: string, extra: string[]): string[] {
  return ['--host', camera.url, '--username', camera.username, '--output-dir', outputDir, '--no-progress', ...extra];
}

/** A suite's output folder (a new temp dir per test) and simulators, each closed after its test. */
export interface SimulatorSuite {
  /** This test's output folder. */
  readonly dir: TempDir;
  /** Starts a simulator that is closed after the test. */
  start(options: Parameters<typeof startCameraSim>[0]): Promise<CameraSim>;
  /** Closes anything else (a proxy, a client) after the test. */
  track<T extends Closable>(resource: T): T;
}

/** Registers the suite's hooks: a temp dir before each test, everything closed after it (newest first). */
export function useSimulatorSuite(): SimulatorSuite {
  const track = closeAfterEach();
  let dir: TempDir | undefined;
  beforeEach(async () => {
    dir = track(await makeTempDir());
  });
  return {
    get dir(): TempDir {
      if (dir === undefined) throw new Error('useSimulatorSuite: the temp dir exists only inside a test');
      return dir;
    },
    start: async (options) => track(await startCameraSim(options)),
    track,
  };
}

/** Polls until `condition` holds (no fixed sleeps deciding the outcome). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** JSON lines of a `--json` run. */
export function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A transparent HTTP proxy on 127.0.0.1 that records each request target, to see exactly what the
 * camera received (digest auth passes through untouched: same method and URI).
 */
export async function startRecordingProxy(targetPort: number): Promise<{ url: string; targets: string[]; close(): Promise<void> }> {
  const targets: string[] = [];
  const server: Server = createServer((request, response) => {
    targets.push(request.url ?? '');
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: request.headers },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  const { url, close } = await serveOnLoopback(server);
  return { url, targets, close };
}
