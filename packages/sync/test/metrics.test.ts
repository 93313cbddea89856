import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, missingSystemTools } from '@camdl/test-utils';
import { collectMetrics, renderExposition, runMonitoredSync, sqliteAvailable, startMonitorServer, type MonitorServer } from '@camdl/sync';
import { dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';
import { addTopLines, directoryTargets } from './offsite-helpers.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-04T01:00:00Z');
const missing = missingSystemTools('promtool', 'prometheus');

/** `promtool check metrics` on a text: its exit status and what it said. */
function promtool(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe.skipIf(!sqliteAvailable() || missing !== undefined)('metrics: the textfile, camdl serve, promtool and a real Prometheus', () => {
  let fleet: TestFleet | undefined;
  let server: MonitorServer | undefined;
  let prometheus: ChildProcess | undefined;
  afterEach(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGKILL');
      await exited;
    }
    prometheus = undefined;
    await server?.close();
    server = undefined;
    await fleet?.close();
    fleet = undefined;
  });

  async function syncedFleet(): Promise<TestFleet> {
    fleet = await startFleet(
      [
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] },
        { name: 'crane', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Crane', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] },
      ],
      { top: ['metrics:', '  textfile: ./node-exporter/camdl.prom', 'notify:', '  - { kind: webhook, url: "http://127.0.0.1:9/hook", timeout: 1 }'] },
    );
    await mkdir(join(fleet.dir.path, 'node-exporter'));
    const { outcome } = await runMonitoredSync(fleet.config(), { env: fleet.env, now: () => T0 });
    expect(outcome).toBe('ok');
    return fleet;
  }

  it('writes the textfile atomically after each run; promtool accepts it; it holds the figures of the run', async () => {
    const synced = await syncedFleet();
    const folder = join(synced.dir.path, 'node-exporter');
    expect(await readdir(folder)).toEqual(['camdl.prom']);
    const text = await readFile(join(folder, 'camdl.prom'), 'utf8');
    expect(promtool(text)).toEqual({ status: 0, output: '' });
    const seconds = T0 / 1000;
    expect(text).toContain(`camdl_camera_last_success_timestamp_seconds{camera="gate"} ${seconds}`);
    expect(text).toContain(`camdl_last_run_timestamp_seconds ${seconds}`);
    expect(text).toContain('camdl_camera_up{camera="crane"} 1');
    expect(text).toContain('camdl_recordings{camera="gate",state="verified"} 2');
    expect(text).toMatch(/camdl_archived_bytes\{camera="gate"\} [1-9]\d*/);
    expect(text).toContain('camdl_alerts_open{kind="camera-unreachable"} 0');
    expect(text).toContain('camdl_oldest_pending_age_seconds{camera="gate"} 0');
    expect(text).toMatch(/# TYPE camdl_notify_failures_total counter\ncamdl_notify_failures_total\{channel="webhook",kind="webhook"\} 0/);
    expect(text).toMatch(/camdl_archive_free_bytes \d+/);
  });

  it('counts off-site copies by target and state, with the age of the oldest pending copy; promtool accepts them', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] }]);
    const { lines } = await directoryTargets(fleet, ['usb', 'nas'], { missing: ['nas'] });
    await addTopLines(fleet, lines);
    // nas is missing: its two copies stay pending from this run on; usb holds both.
    expect((await runMonitoredSync(fleet.config(), { env: fleet.env, now: () => T0, targetTuning: { retryDelayMs: 1 } })).outcome).toBe('some-failed');
    const text = renderExposition(await collectMetrics(fleet.config(), { now: T0 + HOUR }));
    expect(promtool(text)).toEqual({ status: 0, output: '' });
    const copies = text.split('\n').filter((line) => line.startsWith('camdl_cop'));
    expect(copies).toEqual([
      'camdl_copies{target="usb",state="verified"} 2',
      'camdl_copies{target="usb",state="pending"} 0',
      'camdl_copies{target="usb",state="failing"} 0',
      'camdl_copies{target="usb",state="conflict"} 0',
      'camdl_copies{target="nas",state="verified"} 0',
      'camdl_copies{target="nas",state="pending"} 2',
      'camdl_copies{target="nas",state="failing"} 0',
      'camdl_copies{target="nas",state="conflict"} 0',
      'camdl_copy_oldest_pending_age_seconds{target="usb"} 0',
      'camdl_copy_oldest_pending_age_seconds{target="nas"} 3600',
    ]);
  });

  it('serves /metrics (promtool accepts it) and /healthz: 200 while the last run is recent, 503 once it is older than max-age', async () => {
    const synced = await syncedFleet();
    let now = T0 + HOUR;
    server = await startMonitorServer(synced.config(), { port: 0, maxAgeMs: 2 * HOUR, now: () => now });
    const metrics = await get(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(promtool(metrics.text)).toEqual({ status: 0, output: '' });
    // The same set as the textfile (the free space of a shared disk moves between the two reads).
    const withoutFree = (text: string): string => text.replace(/^camdl_archive_free_bytes \d+$/m, '');
    expect(withoutFree(metrics.text)).toBe(withoutFree(await readFile(join(synced.dir.path, 'node-exporter', 'camdl.prom'), 'utf8')));

    const healthy = await get(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(JSON.parse(healthy.text)).toMatchObject({ status: 'ok', healthy: true, lastSuccess: new Date(T0).toISOString(), maxAgeSeconds: 7200, openAlerts: [] });
    now = T0 + 2 * HOUR + 60_000;
    const stale = await get(`${server.url}/healthz`);
    expect(stale.status).toBe(503);
    expect(JSON.parse(stale.text)).toMatchObject({ status: 'stale', healthy: false, reason: expect.stringContaining('the last completed run ended 121 min ago') });
    expect((await get(`${server.url}/nothing`)).status).toBe(404);
  });

  it('a real Prometheus scrapes camdl serve and its query API returns the camera’s last-success timestamp', async () => {
    const synced = await syncedFleet();
    server = await startMonitorServer(synced.config(), { port: 0, now: () => T0 + HOUR });
    const port = await findFreePort();
    const target = new URL(server.url).host;
    await writeFile(join(synced.dir.path, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: camdl\n    static_configs:\n      - targets: ['${target}']\n`);
    prometheus = spawn('prometheus', [`--config.file=${join(synced.dir.path, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(synced.dir.path, 'tsdb')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    prometheus.stderr!.on('data', (chunk: Buffer) => {
      if (log.length < 20_000) log += chunk.toString();
    });
    const query = encodeURIComponent('camdl_camera_last_success_timestamp_seconds{camera="gate"}');
    const deadline = Date.now() + 20_000;
    let value: string | undefined;
    while (value === undefined && Date.now() < deadline) {
      try {
        const answer = JSON.parse((await get(`http://127.0.0.1:${port}/api/v1/query?query=${query}`)).text) as { data?: { result?: Array<{ value: [number, string] }> } };
        value = answer.data?.result?.[0]?.value[1];
      } catch {
        // Not listening yet.
      }
      if (value === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(value, log.slice(-2000)).toBe(String(T0 / 1000));
  }, 30_000);
});
