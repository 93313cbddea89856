import { parseCamdlFlags, toCamdlExit } from './camdl-flags.js';
import type { CameraStatus } from '@camdl/sync';
import { formatBytes, formatInstant } from './format.js';
import { printable } from './camdl-sync-render.js';
import { escapeTerminal } from './terminal-text.js';

function when(ms: number | undefined): string {
  if (ms === undefined) return 'never';
  const text = formatInstant(ms);
  return text.startsWith('invalid') ? text : `${text.replace('T', ' ').slice(0, 19)} UTC`;
}

function age(ms: number | undefined, now: number): string {
  if (ms === undefined) return '';
  const hours = Math.max(0, now - ms) / 3_600_000;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} d`;
}

/** The per-target lines of a camera: verified / pending / failing copies and the age of the oldest pending. */
function copyLines(camera: CameraStatus, now: number): string[] {
  const lines = camera.copies.map(
    (copy) =>
      `  copies on ${copy.target}: verified ${copy.verified}, pending ${copy.pending}, failing ${copy.failing}${copy.conflict > 0 ? `, conflict ${copy.conflict}` : ''}${copy.oldestPendingMs !== undefined ? `, oldest pending ${age(copy.oldestPendingMs, now)}` : ''}`,
  );
  if (camera.offsiteOnly > 0) lines.push(`  kept on the targets only (keep-local): ${camera.offsiteOnly}`);
  return lines;
}

function copyProblems(camera: CameraStatus): boolean {
  return camera.copies.some((copy) => copy.pending > 0 || copy.conflict > 0);
}

/** `camdl status --config camdl.yaml [--json] [--target NAME]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCamdlFlags('status', argv, (parser) =>
    parser
      .usage(
        '$0 --config camdl.yaml [--json] [--target NAME]\n\nWhat the archive holds, per camera and channel and per target, from the ledger (no camera is contacted).\nWith --target: every site whose ledger snapshot is on that target (all site prefixes of the bucket or remote).',
      )
      .option('target', { type: 'string', describe: 'Read the ledger snapshots of every site on this target' })
      .option('config', { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'The fleet config (YAML)' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' }),
  );
  if (parsed.kind === 'exit') return parsed.code;
  if (parsed.args.target !== undefined) return targetStatus(parsed.args.config, parsed.args.target, parsed.args.json);
  const { loadConfig, fleetStatus, describeHorizon } = await import('@camdl/sync');
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
        if (channel.horizon) out.push(`    horizon: ${escapeTerminal(describeHorizon(channel.horizon))}`);
        for (const gap of channel.gaps.slice(0, 5)) out.push(`    gap ${when(gap.startMs)} .. ${when(gap.endMs)}`);
        if (channel.gaps.length > 5) out.push(`    … ${channel.gaps.length - 5} more gaps (camdl report shows them all)`);
      }
      if (camera.lostReasons.overwritten + camera.lostReasons.deleted > 0) {
        out.push(`  lost: ${camera.lostReasons.overwritten} overwritten by the camera, ${camera.lostReasons.deleted} deleted from the middle of what it held${camera.lostReasons.unknown > 0 ? `, ${camera.lostReasons.unknown} earlier` : ''}`);
      }
      out.push(...copyLines(camera, Date.now()));
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  const problems = status.cameras.some((camera) => camera.channels.some((channel) => channel.lost > 0 || channel.pending > 0) || camera.lastRun?.status === 'failed' || copyProblems(camera));
  return problems ? 1 : 0;
}

/** `camdl status --target NAME`: every site on the target, from its ledger snapshot. */
async function targetStatus(configPath: string, target: string, json: boolean): Promise<number> {
  const { loadConfig, targetFleetStatus } = await import('@camdl/sync');
  let status;
  try {
    status = await targetFleetStatus(loadConfig(configPath), target);
  } catch (error) {
    toCamdlExit(error);
  }
  if (json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else {
    const now = Date.now();
    const out: string[] = [];
    if (status.sites.length === 0) out.push(`No ledger snapshot on ${target} yet (camdl sync sends one after each run).`);
    for (const site of status.sites) {
      out.push(`site ${printable(site.site === '' ? '(root)' : site.site)}: snapshot ${when(site.snapshotMs)}${site.error ? `; cannot be read: ${printable(site.error)}` : ''}`);
      for (const camera of site.cameras) {
        const files = camera.channels.reduce((sum, channel) => sum + channel.files, 0);
        const pending = camera.channels.reduce((sum, channel) => sum + channel.pending, 0);
        const lost = camera.channels.reduce((sum, channel) => sum + channel.lost, 0);
        out.push(` ${printable(camera.name)}: last successful sync ${when(camera.lastSuccessMs)}; ${files} files archived, pending ${pending}, lost ${lost}`);
        out.push(...copyLines(camera, now).map((line) => ` ${line}`));
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  const problems = status.sites.some((site) => site.error !== undefined || site.cameras.some((camera) => copyProblems(camera) || camera.channels.some((channel) => channel.lost > 0 || channel.pending > 0)));
  return problems ? 1 : 0;
}
