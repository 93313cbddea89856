import { parseArgs } from 'node:util';
import { startCameraSim } from './camera-sim.js';
import { CAMERA_PROFILES, type CameraProfile } from './options.js';
import type { ContentOption } from './content.js';

const USAGE = `Usage: camera-sim --profile <${CAMERA_PROFILES.join('|')}> [--port 0] [--user admin] [--pass <password>]
                  [--tz America/New_York] [--content demo|tiny] [--strict-nc] [--one-time-nonce]
                  [--nonce-lifetime <ms>] [--max-connections <n>] [--json]`;

/** Runs the `camera-sim` binary: starts a simulator, prints its URL and credentials, runs until a signal. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        port: { type: 'string', default: '0' },
        user: { type: 'string' },
        pass: { type: 'string' },
        tz: { type: 'string' },
        content: { type: 'string', default: 'demo' },
        'strict-nc': { type: 'boolean', default: false },
        'one-time-nonce': { type: 'boolean', default: false },
        'nonce-lifetime': { type: 'string' },
        'max-connections': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const profile = values.profile as CameraProfile | undefined;
  if (!profile || !CAMERA_PROFILES.includes(profile)) {
    process.stderr.write(`--profile must be one of ${CAMERA_PROFILES.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  if (values.content !== 'demo' && values.content !== 'tiny') {
    process.stderr.write(`--content must be demo or tiny\n`);
    return 2;
  }
  try {
    const sim = await startCameraSim({
      profile,
      port: Number(values.port),
      ...(values.user !== undefined && { username: values.user }),
      ...(values.pass !== undefined && { password: values.pass }),
      ...(values.tz !== undefined && { timeZone: values.tz }),
      content: values.content as ContentOption,
      digest: {
        strictNc: values['strict-nc'],
        oneTimeNonce: values['one-time-nonce'],
        ...(values['nonce-lifetime'] !== undefined && { nonceLifetimeMs: Number(values['nonce-lifetime']) }),
      },
      ...(values['max-connections'] !== undefined && { maxConnections: Number(values['max-connections']) }),
    });
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ profile, url: sim.url, port: sim.port, username: sim.username, password: sim.password, timeZone: sim.timeZone, files: sim.archives.length + sim.recordings.length + (sim.hikvision?.recordings.length ?? 0) + (sim.axisEdge?.recordings.length ?? 0) })}\n`,
      );
    } else {
      process.stdout.write(`camera-sim ${profile} listening on ${sim.url}  user=${sim.username} pass=${sim.password}\n`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.close();
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    process.stderr.write(`camera-sim: ${(error as Error).message}${code ? ` (${code})` : ''}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`camera-sim: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
