import { open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { parseCamdlFlags, toCamdlExit } from './camdl-flags.js';
import { writeLines } from './line-stamps.js';

/** `camdl report --config camdl.yaml --out coverage.html` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCamdlFlags('report', argv, (parser) =>
    parser
      .usage(
        '$0 --config camdl.yaml --out coverage.html [--target NAME]\n\nWrite the coverage report: one self-contained HTML page (opens from disk, prints on paper): the fleet verdict first,\nthen a calendar of days per camera and channel; click a day (or open #camera/2026-03-14) for its 24 hours.\nWith --target: one report of every site whose ledger snapshot is on that target.',
      )
      .option('target', { type: 'string', describe: 'Report every site on this target, from their ledger snapshots' })
      .option('config', { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'The fleet config (YAML)' })
      .option('out', { alias: 'o', type: 'string', default: 'coverage.html', describe: 'The HTML file to write' }),
  );
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
