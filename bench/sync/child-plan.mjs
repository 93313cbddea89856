// Listing and planning N recordings of one camera against the ledger, in its own process: the time of
// each step and the peak RSS. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { Ledger, planCamera, buildReportHtml, fleetStatus, parseConfig } = await import(`${root}packages/sync/dist/index.js`);
const count = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'camdl-bench-plan-'));
const timings = {};
const time = (name, work) => {
  const start = performance.now();
  const result = work();
  timings[name] = Math.round(performance.now() - start);
  return result;
};
try {
  const base = Date.parse('2025-01-01T00:00:00Z');
  // An NVR's worth of hourly recordings over several channels.
  const listing = time('make listing', () =>
    Array.from({ length: count }, (_, index) => {
      const channel = (index % 4) + 1;
      const startMs = base + Math.floor(index / 4) * 3_600_000;
      const wall = new Date(startMs).toISOString().slice(0, 19).replace('T', ' ');
      return {
        channel,
        remoteKey: `/mnt/dvr/${wall.slice(0, 10)}/${String(channel).padStart(3, '0')}/dav/${wall.slice(11, 13)}/${wall.slice(11, 13)}.00.00-${wall.slice(11, 13)}.59.59[R][0@0][0].dav`,
        remoteName: 'x',
        fileName: `${wall.slice(0, 10)}_${wall.slice(11, 13)}.00.00_ch${channel}.dav`,
        startMs,
        endMs: startMs + 3_599_000,
        cameraStart: wall,
        size: 1_800_000_000,
      };
    }),
  );
  const coverage = new Map([1, 2, 3, 4].map((channel) => [channel, { startMs: base, endMs: base + count * 3_600_000 }]));
  const ledgerPath = join(dir, 'ledger.sqlite');
  const ledger = Ledger.open(ledgerPath);
  time('first listing: record', () => ledger.recordListing('nvr', listing.map((remote) => ({ ...remote, remoteSize: remote.size }))));
  const rows = time('first listing: read ledger', () => ledger.recordingsOf('nvr'));
  const plan = time('first listing: plan', () => planCamera(rows, { recordings: listing, coverage }));
  if (plan.download.length !== count) throw new Error(`planned ${plan.download.length}`);
  ledger.close();
  // Mark everything archived (directly: the bench measures planning, not 100,000 downloads).
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
  const db = new DatabaseSync(ledgerPath);
  db.exec(`UPDATE recordings SET state = 'verified', local_path = 'nvr/' || id, local_size = remote_size, sha256 = printf('%064d', id)`);
  db.close();
  const again = Ledger.open(ledgerPath);
  time('re-run: record listing', () => again.recordListing('nvr', listing.map((remote) => ({ ...remote, remoteSize: remote.size }))));
  const rowsAgain = time('re-run: read ledger', () => again.recordingsOf('nvr'));
  const planAgain = time('re-run: plan', () => planCamera(rowsAgain, { recordings: listing, coverage }));
  if (planAgain.download.length !== 0 || planAgain.alreadyArchived !== count) throw new Error('re-run plan is not empty');
  again.close();
  const config = parseConfig(`archive: ${dir}\nledger: ${ledgerPath}\ncameras:\n  - name: nvr\n    kind: amcrest\n    host: 127.0.0.1\n    time-zone: UTC\n`, join(dir, 'camdl.yaml'));
  const status = time('status', () => fleetStatus(config));
  const html = time('report (HTML)', () => {
    const reader = Ledger.open(ledgerPath, { readOnly: true });
    try {
      return buildReportHtml(config, status.cameras, reader.allRecordings());
    } finally {
      reader.close();
    }
  });
  process.stdout.write(`${JSON.stringify({ count, timings, reportBytes: html.length, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
