import { CAMDL_EXIT_MEANINGS, camdlUsageError, CAMERAS_OPTION, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import type { CameraStatus } from '@camdl/sync';
import { printable } from './camdl-sync-render.js';
import { copyLines, renderFleetStatus, statusTime as when, verdictLine, wantsUnicode } from './camdl-status-render.js';
import { writeLines } from './line-stamps.js';

function copyProblems(camera: CameraStatus): boolean {
  return camera.copies.some((copy) => copy.pending > 0 || copy.conflict > 0);
}

const STATUS = defineCommand({
  name: 'camdl status',
  synopsis: '--config camdl.yaml [--camera NAME]... [--verbose] [--json] [--target NAME]',
  description: 'One verdict line per camera (✓ archived, ⚠ look at it, ✗ failing), then a 30-day strip per camera (one character per camera day), from the ledger (no camera is contacted). --verbose adds per channel counts, the gaps by name and the copies per target.\nWith --target: every site whose ledger snapshot is on that target (all site prefixes of the bucket or remote).',
  options: {
    camera: CAMERAS_OPTION,
    verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Details: per channel counts, the gaps named, the copies per target' },
    target: { type: 'string', describe: 'Read the ledger snapshots of every site on this target' },
    config: CONFIG_OPTION,
    json: { type: 'boolean', default: false, describe: 'One JSON document on stdout' },
  },
  examples: [
    ['camdl status --config camdl.yaml', 'per camera: last sync, files, days, gaps, pending, lost'],
    ['camdl status --config camdl.yaml --json', 'the same as one JSON document'],
    ['camdl status --target offsite', 'every site whose ledger snapshot is on that target'],
  ],
  exitCodes: { ok: 'nothing pending, lost or failing', someFailed: 'something is pending, lost or failing', usage: CAMDL_EXIT_MEANINGS.usage },
});

/** `camdl status --config camdl.yaml [--camera NAME]... [--verbose] [--json] [--target NAME]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(STATUS, argv);
  if (parsed.kind === 'exit') return parsed.code;
  if (parsed.args.target !== undefined) return targetStatus(parsed.args.config, parsed.args.target, { json: parsed.args.json, verbose: parsed.args.verbose, cameras: parsed.args.camera });
  const { loadConfig, fleetStatus } = await import('@camdl/sync');
  let status;
  try {
    status = fleetStatus(loadConfig(parsed.args.config), { cameras: parsed.args.camera });
  } catch (error) {
    toCamdlExit(error);
  }
  if (parsed.args.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  } else {
    writeLines(process.stdout, renderFleetStatus(status, { now: Date.now(), unicode: wantsUnicode(process.env), verbose: parsed.args.verbose }).join('\n'));
  }
  const problems = status.cameras.some((camera) => camera.channels.some((channel) => channel.lost > 0 || channel.pending > 0) || camera.lastRun?.status === 'failed' || copyProblems(camera));
  return problems ? 1 : 0;
}

/** `camdl status --target NAME`: every site on the target, from its ledger snapshot; `--camera` keeps the cameras of that name. */
async function targetStatus(configPath: string, target: string, options: { json: boolean; verbose: boolean; cameras: string[] | undefined }): Promise<number> {
  const { json, verbose, cameras } = options;
  const { loadConfig, targetFleetStatus, STATUS_JSON_VERSION } = await import('@camdl/sync');
  let status;
  try {
    status = await targetFleetStatus(loadConfig(configPath), target);
  } catch (error) {
    toCamdlExit(error);
  }
  if (cameras !== undefined) {
    // A name no site knows would print the sites with nothing under them and exit 0: a typo looks fine.
    const known = [...new Set(status.sites.flatMap((site) => site.cameras.map((camera) => camera.name)))].sort();
    const unknown = cameras.filter((name) => !known.includes(name));
    if (unknown.length > 0 && status.sites.every((site) => site.error === undefined)) {
      throw camdlUsageError(`no camera named ${unknown.map((name) => JSON.stringify(name)).join(', ')} on any site of ${printable(target)} (known: ${printable(known.join(', ')) || 'none'})`);
    }
    status = { ...status, sites: status.sites.map((site) => ({ ...site, cameras: site.cameras.filter((camera) => cameras.includes(camera.name)) })) };
  }
  if (json) process.stdout.write(`${JSON.stringify({ version: STATUS_JSON_VERSION, ...status }, null, 2)}\n`);
  else {
    const now = Date.now();
    const unicode = wantsUnicode(process.env);
    const out: string[] = [];
    if (status.sites.length === 0) out.push(`No ledger snapshot on ${target} yet (camdl sync sends one after each run).`);
    for (const site of status.sites) {
      out.push(`site ${printable(site.site === '' ? '(root)' : site.site)}: snapshot ${when(site.snapshotMs)}${site.error ? `; cannot be read: ${printable(site.error)}` : ''}`);
      for (const camera of site.cameras) {
        out.push(`  ${verdictLine(camera, { now, unicode })}`);
        if (verbose) out.push(...copyLines(camera, now).map((line) => `  ${line}`));
      }
    }
    writeLines(process.stdout, out.join('\n'));
  }
  const problems = status.sites.some((site) => site.error !== undefined || site.cameras.some((camera) => copyProblems(camera) || camera.channels.some((channel) => channel.lost > 0 || channel.pending > 0)));
  return problems ? 1 : 0;
}
