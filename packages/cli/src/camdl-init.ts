import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ExitError } from './exit-error.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { writeLines } from './line-stamps.js';

const INIT = defineCommand({
  name: 'camdl init',
  synopsis: '[--config camdl.yaml] [--force]',
  description: 'Write a commented example config to edit.',
  options: {
    config: { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'Where to write it' },
    force: { type: 'boolean', default: false, describe: 'Overwrite an existing file' },
  },
  examples: [
    ['camdl init', 'write camdl.yaml here (never over an existing file)'],
    ['camdl init --config /etc/camdl/camdl.yaml --force', 'write it there, replacing what is there'],
  ],
  exitCodes: { ok: 'the example config was written', usage: 'the file exists (--force), or its folder is missing or not writable' },
});

/** `camdl init [--config camdl.yaml] [--force]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(INIT, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const { EXAMPLE_CONFIG } = await import('@camdl/sync');
  try {
    await writeFile(parsed.args.config, EXAMPLE_CONFIG, { flag: parsed.args.force ? 'w' : 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ExitError(`camdl: ${parsed.args.config} exists (--force to overwrite)`, { exitCode: 2 });
    const folder = dirname(resolve(parsed.args.config));
    const why =
      code === 'ENOENT' ? `the folder ${folder} does not exist (create it first, or give --config another path)`
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `this user cannot write in ${folder} (${code})`
      : code === 'EISDIR' ? 'it is a folder; give the path of a file such as camdl.yaml'
      : (error as Error).message;
    throw new ExitError(`camdl: cannot write the config ${parsed.args.config}: ${why}`, { exitCode: 2, cause: error });
  }
  writeLines(process.stdout, `Wrote ${parsed.args.config}: edit the cameras, then run camdl sync --config ${parsed.args.config} --dry-run`);
  return 0;
}
