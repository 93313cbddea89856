import { parseCamdlFlags, toCamdlExit } from './camdl-flags.js';
import { formatBytes, formatInstant } from './format.js';
import { escapeTerminal } from './terminal-text.js';

function when(ms: number | undefined): string {
  if (ms === undefined) return 'never';
  const text = formatInstant(ms);
  return text.startsWith('invalid') ? text : `${text.replace('T', ' ').slice(0, 19)} UTC`;
}

/** `camdl status --config camdl.yaml [--json]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCamdlFlags('status', argv, (parser) =>
    parser
      .usage('$0 --config camdl.yaml [--json]\n\nWhat the archive holds, per camera and channel, from the ledger (no camera is contacted).')
      .option('config', { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'The fleet config (YAML)' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' }),
  );
  if (parsed.kind === 'exit') return parsed.code;
  const { loadConfig, fleetStatus } = await import('@camdl/sync');
  let status;
  try {
    status = fleetStatus(loadConfig(parsed.args.config));
  } catch (error) {
    toCamdlExit(error);
  }
  if (parsed.args.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  } else {
    const out: string[] = [];
    for (const camera of status.cameras) {
      // Every string read back from the ledger may hold what a camera sent (an error body): escaped.
      out.push(`${escapeTerminal(camera.name)} (${escapeTerminal(camera.kind)}): last successful sync ${when(camera.lastSuccessMs)}${camera.lastRun && camera.lastRun.status !== 'ok' ? `; last run ${escapeTerminal(camera.lastRun.status)}${camera.lastRun.error ? `: ${escapeTerminal(camera.lastRun.error)}` : ''}` : ''}${camera.failedRuns > 0 ? ` (${camera.failedRuns} failed run${camera.failedRuns === 1 ? '' : 's'} in a row)` : ''}`);
      if (camera.channels.length === 0) out.push('  nothing listed yet');
      for (const channel of camera.channels) {
        const days = channel.days.length === 0 ? '0 days' : `${channel.days.length} day${channel.days.length === 1 ? '' : 's'} (${escapeTerminal(channel.days[0] ?? '')} .. ${escapeTerminal(channel.days[channel.days.length - 1] ?? '')})`;
        out.push(
          `  ${camera.kind === 'amcrest' ? `channel ${channel.channel}` : 'archives'}: ${channel.files} files, ${formatBytes(channel.bytes)}, ${days}, gaps ${channel.gaps.length}, pending ${channel.pending}, lost ${channel.lost}, failing ${channel.failing}`,
        );
        for (const gap of channel.gaps.slice(0, 5)) out.push(`    gap ${when(gap.startMs)} .. ${when(gap.endMs)}`);
        if (channel.gaps.length > 5) out.push(`    … ${channel.gaps.length - 5} more gaps (camdl report shows them all)`);
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  const problems = status.cameras.some((camera) => camera.channels.some((channel) => channel.lost > 0 || channel.pending > 0) || camera.lastRun?.status === 'failed');
  return problems ? 1 : 0;
}
