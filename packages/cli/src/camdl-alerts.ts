import { CAMDL_EXIT_MEANINGS, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { escapeTerminal } from './terminal-text.js';
import { writeLines } from './line-stamps.js';

const ALERTS = defineCommand({
  name: 'camdl alerts',
  synopsis: '--config camdl.yaml [--json]',
  description: 'The open alert conditions, from the ledger (read-only; no camera or channel is contacted). Exit 1 while any is open.',
  options: {
    config: CONFIG_OPTION,
    json: { type: 'boolean', default: false, describe: 'One JSON document on stdout' },
  },
  examples: [
    ['camdl alerts --config camdl.yaml', 'the open conditions, from the ledger (no camera or channel contacted)'],
    ['camdl alerts --config camdl.yaml --json', 'the same as one JSON document'],
  ],
  exitCodes: { ok: 'no condition is open', someFailed: 'some condition is open', usage: CAMDL_EXIT_MEANINGS.usage },
});

/** `camdl alerts --config camdl.yaml [--json]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(ALERTS, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const { loadConfig, openAlerts } = await import('@camdl/sync');
  let open;
  try {
    open = openAlerts(loadConfig(parsed.args.config));
  } catch (error) {
    toCamdlExit(error);
  }
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  if (parsed.args.json) {
    const alerts = open.map((row) => ({ kind: row.kind, subject: row.subject, camera: row.camera ?? null, since: iso(row.sinceMs), opened: iso(row.openedMs), lastSent: iso(row.lastSentMs), runs: row.runs, message: row.message, action: row.action, items: row.items }));
    process.stdout.write(`${JSON.stringify({ alerts }, null, 2)}\n`);
  } else if (open.length === 0) {
    writeLines(process.stdout, 'No open alerts.');
  } else {
    const lines: string[] = [];
    for (const row of open) {
      lines.push(`${row.kind}${row.subject ? ` ${escapeTerminal(row.subject)}` : ''} since ${iso(row.sinceMs)!.replace('T', ' ').slice(0, 19)} UTC: ${escapeTerminal(row.message)}`);
      lines.push(`  what to do: ${escapeTerminal(row.action)}`);
    }
    writeLines(process.stdout, lines.join('\n'));
  }
  return open.length === 0 ? 0 : 1;
}
