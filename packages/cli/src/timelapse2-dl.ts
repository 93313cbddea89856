import { parseTimelapse2DlArgs } from './timelapse2-options.js';

/**
 * The `timelapse2-dl` command: parses argv, runs, returns the exit code. The libraries load only
 * after the flags are parsed, so `--help` starts fast.
 */
export async function timelapse2Dl(argv: string[]): Promise<number> {
  const parsed = await parseTimelapse2DlArgs(argv, (text) => process.stdout.write(`${text}\n`));
  if (parsed.kind === 'exit') return parsed.code;
  const { runTimelapse2Dl } = await import('./timelapse2-run.js');
  return runTimelapse2Dl(parsed.args);
}
