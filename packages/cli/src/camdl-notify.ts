import { CAMDL_EXIT_MEANINGS, camdlUsageError, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { escapeTerminal } from './terminal-text.js';
import { writeLines } from './line-stamps.js';

const NOTIFY = defineCommand({
  name: 'camdl notify',
  synopsis: '--config camdl.yaml --test',
  description: 'Send one test message to every channel of notify: (a success ping to healthchecks). Exit 1 naming each channel that failed.',
  options: {
    config: CONFIG_OPTION,
    test: { type: 'boolean', default: false, describe: 'Send the test message (required)' },
    json: { type: 'boolean', default: false, describe: 'One JSON document on stdout' },
  },
  examples: [['camdl notify --config camdl.yaml --test', 'one test message to every channel of notify:']],
  exitCodes: { ok: 'every channel took the message', someFailed: 'some channel failed (each is named)', usage: CAMDL_EXIT_MEANINGS.usage },
});

/** `camdl notify --config camdl.yaml --test` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(NOTIFY, argv);
  if (parsed.kind === 'exit') return parsed.code;
  if (!parsed.args.test) throw camdlUsageError('notify: give --test to send one test message to every channel');
  const { loadConfig, sendTestNotifications } = await import('@camdl/sync');
  let config;
  try {
    config = loadConfig(parsed.args.config);
  } catch (error) {
    toCamdlExit(error);
  }
  if (config.notify.length === 0) throw camdlUsageError(`${config.file}: no notify: channels to test`);
  const results = await sendTestNotifications(config);
  if (parsed.args.json) {
    process.stdout.write(`${JSON.stringify({ channels: results.map((result) => ({ channel: result.shown, kind: result.kind, ok: result.ok, reason: result.reason ?? null })) }, null, 2)}\n`);
  } else {
    for (const result of results) writeLines(process.stdout, `${result.ok ? 'OK  ' : 'FAIL'}  ${escapeTerminal(result.shown)}${result.ok ? '' : `: ${escapeTerminal(result.reason ?? 'failed')}`}`);
  }
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) writeLines(process.stderr, `camdl: notify test failed for ${failed.map((result) => escapeTerminal(result.shown)).join(', ')}`);
  return failed.length === 0 ? 0 : 1;
}
