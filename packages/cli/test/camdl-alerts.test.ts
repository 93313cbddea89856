import { appendFile, stat } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, startHttpReceiver, type HttpReceiver } from '@camdl/test-utils';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, runCamdl, startCamdl, startCamdlFleet, syntheticArchives, type CamdlFleet } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl alerts, notify --test, serve, and sync with failing channels (the binary)', () => {
  let fleet: CamdlFleet | undefined;
  const receivers: HttpReceiver[] = [];
  beforeAll(() => assertCamdlBuilt());
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    await fleet?.close();
    fleet = undefined;
  });

  async function receiver(status = 200): Promise<HttpReceiver> {
    const started = await startHttpReceiver({ status });
    receivers.push(started);
    return started;
  }

  it('camdl sync exits 0 when the webhook answers 500: the failure is a warning on stderr showing only scheme and host', async () => {
    const webhook = await receiver(500);
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 40_000) } } }]);
    await appendFile(fleet.config, ['notify:', `  - { kind: webhook, url: "${webhook.url}/hook/pr1vate", timeout: 3 }`, 'alerts:', '  min-free: 100TiB', ''].join('\n'));
    const run = await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`camdl: warning: notify webhook \\(${webhook.url.replace(/[.]/g, '\\.')}\\) failed: .*HTTP 500 \\(retried on the next run; the archive is not affected\\)`));
    expect(run.stdout).toContain('ALERT opened disk-low');
    expect(`${run.stdout}${run.stderr}`).not.toContain('pr1vate');
    expect(webhook.requests).toHaveLength(1);
  });

  it('camdl notify --test: exit 1 naming each channel that failed; 0 when all work', async () => {
    const [good, bad] = await Promise.all([receiver(), receiver(500)]);
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: [] } } }]);
    await appendFile(fleet.config, ['notify:', `  - { kind: ntfy, url: "${good.url}/topic" }`, `  - { kind: webhook, url: "${bad.url}/hook" }`, `  - { kind: healthchecks, url: "${good.url}/ping/abc" }`, ''].join('\n'));
    const failing = await runCamdl(['notify', '--config', fleet.config, '--test'], fleet.env);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe(`OK    ntfy (${good.url})\nFAIL  webhook (${bad.url}): HTTP 500\nOK    healthchecks (${good.url})\n`);
    expect(failing.stderr).toBe(`camdl: notify test failed for webhook (${bad.url})\n`);
    expect(good.requests.map((request) => request.path).sort()).toEqual(['/ping/abc', '/topic']);
    bad.status = 200;
    expect((await runCamdl(['notify', '--config', fleet.config, '--test'], fleet.env)).code).toBe(0);
    expect((await runCamdl(['notify', '--config', fleet.config], fleet.env)).code).toBe(2);
  });

  it('camdl alerts [--json] lists the open conditions from the ledger, read-only (exit 1 while any is open)', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 40_000) } } }]);
    await appendFile(fleet.config, ['alerts:', '  min-free: 100TiB', ''].join('\n'));
    const env = { ...fleet.env, CAM0_PASSWORD: 'Wrong-Pass-4821' };
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], env)).code).toBe(1);
    const ledger = `${fleet.archive}/.camdl/ledger.sqlite`;
    const before = (await stat(ledger)).mtimeMs;
    const text = await runCamdl(['alerts', '--config', fleet.config], fleet.env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^disk-low .* UTC: the archive's disk is low/m);
    expect(text.stdout).toMatch(/^login-refused cam0 since .* UTC: cam0 refused the login/m);
    expect(text.stdout).toContain('  what to do: Check the user name and the password');
    const json = await runCamdl(['alerts', '--config', fleet.config, '--json'], fleet.env);
    const parsed = JSON.parse(json.stdout) as { alerts: Array<{ kind: string; camera: string | null }> };
    expect(parsed.alerts.map((alert) => [alert.kind, alert.camera])).toEqual([
      ['disk-low', null],
      ['login-refused', 'cam0'],
    ]);
    expect((await stat(ledger)).mtimeMs).toBe(before);
    expect(`${text.stdout}${json.stdout}`).not.toContain('Wrong-Pass-4821');
  });

  it('camdl serve answers /metrics and /healthz until SIGTERM', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 40_000) } } }]);
    // The simulated recordings are from March 2026: not silent for this test (by the real clock they are).
    await appendFile(fleet.config, ['alerts:', '  camera-silent-after: 3650d', '  min-free: 1B', ''].join('\n'));
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env)).code).toBe(0);
    // Port 0: the system picks a free one, and serve says which on stderr.
    const served = startCamdl(['serve', '--config', fleet.config, '--listen', '127.0.0.1:0'], { env: fleet.env });
    const deadline = Date.now() + 10_000;
    let port = 0;
    while (port === 0 && Date.now() < deadline) {
      port = Number(/^camdl serve: http:\/\/127\.0\.0\.1:(\d+)\/metrics/m.exec(served.output().stderr)?.[1] ?? 0);
      if (port === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', healthy: true, maxAgeSeconds: 26 * 3600 });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(await metrics.text()).toMatch(/^camdl_camera_up\{camera="cam0"\} 1$/m);
    served.child.kill('SIGTERM');
    const done = await served.done;
    expect(done.code).toBe(143);
    expect(done.stderr).toContain(`camdl serve: http://127.0.0.1:${port}/metrics and http://127.0.0.1:${port}/healthz`);
  });

  it('camdl serve --every runs the sync on its schedule: healthy after the first run, stops on SIGTERM while it waits', async () => {
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 40_000) } } }]);
    await appendFile(fleet.config, ['alerts:', '  camera-silent-after: 3650d', '  min-free: 1B', ''].join('\n'));
    const port = await findFreePort();
    const served = startCamdl(['serve', '--config', fleet.config, '--listen', `127.0.0.1:${port}`, '--every', '1h'], { env: fleet.env });
    const deadline = Date.now() + 10_000;
    let report: { status?: string; maxAgeSeconds?: number } = {};
    while (report.status !== 'ok' && Date.now() < deadline) {
      report = (await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((response) => response.json())
        .catch(() => ({}))) as typeof report;
      if (report.status !== 'ok') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(report).toMatchObject({ status: 'ok', maxAgeSeconds: 2 * 3600 });
    served.child.kill('SIGTERM');
    const done = await served.done;
    expect(done.code).toBe(143);
    expect(done.stdout).toMatch(/^Next run at /m);
  });
});
