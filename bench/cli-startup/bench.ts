/**
 * CLI start-up time: `timelapse2-dl --help` and `amcrest-dl --help` from the built binaries, against
 * a bare `node -e ""` baseline, median of N runs each (run `pnpm build` first).
 *   pnpm exec tsx bench/cli-startup/bench.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 15);
const root = fileURLToPath(new URL('../../', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(args: string[]): number {
  const samples: number[] = [];
  for (let i = 0; i < runs + 2; i += 1) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
    if (i >= 2) samples.push(elapsed); // the first two warm the disk cache
  }
  return median(samples);
}

const rows: Array<[string, number]> = [
  ['node -e "" (baseline)', time(['-e', ''])],
  ['timelapse2-dl --help', time(['packages/cli/bin/timelapse2-dl.js', '--help'])],
  ['amcrest-dl --help', time(['packages/cli/bin/amcrest-dl.js', '--help'])],
];
console.log(`CLI start-up, median of ${runs} runs, Node ${process.version}`);
console.log('| command | median ms |\n|---|---:|');
for (const [label, ms] of rows) console.log(`| ${label} | ${ms.toFixed(1)} |`);
