import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { archivedCoverage, fleetStatus, renderCoverageReport, sqliteAvailable, syncFleet } from '@camdl/sync';
import { dailyArchives, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

describe.skipIf(!sqliteAvailable())('the coverage report over times no camera can have recorded', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it('ends at once, names rows an older camdl stored with times like 1e15, 1e300 and -1e300 and keeps them off a plausible calendar', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]);
    const config = fleet.config();
    expect((await syncFleet(config, { env: fleet.env })).outcome).toBe('ok');
    const db = new DatabaseSync(config.ledger);
    const insert = db.prepare(
      `INSERT INTO recordings (camera, channel, remote_key, start_ms, end_ms, camera_start, state, first_seen_ms, last_seen_ms) VALUES ('gate', 0, ?, ?, ?, '2026-03-01 00:00:00', 'lost', 1, 1)`,
    );
    insert.run('far.mp4', 1e15, 1e300);
    insert.run('early.mp4', -1e300, 0);
    db.close();
    const started = performance.now();
    const html = renderCoverageReport(config, { now: Date.UTC(2026, 3, 1) });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(html).toContain('far.mp4');
    expect(html).toContain('invalid time (1e+300)');
    expect(html).not.toMatch(/NaN|Infinity/);
    // The calendar spans the plausible rows (2026-03-01 to the report's day), not 1990 to 1e300.
    const days = html.match(/<rect class="[a-z]( g)?" x=/g)?.length ?? 0;
    expect(days).toBe(32);
    expect(html).toContain('<title>2026-03-01 Sun: 1 archived</title>');
    expect(fleetStatus(config).cameras[0]?.channels[0]).toMatchObject({ files: 2, lost: 2 });
  });

  it('a film over an archive whose ledger holds such a time takes no time from that row', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]);
    const config = fleet.config();
    expect((await syncFleet(config, { env: fleet.env })).outcome).toBe('ok');
    const db = new DatabaseSync(config.ledger);
    db.prepare(`UPDATE recordings SET start_ms = 1e300 WHERE id = (SELECT MIN(id) FROM recordings)`).run();
    db.prepare(`UPDATE recordings SET end_ms = 1e300 WHERE id = (SELECT MAX(id) FROM recordings)`).run();
    db.close();
    const coverage = [...archivedCoverage(config.ledger).values()];
    expect(coverage).toHaveLength(1);
    expect(coverage.every(({ first, last }) => Number.isFinite(first.getTime()) && Number.isFinite(last.getTime()) && last >= first)).toBe(true);
  });
});
