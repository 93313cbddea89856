// One measured upload in its own process, with the BUILT @camdl/offsite under plain node (its peak RSS is that
// of a real user of the package): node child.mjs <dist/index.js> <endpoint> <file> <key> <size> <sha256>
// Keys come from BENCH_S3_KEY_ID / BENCH_S3_SECRET (never argv). Env: BENCH_OFFSITE_CONNECTIONS (4),
// BENCH_OFFSITE_PART_MIB (8).
import { pathToFileURL } from 'node:url';

const [module, endpoint, file, key, size, sha256] = process.argv.slice(2);
if (!module || !endpoint || !file || !key || !size || !sha256) throw new Error('usage: child.mjs <index.js> <endpoint> <file> <key> <size> <sha256>');
const { createTarget } = await import(pathToFileURL(module).href);
const target = createTarget({
  kind: 's3',
  name: 'bench',
  endpoint,
  region: 'us-east-1',
  bucket: 'camdl',
  pathStyle: true,
  accessKeyId: process.env.BENCH_S3_KEY_ID,
  secretAccessKey: process.env.BENCH_S3_SECRET,
  connections: Number(process.env.BENCH_OFFSITE_CONNECTIONS ?? 4),
  partSizeBytes: Number(process.env.BENCH_OFFSITE_PART_MIB ?? 8) * 1024 * 1024,
});
const started = performance.now();
const result = await target.put(file, key, { size: Number(size), sha256 });
const ms = performance.now() - started;
await target.close();
process.stdout.write(`${JSON.stringify({ status: result.status, bytes: result.size, ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
