import { beforeAll, describe, expect, it } from 'vitest';
import { assertCamdlBuilt, runCamdl } from './camdl-helpers.js';

const COMMANDS = ['sync', 'status', 'verify', 'restore', 'report', 'film', 'alerts', 'notify', 'serve', 'init'];

/** The `Exit codes:` block of a help text: `[code, meaning]` per line. */
function exitCodes(help: string): Array<[number, string]> {
  const block = help.split('\nExit codes:\n')[1] ?? '';
  return block
    .split('\n')
    .map((line) => /^ +(\d+) {2}(.+)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [Number(match[1]), match[2]!]);
}

describe('camdl help, version and command names', () => {
  beforeAll(() => assertCamdlBuilt());

  it.each(COMMANDS)('camdl %s --help: real examples of that command and its own exit codes', async (command) => {
    const run = await runCamdl([command, '--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/Examples:\n\s*\n/);
    const examples = run.stdout.split('\nExamples:\n')[1]?.split('\n\nExit codes:')[0] ?? '';
    const commands = examples.split('\n').filter((line) => /^ {2}\S/.test(line));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line.trim().startsWith(`camdl ${command}`)).toBe(true);
    const codes = exitCodes(run.stdout);
    expect(codes.map(([code]) => code)).toContain(0);
    expect(codes.map(([code]) => code)).toContain(2);
  });

  it('init and film do not list the sync exit codes; init has no 130 (nothing to interrupt)', async () => {
    const sync = exitCodes((await runCamdl(['sync', '--help'])).stdout);
    const init = exitCodes((await runCamdl(['init', '--help'])).stdout);
    const film = exitCodes((await runCamdl(['film', '--help'])).stdout);
    expect(init.map(([code]) => code)).toEqual([0, 2]);
    expect(film).not.toEqual(sync);
    expect(film.find(([code]) => code === 1)?.[1]).toMatch(/ffmpeg/);
    expect(sync.find(([code]) => code === 1)?.[1]).toMatch(/failed or was lost/);
  });

  it('a mistyped command gets the nearest one, exit 2', async () => {
    const run = await runCamdl(['snyc', '--config', 'x.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^camdl: unknown command "snyc" \(did you mean sync\?\)\n/);
    const far = await runCamdl(['frobnicate']);
    expect(far.stderr).toMatch(/^camdl: unknown command "frobnicate"\n/);
  });

  it('--version prints the version; with --verbose also Node.js and the camdl packages', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    const plain = await runCamdl(['--version']);
    expect(plain).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const verbose = await runCamdl(['--version', '--verbose']);
    expect(verbose.code).toBe(0);
    const lines = verbose.stdout.trim().split('\n');
    expect(lines[0]).toBe(`@camdl/cli ${pkg.version}`);
    expect(lines[1]).toBe(`Node.js ${process.version} (${process.platform} ${process.arch})`);
    expect(lines).toContain(`@camdl/sync ${pkg.version}`);
    expect(lines.filter((line) => line.startsWith('@camdl/')).length).toBe(Object.keys(pkg.dependencies).filter((name) => name.startsWith('@camdl/')).length + 1);
  });

  it('every command answers --version and --version --verbose exactly as camdl itself does', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    const top = await runCamdl(['--version', '--verbose']);
    expect(top.stdout).toContain(`@camdl/sync ${pkg.version}\n`);
    const runs = await Promise.all(['get', ...COMMANDS].map(async (command) => ({ command, run: await runCamdl([command, '--version', '--verbose']) })));
    for (const { command, run } of runs) expect({ command, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ command, code: 0, stdout: top.stdout, stderr: '' });
    const verboseFirst = await runCamdl(['status', '--verbose', '--version']);
    expect(verboseFirst.stdout).toBe(top.stdout);
    const plain = await runCamdl(['sync', '--version']);
    expect(plain).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});
