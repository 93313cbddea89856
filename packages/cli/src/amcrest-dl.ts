import { parseAmcrestDlArgs } from './amcrest-options.js';

/**
 * The `amcrest-dl` command: parses argv, runs, returns the exit code. The libraries load only after
 * the flags are parsed, so `--help` starts fast.
 */
export async function amcrestDl(argv: string[]): Promise<number> {
  const parsed = await parseAmcrestDlArgs(argv, (text) => process.stdout.write(`${text}\n`));
  if (parsed.kind === 'exit') return parsed.code;
  const { runAmcrestDl } = await import('./amcrest-run.js');
  return runAmcrestDl(parsed.options);
}
