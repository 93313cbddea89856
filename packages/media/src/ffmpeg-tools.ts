import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { childEnvironment } from './child-env.js';
import { MediaError } from './errors.js';

/** Paths of the ffmpeg and ffprobe programs to use. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

export interface FindFfmpegOptions {
  /** ffmpeg program. @default $FFMPEG_PATH, else `ffmpeg` on PATH */
  ffmpegPath?: string;
  /** ffprobe program. @default $FFPROBE_PATH, else `ffprobe` on PATH */
  ffprobePath?: string;
  /** Where `FFMPEG_PATH`, `FFPROBE_PATH` and `PATH` are read; the programs see only its allow-listed part (see {@link childEnvironment}). @default process.env */
  env?: NodeJS.ProcessEnv;
}

export const FFMPEG_INSTALL_HINT =
  'Install ffmpeg (it includes ffprobe): Debian/Ubuntu `sudo apt-get install ffmpeg`, Fedora `sudo dnf install ffmpeg`, ' +
  'macOS `brew install ffmpeg`, Windows `winget install ffmpeg`; or point FFMPEG_PATH / FFPROBE_PATH at the programs.';

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const extensions = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // keep looking
      }
    }
  }
  return undefined;
}

/** Runs `program -version`; resolves whether it started and exited 0. */
function runsOk(program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(program, ['-version'], { stdio: 'ignore', env: childEnvironment(env) });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/**
 * Finds ffmpeg and ffprobe (option → `FFMPEG_PATH`/`FFPROBE_PATH` → PATH) and checks that both run.
 * Call it BEFORE downloading anything: a missing ffmpeg throws `ERR_FFMPEG_NOT_FOUND` with how to
 * install it.
 */
export async function findFfmpeg(options: FindFfmpegOptions = {}): Promise<FfmpegTools> {
  const env = options.env ?? process.env;
  const resolveTool = async (name: 'ffmpeg' | 'ffprobe', explicit: string | undefined, envName: string): Promise<string> => {
    const given = explicit ?? (env[envName] || undefined);
    const candidate = given === undefined ? onPath(name, env) : isAbsolute(given) || /[\\/]/.test(given) ? given : (onPath(given, env) ?? given);
    if (candidate === undefined || !(await runsOk(candidate, env))) {
      const where = given === undefined ? 'on PATH' : `at ${JSON.stringify(given)} (${explicit === undefined ? envName : 'option'})`;
      throw new MediaError(`${name} not found ${where}. ${FFMPEG_INSTALL_HINT}`, { code: 'ERR_FFMPEG_NOT_FOUND' });
    }
    return candidate;
  };
  const ffmpeg = await resolveTool('ffmpeg', options.ffmpegPath, 'FFMPEG_PATH');
  const ffprobe = await resolveTool('ffprobe', options.ffprobePath, 'FFPROBE_PATH');
  return { ffmpeg, ffprobe };
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion; rejects with `ERR_FFMPEG_FAILED` (last lines of stderr) on a non-zero
 * exit, with `ERR_MEDIA_ABORTED` after killing it when `signal` aborts. The program gets
 * {@link childEnvironment}: none of camdl's secrets.
 */
export function runTool(
  program: string,
  args: string[],
  options: { signal?: AbortSignal; onStdoutLine?: (line: string) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(new MediaError(`${program}: aborted`, { code: 'ERR_MEDIA_ABORTED', cause: signal.reason }));
      return;
    }
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment() });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < 1_000_000) stdout += chunk;
      if (options.onStdoutLine) {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) options.onStdoutLine(line.trimEnd());
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8_000);
    });
    const onAbort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      killTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ERR_FFMPEG_NOT_FOUND' : 'ERR_FFMPEG_FAILED';
      reject(new MediaError(`${program}: ${error.message}`, { code, cause: error }));
    });
    // After a kill, do not wait for 'close': a grandchild (a wrapper's `sleep`) may hold the pipes open.
    child.on('exit', () => {
      if (!signal?.aborted) return;
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      child.stdout.destroy();
      child.stderr.destroy();
      reject(new MediaError(`${program}: aborted`, { code: 'ERR_MEDIA_ABORTED', cause: signal.reason }));
    });
    child.on('close', (exitCode, killSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (signal?.aborted) {
        reject(new MediaError(`${program}: aborted`, { code: 'ERR_MEDIA_ABORTED', cause: signal.reason }));
      } else if (exitCode !== 0) {
        const tail = stderr.trim().split('\n').slice(-5).join('\n');
        reject(
          new MediaError(`${program} exited with ${exitCode ?? killSignal}${tail ? `:\n${tail}` : ''}`, {
            code: 'ERR_FFMPEG_FAILED',
            stderr: tail,
          }),
        );
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}
