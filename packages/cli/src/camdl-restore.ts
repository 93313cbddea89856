import { CAMDL_EXIT_MEANINGS, camdlUsageError, CAMERAS_OPTION, CONFIG_OPTION } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { runInterruptible } from './camdl-job.js';
import { printable } from './camdl-sync-render.js';
import { formatBytes } from './format.js';
import { writeLines } from './line-stamps.js';

/** An ISO date or date-time flag as an instant (a date alone is midnight UTC). */
function instantFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(ms)) throw camdlUsageError(`--${name} must be an ISO date or date-time (2026-03-01, 2026-03-01T12:00:00Z), got ${JSON.stringify(text)}`);
  return ms;
}

const RESTORE = defineCommand({
  name: 'camdl restore',
  synopsis: '--config camdl.yaml --target NAME --out DIR [--camera NAME]... [--from ISO] [--to ISO]',
  description: 'Download the copies on a target into DIR in the archive\'s layout, re-hashing each against the ledger (the target\'s ledger snapshot when this machine has none); exit 1 naming any mismatch.',
  options: {
    config: CONFIG_OPTION,
    target: { type: 'string', demandOption: true, describe: 'The target to restore from' },
    out: { alias: 'o', type: 'string', demandOption: true, describe: 'The folder to restore into' },
    camera: CAMERAS_OPTION,
    from: { type: 'string', describe: 'Only recordings that end after this ISO date/time' },
    to: { type: 'string', describe: 'Only recordings that start before this ISO date/time' },
    json: { type: 'boolean', default: false, describe: 'NDJSON: one line per file and a summary' },
  },
  examples: [['camdl restore --target offsite --out /mnt/restore --camera north-gate --from 2026-03-01 --to 2026-03-08', 'One camera, one week']],
  exitCodes: {
    ok: 'every file restored and re-hashed against the ledger',
    someFailed: 'some file is missing or does not match (each is named), or no copy matched at all',
    ...CAMDL_EXIT_MEANINGS,
  },
});

/** `camdl restore --config camdl.yaml --target NAME --out DIR [--camera NAME]... [--from ISO] [--to ISO] [--json]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(RESTORE, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const args = parsed.args;
  const fromMs = instantFlag('from', args.from);
  const toMs = instantFlag('to', args.to);
  const { loadConfig, restoreFromTarget } = await import('@camdl/sync');
  const outcome = await runInterruptible((signal) =>
    restoreFromTarget(loadConfig(args.config), {
      target: args.target,
      out: args.out,
      cameras: args.camera,
      fromMs,
      toMs,
      signal,
      onEvent: (event) => {
        if (args.json) process.stdout.write(`${JSON.stringify(event.type === 'problem' ? { type: 'problem', ...event.problem } : event)}\n`);
        else if (event.type === 'restored') writeLines(process.stdout, `GOT   ${printable(event.path)} (${event.size} bytes, sha256 ${event.sha256.slice(0, 12)}… matches the ledger)`);
        else if (event.type === 'problem') writeLines(process.stdout, `FAIL  ${printable(event.problem.path)}: ${printable(event.problem.detail)}`);
        else writeLines(process.stdout, `INFO  no ledger on this machine: using the snapshot on ${event.target}`);
      },
    }),
  );
  if ('exitCode' in outcome) return outcome.exitCode;
  const { result } = outcome;
  if (args.json) process.stdout.write(`${JSON.stringify({ type: 'summary', restored: result.restored, bytes: result.bytes, problems: result.problems.length })}\n`);
  const nothing = result.restored === 0 && result.problems.length === 0;
  if (args.json) {
    // The summary line above says it.
  } else if (nothing) {
    const span = [args.camera ? `of ${args.camera.join(', ')}` : '', args.from ? `ending after ${args.from}` : '', args.to ? `starting before ${args.to}` : ''].filter(Boolean).join(' ');
    writeLines(process.stdout, `Nothing restored: no copy on ${printable(args.target)} is recorded verified${span ? ` ${printable(span)}` : ''}`);
  } else {
    writeLines(process.stdout, `Restored ${result.restored} file(s) (${formatBytes(result.bytes)}) into ${printable(args.out)}: ${result.problems.length === 0 ? 'each matches the ledger' : `${result.problems.length} did not match (named above)`}`);
  }
  // A restore that brought nothing back is not a success: the backup it was meant to prove is not there.
  return result.problems.length === 0 && !nothing ? 0 : 1;
}
