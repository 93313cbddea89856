import { parseCamdlFlags, toCamdlExit } from './camdl-flags.js';
import { printable } from './camdl-sync-render.js';

/** `camdl verify --config camdl.yaml [--camera NAME]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCamdlFlags('verify', argv, (parser) =>
    parser
      .usage('$0 --config camdl.yaml [--camera NAME]...\n\nRe-hash every archived file against the ledger; name each missing or changed file (exit 1).')
      .option('config', { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'The fleet config (YAML)' })
      .option('camera', { type: 'string', array: true, describe: 'Only this camera (repeatable)' })
      .option('json', { type: 'boolean', default: false, describe: 'NDJSON: one line per problem and a summary' }),
  );
  if (parsed.kind === 'exit') return parsed.code;
  const [{ loadConfig, verifyArchive, selectCameras, recordVerifyAlerts }, { installInterruptHandler }, { renderMonitorEvent }] = await Promise.all([
    import('@camdl/sync'),
    import('./interrupt.js'),
    import('./camdl-monitor-render.js'),
  ]);
  const interrupt = installInterruptHandler();
  let result;
  let config;
  try {
    config = loadConfig(parsed.args.config);
    result = await verifyArchive(config, {
      ...(parsed.args.camera ? { cameras: parsed.args.camera } : {}),
      signal: interrupt.signal,
      onEvent: (event) => {
        if (event.type !== 'problem') return;
        const { problem } = event;
        if (parsed.args.json) process.stdout.write(`${JSON.stringify({ type: 'problem', ...problem })}\n`);
        else process.stdout.write(`${problem.problem === 'missing' ? 'MISSING' : 'CHANGED'} ${printable(problem.path)} (${printable(problem.detail)})\n`);
      },
    });
  } catch (error) {
    toCamdlExit(error);
  } finally {
    interrupt.dispose();
  }
  // verify-failed opens (or recovers) like the conditions of a sync; a channel that fails changes nothing
  // here. Stopped at once (second Ctrl+C, SIGTERM): no channel may hold the exit.
  if (interrupt.state === 'none' || interrupt.state === 'stop') {
    await recordVerifyAlerts(
      config,
      { cameras: selectCameras(config, parsed.args.camera).map((camera) => camera.name), problems: result.problems, complete: interrupt.state === 'none' },
      { onMonitorEvent: (event) => renderMonitorEvent(event, { json: parsed.args.json, stdout: process.stdout, stderr: process.stderr, showAlerts: false }) },
    );
  }
  if (interrupt.state === 'terminate') return 143;
  if (interrupt.state !== 'none') return 130;
  const summary = `Verified ${result.checked} files: ${result.problems.length === 0 ? 'all match the ledger' : `${result.problems.filter((p) => p.problem === 'missing').length} missing, ${result.problems.filter((p) => p.problem === 'changed').length} changed (the next camdl sync fetches again what the cameras still have)`}`;
  if (parsed.args.json) process.stdout.write(`${JSON.stringify({ type: 'summary', checked: result.checked, problems: result.problems.length })}\n`);
  else process.stdout.write(`${summary}\n`);
  return result.problems.length === 0 ? 0 : 1;
}
