import { describe, expect, it } from 'vitest';
import { camdlUsageError } from './camdl-flags.js';
import { commandUsageError, defineCommand, parseCommand } from './command-spec.js';
import { EXIT_CODES, isExitError } from './exit-error.js';

const TOOL = defineCommand({
  options: {
    out: { type: 'string', describe: 'Where it goes' },
    count: { type: 'number', default: 1, describe: 'How many' },
    tag: { type: 'string', array: true, describe: 'A tag (repeatable)' },
  },
  name: 'camdl demo',
  synopsis: '--out FILE [--count N]',
  description: 'Makes a demo.',
  examples: [['camdl demo --out a.txt', 'one demo into a.txt']],
  exitCodes: { ok: 'made', mergeFailed: 'could not merge', interrupted: 'stopped' },
  notes: ['A note at the end.'],
});

async function help(spec: Parameters<typeof parseCommand>[0]): Promise<string> {
  const printed: string[] = [];
  const outcome = await parseCommand(spec, ['--help'], (text) => printed.push(text));
  expect(outcome).toEqual({ kind: 'exit', code: EXIT_CODES.ok });
  return printed.join('\n');
}

async function refusal(spec: Parameters<typeof parseCommand>[0], argv: string[]): Promise<{ message: string; exitCode: number }> {
  const error: unknown = await parseCommand(spec, argv, () => undefined).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isExitError(error)) throw new Error(`expected an ExitError for ${argv.join(' ')}, got ${String(error)}`);
  return { message: error.message, exitCode: error.exitCode };
}

describe('command spec', () => {
  it('--help: usage line, description, options in order, examples, the exit codes by their numbers, notes', async () => {
    const text = await help(TOOL);
    expect(text.startsWith('camdl demo --out FILE [--count N]\n\nMakes a demo.\n\nOptions:\n')).toBe(true);
    expect(text.indexOf('--out')).toBeLessThan(text.indexOf('--count'));
    expect(text.indexOf('--count')).toBeLessThan(text.indexOf('--tag'));
    expect(text).toContain('\nExamples:\n  camdl demo --out a.txt\n      one demo into a.txt\n\nExit codes:\n');
    expect(text.endsWith(`Exit codes:\n    ${EXIT_CODES.ok}  made\n    ${EXIT_CODES.mergeFailed}  could not merge\n  ${EXIT_CODES.interrupted}  stopped\n\nA note at the end.`)).toBe(true);
  });

  it('--help without examples has no Examples heading', async () => {
    const text = await help({ ...TOOL, examples: [], notes: [] });
    expect(text).not.toContain('Examples:');
    expect(text).toMatch(/\nExit codes:\n {4}0 {2}made\n/);
  });

  it('parses the options into their types, under their names and camelCase forms', async () => {
    const outcome = await parseCommand(TOOL, ['--out', 'a.txt', '--count', '3', '--tag', 'x', '--tag', 'y'], () => undefined);
    if (outcome.kind !== 'args') throw new Error('expected args');
    expect(outcome.args).toMatchObject({ out: 'a.txt', count: 3, tag: ['x', 'y'] });
  });

  it('a bad flag is the command’s usage error: the program name, the nearest flag, the hint line, exit 2', async () => {
    expect(await refusal(TOOL, ['--cuont', '2'])).toEqual({ message: 'camdl: unknown option --cuont (did you mean --count?)', exitCode: EXIT_CODES.usage });
    const hinted = { ...TOOL, name: 'demo-dl', usageHint: 'Run demo-dl --help for usage.' };
    expect(await refusal(hinted, ['--bogus'])).toEqual({ message: 'demo-dl: unknown option --bogus\nRun demo-dl --help for usage.', exitCode: EXIT_CODES.usage });
  });

  it('a repeated single-value flag is refused, or takes its last value with lastValueWins (a list flag still collects)', async () => {
    expect((await refusal(TOOL, ['--out', 'a', '--out', 'b'])).message).toBe('camdl: --out was given 2 times; give it once');
    const outcome = await parseCommand({ ...TOOL, lastValueWins: true }, ['--out', 'a', '--out', 'b', '--tag', 'x', '--tag', 'y'], () => undefined);
    if (outcome.kind !== 'args') throw new Error('expected args');
    expect(outcome.args).toMatchObject({ out: 'b', tag: ['x', 'y'] });
  });

  it('a positional is refused unless the spec takes positionals; unknown flags stay errors either way', async () => {
    expect((await refusal(TOOL, ['folder'])).message).toMatch(/^camdl: /);
    const positional = { ...TOOL, positionals: true };
    const outcome = await parseCommand(positional, ['folder', '--out', 'a'], () => undefined);
    if (outcome.kind !== 'args') throw new Error('expected args');
    expect(outcome.args._).toEqual(['folder']);
    expect((await refusal(positional, ['folder', '--bogus'])).message).toBe('camdl: unknown option --bogus');
  });

  it('usage errors never show the credentials of a URL', () => {
    const error = commandUsageError({ name: 'demo-dl', usageHint: 'Run demo-dl --help.' }, '--host: bad "http://admin:hunter2@cam"');
    expect(error.message).toBe('demo-dl: --host: bad "http://admin:***@cam"\nRun demo-dl --help.');
    expect(error.exitCode).toBe(EXIT_CODES.usage);
    expect(camdlUsageError('cannot use "https://root:pass@10.0.0.41"').message).toBe('camdl: cannot use "https://root:***@10.0.0.41"');
  });
});
