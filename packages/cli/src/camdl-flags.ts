import { usageError } from './command-spec.js';
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
