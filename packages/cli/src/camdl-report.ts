import { open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { CAMDL_EXIT_MEANINGS, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { writeLines } from './line-stamps.js';

const REPORT = defineCommand({
  name: 'camdl report',
  synopsis: '--config camdl.yaml --out coverage.html [--target NAME]',
  description: 'Write the coverage report: one self-contained HTML page (opens from disk, prints on paper): the fleet verdict first,\nthen a calendar of days per camera and channel; click a day (or open #camera/2026-03-14) for its 24 hours.\nWith --target: one report of every site whose ledger snapshot is on that target.',
  options: {
    target: { type: 'string', describe: 'Report every site on this target, from their ledger snapshots' },
    config: CONFIG_OPTION,
    out: { alias: 'o', type: 'string', default: 'coverage.html', describe: 'The HTML file to write' },
  },
  examples: [
    ['camdl report --config camdl.yaml --out coverage.html', 'one self-contained page: open it from disk, print it'],
    ['camdl report --target offsite --out sites.html', 'every site whose ledger snapshot is on that target'],
  ],
  exitCodes: { ok: 'the page was written', someFailed: 'the ledger or the target could not be read', usage: CAMDL_EXIT_MEANINGS.usage },
});

/** `camdl report --config camdl.yaml --out coverage.html` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(REPORT, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const { loadConfig, renderCoverageReport, renderSitesReport, withTargetSites } = await import('@camdl/sync');
  const target = parsed.args.target;
  let html: string;
  try {
    const config = loadConfig(parsed.args.config);
    html = target === undefined ? renderCoverageReport(config) : await withTargetSites(config, target, (sites) => renderSitesReport(`target ${target}`, sites));
  } catch (error) {
    toCamdlExit(error);
  }
  const out = parsed.args.out;
  const temporary = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    const handle = await open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(html);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, out);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  writeLines(process.stdout, `Wrote ${out}`);
  return 0;
}
