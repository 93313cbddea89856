// Listing and planning N recordings of one camera against the ledger, in its own process: the time of
// each step and the peak RSS. The listing is generated as it is staged (as a camera's answer streams
// in), so what grows with N here is the ledger's side only. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRssMiB } from './peak-rss.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { renderCoverageReport, fleetStatus, parseConfig } = await import(`${root}packages/sync/dist/index.js`);
const { Ledger } = await import(`${root}packages/sync/dist/testing.js`);
const count = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'camdl-bench-plan-'));
const timings = {};
const time = (name, work) => {
  const start = performance.now();
  const result = work();
  timings[name] = Math.round(performance.now() - start);
  if (process.env.CAMDL_BENCH_RSS) process.stderr.write(`${name}: rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB\n`);
  return result;
};
const PAGE = 256;
/** Every page of a keyset-paged query, counted (what a sync's workers consume). */
const drain = (read) => {
  let after;
  let seen = 0;
  for (;;) {
    const page = read(after);
    seen += page.length;
    if (page.length < PAGE) return seen;
    after = page[page.length - 1].cursor;
  }
};
try {
  const base = Date.parse('2025-01-01T00:00:00Z');
  // An NVR's worth of hourly recordings over four channels.
  function* listing() {
    for (let index = 0; index < count; index += 1) {
      const channel = (index % 4) + 1;
      const startMs = base + Math.floor(index / 4) * 3_600_000;
      const wall = new Date(startMs).toISOString().slice(0, 19).replace('T', ' ');
      yield {
        channel,
        remoteKey: `/mnt/dvr/${wall.slice(0, 10)}/${String(channel).padStart(3, '0')}/dav/${wall.slice(11, 13)}/${wall.slice(11, 13)}.00.00-${wall.slice(11, 13)}.59.59[R][0@0][0].dav`,
        remoteName: 'x',
        fileName: `${wall.slice(0, 10)}_${wall.slice(11, 13)}.00.00_ch${channel}.dav`,
        startMs,
        endMs: startMs + 3_599_000,
        cameraStart: wall,
        size: 1_800_000_000,
      };
    }
  }
  const coverage = new Map([1, 2, 3, 4].map((channel) => [channel, { startMs: base, endMs: base + count * 3_600_000 }]));
  const ledgerPath = join(dir, 'ledger.sqlite');
  const ledger = Ledger.open(ledgerPath);
  time('first listing: stage (temp table)', () => ledger.stageListing('nvr', listing(), coverage));
  time('first listing: record in the ledger', () => ledger.recordListing('nvr'));
  const plan = time('first listing: plan (counts)', () => ledger.planSummary('nvr'));
  const queued = time('first listing: walk the download queue (pages of 256)', () => drain((after) => ledger.toDownload('nvr', after, PAGE)));
  const lost = time('first listing: vanished rows', () => [...ledger.vanished('nvr')].length);
  if (plan.toDownload !== count || queued !== count || lost !== 0) throw new Error(`planned ${plan.toDownload}, queued ${queued}, lost ${lost}`);
  ledger.dropListing('nvr');
  ledger.close();
  // Mark everything archived (directly: the bench measures planning, not 100,000 downloads).
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
  const db = new DatabaseSync(ledgerPath);
  db.exec(`UPDATE recordings SET state = 'verified', local_path = 'nvr/' || id, local_size = remote_size, sha256 = printf('%064d', id)`);
  db.close();
  const again = Ledger.open(ledgerPath);
  time('re-run: stage', () => again.stageListing('nvr', listing(), coverage));
  time('re-run: record', () => again.recordListing('nvr'));
  const planAgain = time('re-run: plan (counts)', () => again.planSummary('nvr'));
  const queuedAgain = time('re-run: walk the download queue', () => drain((after) => again.toDownload('nvr', after, PAGE)));
  if (planAgain.toDownload !== 0 || queuedAgain !== 0 || planAgain.alreadyArchived !== count) throw new Error('re-run plan is not empty');
  again.dropListing('nvr');
  again.close();
  const config = parseConfig(`archive: ${dir}\nledger: ${ledgerPath}\ncameras:\n  - name: nvr\n    kind: amcrest\n    host: 127.0.0.1\n    time-zone: UTC\n`, join(dir, 'camdl.yaml'));
  time('status', () => fleetStatus(config));
  const html = time('report (HTML)', () => renderCoverageReport(config));
  process.stdout.write(`${JSON.stringify({ count, timings, reportBytes: html.length, maxRssMiB: peakRssMiB() })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
