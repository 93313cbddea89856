import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { sqliteAvailable, startMonitorServer, type MonitorServer } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { writeFixtureFleet } from './report-fixtures.js';

const NOW = Date.parse('2026-12-07T09:00:00Z');

describe.skipIf(!sqliteAvailable())('camdl serve serves the coverage report', () => {
  let dir: TempDir | undefined;
  let server: MonitorServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await dir?.cleanup();
    dir = undefined;
  });

  it('at / and /report, rendered from the ledger at each request: a run that fails shows on the next load', async () => {
    dir = await makeTempDir('camdl-report-serve-');
    const config = writeFixtureFleet(dir.path, [{ name: 'gate', kind: 'timelapse', timeZone: 'UTC', days: 10, cadence: 'daily' }], NOW);
    server = await startMonitorServer(config, { port: 0, now: () => NOW });
    const first = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(5000) });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await first.text()).toMatch(/<p class="verdict ok">.*All 1 camera\(s\) archived and verified/);

    const ledger = Ledger.open(config.ledger, { now: () => NOW });
    const run = ledger.startRun({ dryRun: false });
    ledger.startCameraRun(run, 'gate');
    ledger.finishCameraRun(run, 'gate', { status: 'failed', listed: 0, downloaded: 0, bytes: 0, failed: 0, lost: 0, deleted: 0, error: 'connect ECONNREFUSED' });
    ledger.finishRun(run, 'some-failed');
    ledger.close();
    const second = await fetch(`${server.url}/report`, { signal: AbortSignal.timeout(5000) });
    expect(second.status).toBe(200);
    expect(await second.text()).toMatch(/<p class="verdict fail">.*1 of 1 camera\(s\) need attention \(1 failing\) — gate: last run failed/);
    const head = await fetch(`${server.url}/`, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${server.url}/nothing`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
  });
});
