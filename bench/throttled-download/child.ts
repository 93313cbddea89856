// One measured download run in its own process (so its peak RSS is its own):
// tsx child.ts <url> <dest> <mbps> <parallel> <fsync 0|1>
import { download, RateLimiter } from '../../packages/throttled-download/src/index.js';

const [url, dest, mbps = '0', parallel = '1', fsync = '1'] = process.argv.slice(2);
if (!url || !dest) throw new Error('usage: child.ts <url> <dest> <mbps> <parallel> <fsync>');
const burstMs = process.env['BENCH_BURST_MS'];
const limiter = Number(mbps) > 0 ? new RateLimiter(Number(mbps), burstMs ? { burstMs: Number(burstMs) } : {}) : undefined;
const count = Number(parallel);
const started = performance.now();
const results = await Promise.all(
  Array.from({ length: count }, (_, i) =>
    download(url, count === 1 ? dest : `${dest}.${i}`, { ...(limiter ? { rateLimiter: limiter } : {}), fsync: fsync === '1', existing: 'overwrite' }),
  ),
);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ bytes: results.reduce((sum, r) => sum + r.bytes, 0), ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
