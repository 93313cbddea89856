import { CAMDL_EXIT_MEANINGS, camdlUsageError, CAMERAS_OPTION, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { EXIT_CODES, isExitError, syncExitCode } from './exit-error.js';
import { formatInstant } from './format.js';
import { setLineStamps, wantTimestamps } from './line-stamps.js';
import { redactCredentials } from './terminal-text.js';

const SYNC = defineCommand({
  name: 'camdl sync',
  synopsis: '--config camdl.yaml [--camera NAME]... [--dry-run] [--json] [--no-progress] [--every 1h]',
  description: 'Archive every camera of the config: list, download what is missing oldest first, verify, record in the ledger, delete-after where configured.',
  options: {
    config: CONFIG_OPTION,
    camera: CAMERAS_OPTION,
    'dry-run': { type: 'boolean', default: false, describe: 'List and plan only: no download, no delete, the ledger untouched' },
    json: { type: 'boolean', default: false, describe: 'NDJSON events on stdout (human lines on stderr)' },
    progress: { type: 'boolean', default: true, describe: 'Live lines per camera on a terminal (--no-progress: plain lines)' },
    every: { type: 'string', describe: 'Run again this long after each start (1h, 30m): a foreground loop' },
    quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only problems, and the summary only when something happened (cron mails nothing otherwise)' },
    timestamps: { type: 'boolean', describe: 'Start each line, stdout and stderr alike, with the time (default: CAMDL_TIMESTAMPS=1 or 0, else when the output is not a terminal)' },
  },
  examples: [
    ['camdl sync --config camdl.yaml --dry-run', 'what a run would fetch and upload, per camera; nothing is downloaded or changed'],
    ['camdl sync --config camdl.yaml', 'archive every camera: download what is missing, verify, record, delete-after'],
    ['camdl sync --config camdl.yaml --camera north-gate --camera yard', 'only these cameras'],
    ['camdl sync --config /etc/camdl/camdl.yaml --quiet', 'for cron: prints nothing when nothing happened, problems always'],
    ['camdl sync --config camdl.yaml --every 1h', 'a foreground loop (systemd Type=simple); Ctrl+C between runs stops at once'],
    ['camdl sync --config camdl.yaml --json | jq -c \'select(.type == "file-failed")\'', 'NDJSON events for scripts'],
  ],
  exitCodes: {
    ok: 'everything in the window archived and verified (a dry run: nothing is wrong)',
    someFailed: 'some file failed or was lost, some is still pending, or a camera could not be reached',
    ...CAMDL_EXIT_MEANINGS,
  },
});

/** `camdl sync --config camdl.yaml [--camera NAME]... [--dry-run] [--json] [--no-progress] [--every 1h]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(SYNC, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const args = parsed.args;
  const [{ isSyncError, loadConfig, runMonitoredSync, parseDuration }, { installInterruptHandler }, { createSyncRenderer }, { renderMonitorEvent }] = await Promise.all([
    import('@camdl/sync'),
    import('./interrupt.js'),
    import('./camdl-sync-render.js'),
    import('./camdl-monitor-render.js'),
  ]);
  const humanStream = args.json ? process.stderr : process.stdout;
  // Before the config is read: its error is a line of this run too (--no-timestamps holds for it).
  const timestamps = wantTimestamps(args.timestamps, humanStream);
  setLineStamps(timestamps);
  const every = args.every === undefined ? undefined : parseDuration(args.every);
  if (args.every !== undefined && every === undefined) throw camdlUsageError(`--every must be a duration such as 30m, 1h or 1d, got ${JSON.stringify(args.every)}`);
  let config;
  try {
    config = loadConfig(args.config);
  } catch (error) {
    toCamdlExit(error);
  }
  const live = args.progress && !args.json && Boolean(process.stderr.isTTY) && process.env['TERM'] !== 'dumb' && !process.env['CI'];
  const renderer = createSyncRenderer({ json: args.json, live, quiet: args.quiet, timestamps, stdout: process.stdout, stderr: process.stderr });
  // Between two runs of --every nothing is in progress: the first Ctrl+C (or SIGTERM) stops at once.
  let waiting = false;
  const interrupt = installInterruptHandler({
    onStop: () => renderer.say(waiting ? 'Stopped while waiting for the next run (nothing was in progress).' : 'Stopping after the current files (Ctrl+C again to stop now)…'),
    onAbort: () => renderer.say('Stopping now; partial downloads are kept as .part files for the next run.'),
    onTerminate: () =>
      renderer.say(waiting ? 'Terminated while waiting for the next run (nothing was in progress).' : 'Terminated: stopping now; partial downloads are kept as .part files for the next run.'),
  });
  const interruptedCode = (): number => (interrupt.state === 'terminate' ? EXIT_CODES.terminated : EXIT_CODES.interrupted);
  try {
    for (;;) {
      // The run's start as the ledger records it (run-start comes right after): the next run starts
      // at least `every` after it by that clock too.
      let startedAt = Date.now();
      let exitCode: number;
      try {
        const { outcome } = await runMonitoredSync(config, {
          ...(args.camera ? { cameras: args.camera } : {}),
          dryRun: args.dryRun,
          signal: interrupt.signal,
          shouldContinue: () => !interrupt.stopSignal.aborted,
          onEvent: (event) => {
            if (event.type === 'run-start') startedAt = Date.now();
            renderer.render(event);
          },
          onMonitorEvent: (event) => renderMonitorEvent(event, { json: args.json, stdout: process.stdout, stderr: process.stderr, say: (text) => renderer.say(text, 'problem'), warn: (text) => renderer.warn(text) }),
        });
        exitCode = syncExitCode(outcome);
      } catch (error) {
        // A full disk with --every: say so and try again at the next run (space may be freed by then).
        const diskFull = every !== undefined && isSyncError(error, 'ERR_SYNC_DISK_FULL');
        if (!diskFull) return stampedExit(error, renderer);
        renderer.say(`FAIL  ${(error as Error).message}`);
        exitCode = EXIT_CODES.someFailed;
      }
      if (interrupt.state !== 'none') return interruptedCode();
      if (every === undefined) return exitCode;
      const next = Math.max(Date.now(), startedAt + every);
      renderer.say(`Next run at ${formatInstant(next)} (exit code of this one: ${exitCode})`, 'info');
      waiting = true;
      const stopped = await waitUntilUnlessStopped(next, interrupt.stopSignal);
      waiting = false;
      if (stopped) return interruptedCode();
    }
  } finally {
    renderer.close();
    interrupt.dispose();
  }
}

/** A run that could not complete (the ledger, a full disk): its one line on stderr, stamped like the others, and its exit code. */
function stampedExit(error: unknown, renderer: { warn(text: string): void }): number {
  try {
    toCamdlExit(error);
  } catch (exit) {
    if (!isExitError(exit)) throw exit;
    renderer.warn(redactCredentials(exit.message));
    return exit.exitCode;
  }
}

/**
 * Waits until the wall clock reads `at` (a timer may fire a little early: it waits again for the rest);
 * true as soon as `stop` aborts (a Ctrl+C or SIGTERM while waiting), false once `at` has come.
 */
function waitUntilUnlessStopped(at: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onStop = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const check = (): void => {
      const left = at - Date.now();
      if (left > 0) {
        timer = setTimeout(check, left);
        return;
      }
      stop.removeEventListener('abort', onStop);
      resolve(false);
    };
    stop.addEventListener('abort', onStop, { once: true });
    check();
  });
}
