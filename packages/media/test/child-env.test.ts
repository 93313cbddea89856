import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { findFfmpeg, probeMedia } from '@camdl/media';
import { childEnvironment } from '../src/child-env.js';
import { runTool } from '../src/ffmpeg-tools.js';

const SECRET = 'hunter2-never-in-a-child';
const SECRET_VARS = ['AMCREST_DL_PASSWORD', 'TIMELAPSE2_DL_PASSWORD', 'CAMDL_PASSWORD', 'KITCHEN_PASSWORD', 'MY_CAMERA_CREDS'];

/** The environments of this process's live children whose command line mentions `marker`. */
function childEnvironments(marker: string): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      found.push(Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])));
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

async function waitForChild(marker: string): Promise<Record<string, string>> {
  for (let i = 0; i < 500; i += 1) {
    const [environment] = childEnvironments(marker);
    if (environment) return environment;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no child running with ${marker}`);
}

const hasProc = process.platform === 'linux' && spawnSync('mkfifo', ['--version']).status === 0;

describe('childEnvironment', () => {
  it('keeps what ffmpeg reads and drops every other variable, secrets first', () => {
    const env = childEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/me',
      TZ: 'Europe/Paris',
      LC_ALL: 'C.UTF-8',
      LD_LIBRARY_PATH: '/opt/ffmpeg/lib',
      FONTCONFIG_FILE: '/etc/fonts/fonts.conf',
      AMCREST_DL_PASSWORD: SECRET,
      KITCHEN_PASSWORD: SECRET,
      XDG_SESSION_TOKEN: SECRET,
      AWS_SECRET_ACCESS_KEY: SECRET,
      Path: 'C:\\Windows',
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/me', TZ: 'Europe/Paris', LC_ALL: 'C.UTF-8', LD_LIBRARY_PATH: '/opt/ffmpeg/lib', FONTCONFIG_FILE: '/etc/fonts/fonts.conf', Path: 'C:\\Windows' });
  });
});

describe.skipIf(!hasProc)('ffmpeg and ffprobe children never see camdl\'s secrets (real programs, /proc/<pid>/environ)', () => {
  let dir: TempDir | undefined;
  const saved = new Map<string, string | undefined>();
  afterEach(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
    await dir?.cleanup();
    dir = undefined;
  });

  it('ffprobe (probeMedia) and ffmpeg (runTool) run with PATH and TZ but none of the password variables', async () => {
    for (const name of [...SECRET_VARS, 'TZ']) saved.set(name, process.env[name]);
    for (const name of SECRET_VARS) process.env[name] = SECRET;
    process.env['TZ'] = 'America/New_York';
    const tools = await findFfmpeg();
    dir = await makeTempDir('camdl-child-env-');
    // A FIFO nobody writes: each program blocks opening it, alive long enough to be read.
    const fifo = join(dir.path, 'waiting-input.mp4');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const start of [
      (signal: AbortSignal) => probeMedia(tools.ffprobe, fifo, { signal }),
      (signal: AbortSignal) => runTool(tools.ffmpeg, ['-hide_banner', '-i', fifo, '-f', 'null', '-'], { signal }),
    ]) {
      const controller = new AbortController();
      const running = start(controller.signal).catch((error: unknown) => error);
      const environment = await waitForChild('waiting-input.mp4');
      controller.abort();
      expect(await running).toMatchObject({ code: 'ERR_MEDIA_ABORTED' });
      expect(environment['PATH']).toBe(process.env['PATH']);
      expect(environment['TZ']).toBe('America/New_York');
      for (const name of SECRET_VARS) expect(environment[name]).toBeUndefined();
      expect(Object.values(environment).join('\n')).not.toContain(SECRET);
    }
  });
});
