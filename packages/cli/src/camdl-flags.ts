import yargs, { type Argv } from 'yargs';
import { usageError } from './command-spec.js';
import { parseFlags, type FlagsOutcome } from './parse-flags.js';
import { EXIT_CODES, ExitError } from './exit-error.js';

const USAGE_EXIT = EXIT_CODES.usage;

/** A usage error of a `camdl` command: `camdl: <message>`, exit 2. */
export function camdlUsageError(message: string): ExitError {
  return usageError('camdl', message);
}

/** `--config`, as the commands that read the fleet config take it. */
export const CONFIG_OPTION = { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'The fleet config (YAML)' } as const;

/** `--camera`, repeatable, as the commands that can be narrowed to some cameras take it. */
export const CAMERAS_OPTION = { type: 'string', array: true, describe: 'Only this camera (repeatable)' } as const;

/** What exit codes 2, 130 and 143 mean for the commands that read the config and can be stopped. */
export const CAMDL_EXIT_MEANINGS = {
  usage: 'config or usage error (the message names file:line and the key)',
  interrupted: 'interrupted by Ctrl+C',
  terminated: 'terminated by SIGTERM',
} as const;

type HelpLines = ReadonlyArray<readonly [string, string]>;

const INTERRUPTED: readonly [number, string] = [EXIT_CODES.interrupted, 'interrupted by Ctrl+C'];
const TERMINATED: readonly [number, string] = [EXIT_CODES.terminated, 'terminated by SIGTERM'];
const CONFIG: readonly [number, string] = [EXIT_CODES.usage, 'config or usage error (the message names file:line and the key)'];

/**
 * Each `camdl` command's examples and its own exit codes for `--help`: the numbers come from the one
 * table (`EXIT_CODES`), the meanings are the command's.
 */
export const CAMDL_COMMAND_HELP: Readonly<Record<string, { examples: HelpLines; exitCodes: ReadonlyArray<readonly [number, string]> }>> = {
  sync: {
    examples: [
      ['camdl sync --config camdl.yaml --dry-run', 'what a run would fetch and upload, per camera; nothing is downloaded or changed'],
      ['camdl sync --config camdl.yaml', 'archive every camera: download what is missing, verify, record, delete-after'],
      ['camdl sync --config camdl.yaml --camera north-gate --camera yard', 'only these cameras'],
      ['camdl sync --config /etc/camdl/camdl.yaml --quiet', 'for cron: prints nothing when nothing happened, problems always'],
      ['camdl sync --config camdl.yaml --every 1h', 'a foreground loop (systemd Type=simple); Ctrl+C between runs stops at once'],
      ['camdl sync --config camdl.yaml --json | jq -c \'select(.type == "file-failed")\'', 'NDJSON events for scripts'],
    ],
    exitCodes: [
      [EXIT_CODES.ok, 'everything in the window archived and verified (a dry run: nothing is wrong)'],
      [EXIT_CODES.someFailed, 'some file failed or was lost, some is still pending, or a camera could not be reached'],
      CONFIG,
      INTERRUPTED,
      TERMINATED,
    ],
  },
  status: {
    examples: [
      ['camdl status --config camdl.yaml', 'per camera: last sync, files, days, gaps, pending, lost'],
      ['camdl status --config camdl.yaml --json', 'the same as one JSON document'],
      ['camdl status --target offsite', 'every site whose ledger snapshot is on that target'],
    ],
    exitCodes: [
      [EXIT_CODES.ok, 'nothing pending, lost or failing'],
      [EXIT_CODES.someFailed, 'something is pending, lost or failing'],
      CONFIG,
    ],
  },
  verify: {
    examples: [
      ['camdl verify --config camdl.yaml', 're-hash every archived file against the ledger'],
      ['camdl verify --config camdl.yaml --camera yard', 'only one camera'],
      ['camdl verify --config camdl.yaml --target offsite --deep', 'read every copy on a target back and re-hash it'],
    ],
    exitCodes: [[EXIT_CODES.ok, 'every file matches the ledger'], [EXIT_CODES.someFailed, 'some file is missing or changed (each is named), or the target cannot be read'], CONFIG, INTERRUPTED, TERMINATED],
  },
  restore: {
    examples: [
      ['camdl restore --config camdl.yaml --target offsite --out /mnt/restore', 'every copy on the target into the archive layout'],
      ['camdl restore --config camdl.yaml --target usb --out ./r --camera yard --from 2026-03-01 --to 2026-03-08', 'one camera, one week'],
    ],
    exitCodes: [[EXIT_CODES.ok, 'every file restored and re-hashed against the ledger'], [EXIT_CODES.someFailed, 'some file is missing or does not match (each is named), or no copy matched at all'], CONFIG, INTERRUPTED, TERMINATED],
  },
  report: {
    examples: [
      ['camdl report --config camdl.yaml --out coverage.html', 'one self-contained page: open it from disk, print it'],
      ['camdl report --target offsite --out sites.html', 'every site whose ledger snapshot is on that target'],
    ],
    exitCodes: [[EXIT_CODES.ok, 'the page was written'], [EXIT_CODES.someFailed, 'the ledger or the target could not be read'], CONFIG],
  },
  film: {
    examples: [
      ['camdl film archive/north-gate --out north-gate.mp4 --length 3m', 'one camera\'s archive as a three-minute film'],
      ['camdl film archive --camera yard --from 2026-03-01 --to 2026-03-31 --every 10m --stamp --out march.mp4', 'a month, one frame per ten minutes, camera time burnt in'],
      ['camdl film archive/yard --out yard.mp4 --dry-run', 'the plan only: sources, frames, length'],
    ],
    exitCodes: [
      [EXIT_CODES.ok, 'the film was written and checked with ffprobe (or the dry run planned it)'],
      [EXIT_CODES.someFailed, 'ffmpeg failed; no film was written'],
      [EXIT_CODES.usage, 'usage error, no material, ffmpeg missing, or the film exists (--overwrite)'],
      INTERRUPTED,
      TERMINATED,
    ],
  },
  alerts: {
    examples: [
      ['camdl alerts --config camdl.yaml', 'the open conditions, from the ledger (no camera or channel contacted)'],
      ['camdl alerts --config camdl.yaml --json', 'the same as one JSON document'],
    ],
    exitCodes: [[EXIT_CODES.ok, 'no condition is open'], [EXIT_CODES.someFailed, 'some condition is open'], CONFIG],
  },
  notify: {
    examples: [['camdl notify --config camdl.yaml --test', 'one test message to every channel of notify:']],
    exitCodes: [[EXIT_CODES.ok, 'every channel took the message'], [EXIT_CODES.someFailed, 'some channel failed (each is named)'], CONFIG],
  },
  serve: {
    examples: [
      ['camdl serve --config camdl.yaml', '/metrics and /healthz on 127.0.0.1:9469'],
      ['camdl serve --config camdl.yaml --every 1h --listen 0.0.0.0:9469', 'also run the sync every hour'],
    ],
    exitCodes: [[EXIT_CODES.ok, 'stopped'], [EXIT_CODES.someFailed, 'the address cannot be listened on'], CONFIG, INTERRUPTED, TERMINATED],
  },
  init: {
    examples: [
      ['camdl init', 'write camdl.yaml here (never over an existing file)'],
      ['camdl init --config /etc/camdl/camdl.yaml --force', 'write it there, replacing what is there'],
    ],
    exitCodes: [[EXIT_CODES.ok, 'the example config was written'], [EXIT_CODES.usage, 'the file exists (--force), or its folder is missing or not writable']],
  },
};

/** Parses a sub-command's flags (`--help` prints and exits 0; a bad flag exits 2). */
export function parseCamdlFlags<T>(
  command: string,
  argv: string[],
  build: (parser: Argv) => Argv<T>,
  examples: HelpLines = CAMDL_COMMAND_HELP[command]?.examples ?? [],
): Promise<FlagsOutcome<Awaited<ReturnType<Argv<T>['parseAsync']>>>> {
  const parser = build(yargs(argv).scriptName(`camdl ${command}`).strict().parserConfiguration({ 'camel-case-expansion': true }));
  return parseFlags(parser, {
    argv,
    print: (text) => process.stdout.write(`${text}\n`),
    usageError: camdlUsageError,
    help: { examples, exitCodes: CAMDL_COMMAND_HELP[command]?.exitCodes ?? [[EXIT_CODES.ok, 'done'], CONFIG, INTERRUPTED, TERMINATED] },
  });
}

/** Maps errors of `@camdl/sync` to the exit codes of the contract (config errors → 2). */
export function toCamdlExit(error: unknown): never {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SYNC_CONFIG' || code === 'ERR_SYNC_SQLITE_UNAVAILABLE') throw new ExitError(`camdl: ${message}`, { exitCode: USAGE_EXIT, cause: error });
  // A target that cannot be reached or read (verify --target, restore, status --target): one line, exit 1.
  const target = code === 'ERR_SYNC_TARGET' || (typeof code === 'string' && code.startsWith('ERR_OFFSITE_'));
  if (code === 'ERR_SYNC_LEDGER' || code === 'ERR_SYNC_DISK_FULL' || target) throw new ExitError(`camdl: ${message}`, { exitCode: EXIT_CODES.someFailed, cause: error });
  throw error;
}
