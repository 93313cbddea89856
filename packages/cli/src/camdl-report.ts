import { open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { parseCamdlFlags, toCamdlExit } from './camdl-flags.js';

/** `camdl report --config camdl.yaml --out coverage.html` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCamdlFlags('report', argv, (parser) =>
    parser
      .usage('$0 --config camdl.yaml --out coverage.html\n\nWrite the coverage report: one self-contained HTML page (inline SVG) with a timeline per camera and channel.')
      .option('config', { alias: 'c', type: 'string', default: 'camdl.yaml', describe: 'The fleet config (YAML)' })
      .option('out', { alias: 'o', type: 'string', default: 'coverage.html', describe: 'The HTML file to write' }),
  );
  if (parsed.kind === 'exit') return parsed.code;
  const { loadConfig, renderCoverageReport } = await import('@camdl/sync');
  let html: string;
  try {
    html = renderCoverageReport(loadConfig(parsed.args.config));
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
  process.stdout.write(`Wrote ${out}\n`);
  return 0;
}
