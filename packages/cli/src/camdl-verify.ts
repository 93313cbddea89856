import { CAMDL_EXIT_MEANINGS, camdlUsageError, CAMERAS_OPTION, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { runInterruptible } from './camdl-job.js';
import { printable } from './camdl-sync-render.js';
import { writeLines } from './line-stamps.js';

const VERIFY = defineCommand({
  name: 'camdl verify',
  synopsis: '--config camdl.yaml [--camera NAME]... [--target NAME [--deep]]',
  description: 'Re-hash every archived file against the ledger; name each missing or changed file (exit 1).\nWith --target: check every copy on that target (size and stored sha256; --deep reads each back and re-hashes it); the next camdl sync makes a missing or changed copy again.',
  options: {
    config: CONFIG_OPTION,
    camera: CAMERAS_OPTION,
    target: { type: 'string', describe: 'Check the copies on this target instead of the local archive' },
    deep: { type: 'boolean', default: false, describe: 'With --target: download each copy and re-hash it' },
    json: { type: 'boolean', default: false, describe: 'NDJSON: one line per problem and a summary' },
  },
  examples: [
    ['camdl verify --config camdl.yaml', 're-hash every archived file against the ledger'],
    ['camdl verify --config camdl.yaml --camera yard', 'only one camera'],
    ['camdl verify --config camdl.yaml --target offsite --deep', 'read every copy on a target back and re-hash it'],
  ],
  exitCodes: { ok: 'every file matches the ledger', someFailed: 'some file is missing or changed (each is named), or the target cannot be read', ...CAMDL_EXIT_MEANINGS },
});

/** `camdl verify --config camdl.yaml [--camera NAME] [--target NAME [--deep]]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(VERIFY, argv);
  if (parsed.kind === 'exit') return parsed.code;
  if (parsed.args.deep && parsed.args.target === undefined) throw camdlUsageError('--deep needs --target NAME');
  if (parsed.args.target !== undefined) return verifyCopies(parsed.args);
  const { loadConfig, verifyArchive, selectCameras, recordVerifyAlerts } = await import('@camdl/sync');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(parsed.args.config);
  } catch (error) {
    toCamdlExit(error);
  }
  const outcome = await runInterruptible((signal) =>
    verifyArchive(config, {
      ...(parsed.args.camera ? { cameras: parsed.args.camera } : {}),
      signal,
      onEvent: (event) => {
        if (event.type !== 'problem') return;
        const { problem } = event;
        if (parsed.args.json) process.stdout.write(`${JSON.stringify({ type: 'problem', ...problem })}\n`);
        else writeLines(process.stdout, `${problem.problem === 'missing' ? 'MISSING' : 'CHANGED'} ${printable(problem.path)} (${printable(problem.detail)})`);
      },
    }),
  );
  if ('exitCode' in outcome) return outcome.exitCode;
  const { result } = outcome;
  // verify-failed opens (or recovers) like the conditions of a sync; a channel that fails changes nothing here.
  const { renderMonitorEvent } = await import('./camdl-monitor-render.js');
  await recordVerifyAlerts(
    config,
    { cameras: selectCameras(config, parsed.args.camera).map((camera) => camera.name), problems: result.problems, complete: true },
    { onMonitorEvent: (event) => renderMonitorEvent(event, { json: parsed.args.json, stdout: process.stdout, stderr: process.stderr, showAlerts: false }) },
  );
  const summary = `Verified ${result.checked} files: ${result.problems.length === 0 ? 'all match the ledger' : `${result.problems.filter((p) => p.problem === 'missing').length} missing, ${result.problems.filter((p) => p.problem === 'changed').length} changed (the next camdl sync fetches again what the cameras still have)`}`;
  if (parsed.args.json) process.stdout.write(`${JSON.stringify({ type: 'summary', checked: result.checked, problems: result.problems.length })}\n`);
  else writeLines(process.stdout, summary);
  return result.problems.length === 0 ? 0 : 1;
}

/** `camdl verify --target NAME [--deep]`: the copies on one target against the ledger. */
async function verifyCopies(args: { config: string; camera?: string[] | undefined; target?: string | undefined; deep: boolean; json: boolean }): Promise<number> {
  const { loadConfig, verifyTarget } = await import('@camdl/sync');
  const outcome = await runInterruptible((signal) =>
    verifyTarget(loadConfig(args.config), {
      target: args.target!,
      deep: args.deep,
      ...(args.camera ? { cameras: args.camera } : {}),
      signal,
      onEvent: (event) => {
        if (event.type !== 'problem') return;
        const { problem } = event;
        if (args.json) process.stdout.write(`${JSON.stringify({ type: 'problem', ...problem })}\n`);
        else writeLines(process.stdout, `${problem.problem === 'missing' ? 'MISSING' : 'CHANGED'} ${problem.target}: ${printable(problem.path)} (${printable(problem.detail)})`);
      },
    }),
  );
  if ('exitCode' in outcome) return outcome.exitCode;
  const { result } = outcome;
  const missing = result.problems.filter((problem) => problem.problem === 'missing').length;
  if (args.json) process.stdout.write(`${JSON.stringify({ type: 'summary', target: result.target, deep: args.deep, checked: result.checked, problems: result.problems.length })}\n`);
  else {
    writeLines(process.stdout, `Verified ${result.checked} copies on ${result.target}${args.deep ? ' (read back and re-hashed)' : ''}: ${result.problems.length === 0 ? 'all match the ledger' : `${missing} missing, ${result.problems.length - missing} changed (the next camdl sync makes them again from the local files)`}`);
  }
  return result.problems.length === 0 ? 0 : 1;
}
