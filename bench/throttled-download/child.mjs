// One measured download run in its own process, with the BUILT package under plain node (so its
// peak RSS is that of a real user of the package, not of a TypeScript loader):
// node child.mjs <built index.js> <url> <dest> <mbps> <parallel> <fsync 0|1>
// (bench.ts passes a snapshot of packages/throttled-download/dist/index.js). Env: BENCH_BURST_MS (limiter bucket),
// BENCH_LEAN=0 (every request through undici: `new DownloadAgent({ lean: false })`, to compare both paths).
import { pathToFileURL } from 'node:url';

const [module, url, dest, mbps = '0', parallel = '1', fsync = '1'] = process.argv.slice(2);
if (!module || !url || !dest) throw new Error('usage: child.mjs <index.js> <url> <dest> <mbps> <parallel> <fsync>');
const { download, RateLimiter, DownloadAgent } = await import(pathToFileURL(module).href);
const dispatcher = process.env['BENCH_LEAN'] === '0' && DownloadAgent ? new DownloadAgent({ lean: false }) : undefined;
const burstMs = process.env['BENCH_BURST_MS'];
const limiter = Number(mbps) > 0 ? new RateLimiter(Number(mbps), burstMs ? { burstMs: Number(burstMs) } : {}) : undefined;
const count = Number(parallel);
const started = performance.now();
const results = await Promise.all(
  Array.from({ length: count }, (_, i) =>
    download(url, count === 1 ? dest : `${dest}.${i}`, { ...(limiter ? { rateLimiter: limiter } : {}), ...(dispatcher ? { dispatcher } : {}), fsync: fsync === '1', existing: 'overwrite' }),
  ),
);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ bytes: results.reduce((sum, r) => sum + r.bytes, 0), ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
process.exit(0);
