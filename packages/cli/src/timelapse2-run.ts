import { createTimelapseClient, runTimelapseJob } from '@camdl/axis-timelapse2';
import { RateLimiter } from '@camdl/throttled-download';
import { runCommand } from './command.js';
import { createTimelapseRenderer, timelapseExitCode } from './timelapse2-render.js';
import type { Timelapse2DlArgs } from './timelapse2-options.js';

/** Runs `timelapse2-dl` with parsed, validated flags; returns the exit code. */
export function runTimelapse2Dl(args: Timelapse2DlArgs): Promise<number> {
  const mode = args.list ? 'list' : args.dryRun ? 'dry-run' : 'download';
  return runCommand({
    json: args.json,
    progress: args.progress,
    password: {
      argv: args.pass,
      file: args.passFile,
      envNames: ['TIMELAPSE2_DL_PASSWORD', 'CAMDL_PASSWORD'],
      prompt: `Password for ${args.user}@${args.baseUrl.host}: `,
    },
    createClient: (password, emit) =>
      createTimelapseClient({
        baseUrl: args.baseUrl,
        username: args.user,
        password,
        api: args.api,
        timeout: args.timeout * 1000,
        // The listing is retried on 5xx like the downloads (3.x answers 503 while it starts).
        maxRetries: args.maxRetries,
        retryDelay: args.retryDelay * 1000,
        ...(args.ca === undefined ? {} : { ca: args.ca }),
        insecure: args.insecure,
        onWarning: (message) => emit({ type: 'warning', message }),
      }),
    createRenderer: (out) => createTimelapseRenderer(out, { host: args.host, mode }),
    run: (client, { signal, stopSignal, onEvent }) =>
      runTimelapseJob(client, {
        mode,
        filter: { since: args.since, until: args.until, match: args.match },
        outdir: args.outdir,
        existing: args.overwrite ? 'overwrite' : args.checkSize ? 'check-size' : 'skip',
        deleteAfter: args.deleteAfter,
        ...(args.rateLimit > 0 ? { rateLimiter: new RateLimiter({ mbps: args.rateLimit }) } : { rateLimitMbps: 0 }),
        maxRetries: args.maxRetries,
        retryDelay: args.retryDelay * 1000,
        // The seed waited --retry-delay seconds between attempts, every time.
        backoff: { factor: 1, jitter: 0, maxDelay: Math.max(60_000, args.retryDelay * 1000) },
        signal,
        stopSignal,
        onEvent,
      }),
    exitCodeFor: timelapseExitCode,
  });
}
