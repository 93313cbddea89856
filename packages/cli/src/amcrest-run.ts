import { createAmcrestClient, runRecordingsJob } from '@camdl/amcrest-recordings';
import { findFfmpeg, type FfmpegTools } from '@camdl/media';
import type { AmcrestDlOptions } from './amcrest-options.js';
import { amcrestExitCode, createAmcrestRenderer } from './amcrest-render.js';
import { runCommand } from './command.js';
import { ExitError, EXIT_CODES } from './exit-error.js';

/** Runs `amcrest-dl` with parsed, validated flags; returns the exit code. */
export function runAmcrestDl(options: AmcrestDlOptions): Promise<number> {
  let tools: FfmpegTools | undefined;
  return runCommand({
    json: options.json,
    progress: options.progress,
    // Missing ffmpeg is reported before the password prompt and before anything is downloaded.
    prepare: async () => {
      if (options.list || !options.merge) return;
      try {
        tools = await findFfmpeg();
      } catch (error) {
        throw new ExitError(`amcrest-dl: ${(error as Error).message}\n(Or pass --no-merge to only download the recordings.)`, { exitCode: EXIT_CODES.missingTool, cause: error });
      }
    },
    password: {
      argv: options.password,
      file: options.passwordFile,
      envNames: ['AMCREST_DL_PASSWORD', 'CAMDL_PASSWORD'],
      prompt: `Password for ${options.username}@${options.url.host}: `,
      // The seed prompted with getpass, which reads stdin when there is no terminal.
      stdinLine: true,
    },
    argvPasswordWarning: 'warning: --password is visible to other users in the process list; prefer the prompt, AMCREST_DL_PASSWORD or --password-file',
    createClient: (password) =>
      createAmcrestClient({
        url: options.url,
        username: options.username,
        password,
        connections: options.maxConcurrent + 1,
        timeout: options.timeoutMs,
        ca: options.ca,
        insecure: options.insecure,
        ...(options.allowBasic ? { allowBasic: true } : {}),
      }),
    createRenderer: (out) =>
      createAmcrestRenderer(out, {
        host: options.url.host,
        channels: options.channels,
        list: options.list,
        cameraTimeZone: options.cameraTimeZone,
        events: options.events,
        flags: options.flags,
        stream: options.stream,
      }),
    run: (client, { signal, stopSignal, onEvent }) =>
      runRecordingsJob(client, {
        start: options.start,
        end: options.end,
        channels: options.channels,
        types: options.types,
        events: options.events,
        flags: options.flags,
        stream: options.stream,
        snapshots: options.snapshots,
        cameraTimeZone: options.cameraTimeZone,
        mode: options.list ? 'list' : 'download',
        outputDir: options.outputDir,
        outputFile: options.outputFile,
        format: options.format,
        split: options.split,
        trim: options.trim,
        transcode: options.transcode,
        dryRun: options.dryRun,
        merge: options.merge,
        tools,
        overwrite: options.overwrite,
        keepFiles: options.keepFiles,
        allowPartial: options.allowPartial,
        maxConcurrent: options.maxConcurrent,
        rateLimitMbps: options.rateLimitMbps,
        maxRetries: options.maxRetries,
        retryDelay: options.retryDelayMs,
        timeout: options.timeoutMs,
        signal,
        stopSignal,
        onEvent,
      }),
    exitCodeFor: amcrestExitCode,
  });
}
