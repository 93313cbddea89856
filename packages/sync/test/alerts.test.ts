import { createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTimelapseClient } from '@camdl/axis-timelapse2';
import { closeAfterEach, findFreePort, startHttpReceiver, type HttpReceiver } from '@camdl/test-utils';
import { openAlerts, runMonitoredSync, sqliteAvailable, type FleetConfig, type MonitorEvent, type NotifyMessage, type SyncOutcome } from '@camdl/sync';
import { dailyArchives, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const HOUR = 3_600_000;
/** An hour after the newest simulated archive ends: the cameras are not silent. */
const T0 = Date.parse('2026-03-04T01:00:00Z');
const WEBHOOK_SECRET = 'whsec-5e1f0c2a9b';
const NTFY_TOKEN = 'tk_9d8c7b6a5f4e';

describe.skipIf(!sqliteAvailable())('alerts after camdl sync (real HTTP receivers, simulated cameras)', () => {
  let fleet: TestFleet | undefined;
  const startFleet = fleetsClosedAfterEach();
  const track = closeAfterEach();

  async function channels(): Promise<{ webhook: HttpReceiver; ntfy: HttpReceiver; hc: HttpReceiver; apprise: HttpReceiver; top: string[] }> {
    const [webhook, ntfy, hc, apprise] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startHttpReceiver(), startHttpReceiver()]);
    for (const receiver of [webhook, ntfy, hc, apprise]) track(receiver);
    return {
      webhook,
      ntfy,
      hc,
      apprise,
      top: [
        'notify:',
        `  - { kind: webhook, url: "${webhook.url}/hooks/s3cr3t-path", secret-env: CAMDL_WEBHOOK_SECRET, timeout: 3 }`,
        `  - { kind: ntfy, url: "${ntfy.url}/site-a", token-env: CAMDL_NTFY_TOKEN, timeout: 3 }`,
        `  - { kind: healthchecks, url: "${hc.url}/ping/4c1d-uuid", timeout: 3 }`,
        `  - { kind: apprise, url: "${apprise.url}/notify/site-a", timeout: 3 }`,
      ],
    };
  }

  async function run(config: FleetConfig, at: number): Promise<{ outcome: SyncOutcome; events: MonitorEvent[] }> {
    const events: MonitorEvent[] = [];
    const { outcome } = await runMonitoredSync(config, {
      env: { ...fleet!.env, CAMDL_WEBHOOK_SECRET: WEBHOOK_SECRET, CAMDL_NTFY_TOKEN: NTFY_TOKEN },
      now: () => at,
      onMonitorEvent: (event) => events.push(event),
    });
    return { outcome, events };
  }

  it('a camera down two runs in a row: nothing on the first failure, one signed alert on every channel naming it and the action, recovered when it answers again', async () => {
    const { webhook, ntfy, hc, apprise, top } = await channels();
    const deadPort = await findFreePort();
    fleet = await startFleet(
      [
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { startDay: '2026-03-02' }) } }, urlOverride: `http://127.0.0.1:${deadPort}/`, extra: ['time-zone: UTC', 'max-retries: 0', 'timeout: 2'] },
        { name: 'crane', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Crane', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] },
      ],
      { top },
    );
    const down = fleet.config();

    const first = await run(down, T0);
    expect(first.outcome).toBe('some-failed');
    expect(webhook.requests).toEqual([]);
    expect(ntfy.requests).toEqual([]);
    expect(apprise.requests).toEqual([]);
    // The dead-man's switch: started, and a success (a single blip is not an alert).
    expect(hc.requests.map((request) => request.path)).toEqual(['/ping/4c1d-uuid/start', '/ping/4c1d-uuid']);

    const second = await run(down, T0 + HOUR);
    expect(second.outcome).toBe('some-failed');
    expect(webhook.requests).toHaveLength(1);
    const hook = webhook.requests[0]!;
    expect(hook.path).toBe('/hooks/s3cr3t-path');
    expect(hook.headers['content-type']).toBe('application/json');
    // The signature verifies: HMAC-SHA256 of the exact body with the shared secret.
    expect(hook.headers['x-camdl-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(hook.body).digest('hex')}`);
    const message = JSON.parse(hook.text) as NotifyMessage;
    expect(message).toMatchObject({ version: 1, type: 'alerts', source: 'camdl' });
    expect(message.notices).toEqual([
      expect.objectContaining({ event: 'opened', kind: 'camera-unreachable', subject: 'gate', camera: 'gate', message: expect.stringContaining('gate could not be reached'), action: expect.stringContaining('power and network') }),
    ]);
    expect(ntfy.requests).toHaveLength(1);
    expect(ntfy.requests[0]!.path).toBe('/site-a');
    expect(ntfy.requests[0]!.headers['authorization']).toBe(`Bearer ${NTFY_TOKEN}`);
    expect(ntfy.requests[0]!.headers['title']).toContain('camera-unreachable gate');
    expect(ntfy.requests[0]!.text).toMatch(/NEW camera-unreachable gate: gate could not be reached.*\n {2}what to do: Check that gate has power and network/);
    expect(hc.requests.slice(2).map((request) => request.path)).toEqual(['/ping/4c1d-uuid/start', '/ping/4c1d-uuid/fail']);
    expect(hc.requests[3]!.text).toContain('OPEN camera-unreachable gate');
    expect(apprise.requests).toHaveLength(1);
    expect(JSON.parse(apprise.requests[0]!.text)).toMatchObject({ title: expect.stringContaining('camera-unreachable gate'), body: expect.stringContaining('what to do: Check that gate'), type: 'failure' });
    expect(openAlerts(down).map((row) => `${row.kind} ${row.subject}`)).toEqual(['camera-unreachable gate']);
    expect(second.events.filter((event) => event.type === 'notify-sent')).toHaveLength(3);

    // Still down an hour later: nothing new until `repeat` (24 h).
    await run(down, T0 + 2 * HOUR);
    expect(webhook.requests).toHaveLength(1);
    expect(ntfy.requests).toHaveLength(1);
    expect(apprise.requests).toHaveLength(1);

    // It answers again.
    const sim = fleet.sims.get('gate')!;
    const up: FleetConfig = { ...down, cameras: down.cameras.map((camera) => (camera.name === 'gate' ? { ...camera, url: new URL(sim.url) } : camera)) };
    const third = await run(up, T0 + 3 * HOUR);
    expect(third.outcome).toBe('ok');
    expect(webhook.requests).toHaveLength(2);
    const recovered = JSON.parse(webhook.requests[1]!.text) as NotifyMessage;
    expect(recovered.notices).toEqual([expect.objectContaining({ event: 'recovered', kind: 'camera-unreachable', subject: 'gate' })]);
    expect(recovered.open).toEqual([]);
    expect(ntfy.requests[1]!.text).toContain('RECOVERED camera-unreachable gate');
    expect(JSON.parse(apprise.requests[1]!.text)).toMatchObject({ type: 'success' });
    expect(hc.requests.at(-1)!.path).toBe('/ping/4c1d-uuid');
    expect(openAlerts(up)).toEqual([]);

    // No secret in any message, log event or the ledger.
    const secrets = [WEBHOOK_SECRET, NTFY_TOKEN, sim.password, fleet.sims.get('crane')!.password];
    const everything = [...webhook.requests, ...ntfy.requests, ...hc.requests, ...apprise.requests].map((request) => request.text).join('\n') + JSON.stringify([first.events, second.events, third.events]);
    const ledgerBytes = await readFile(down.ledger);
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(ledgerBytes.includes(Buffer.from(secret))).toBe(false);
    }
    expect(everything).not.toContain('s3cr3t-path');
  });

  it('a wrong password is login-refused at once, naming the camera (Timelapse and Amcrest)', async () => {
    const { webhook, top } = await channels();
    fleet = await startFleet(
      [
        { name: 'porch', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Porch', 1, { startDay: '2026-03-03' }) } }, passwordOverride: 'Wrong-Pass-4821', extra: ['time-zone: UTC'] },
        { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, passwordOverride: 'Wrong-Too-1234', extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'] },
      ],
      { top },
    );
    const { outcome } = await run(fleet.config(), T0);
    expect(outcome).toBe('some-failed');
    const message = JSON.parse(webhook.requests[0]!.text) as NotifyMessage;
    expect(message.notices).toEqual([
      expect.objectContaining({ event: 'opened', kind: 'login-refused', camera: 'porch', action: expect.stringContaining('password') }),
      expect.objectContaining({ event: 'opened', kind: 'login-refused', camera: 'kitchen', action: expect.stringContaining('password') }),
    ]);
    expect(webhook.requests[0]!.text).not.toContain('Wrong-Pass-4821');
    expect(webhook.requests[0]!.text).not.toContain('Wrong-Too-1234');
  });

  it('a recording lost before it was fetched is recordings-lost with its name', async () => {
    const { webhook, top } = await channels();
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3, { startDay: '2026-03-01' }) } }, extra: ['time-zone: UTC', 'max-retries: 0'] }], { top });
    const sim = fleet.sims.get('gate')!;
    const victim = sim.archives[0]!.filename;
    sim.addFault({ route: 'download', match: victim, kind: 'status', status: 500 });
    await run(fleet.config(), T0);
    expect(webhook.requests).toEqual([]);
    sim.setFaults([]);
    // The camera drops it (retention) before the next run.
    const client = createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password });
    const { archives } = await client.listArchives();
    await client.deleteArchive(archives.find((archive) => archive.filename === victim)!);
    await client.close();
    await run(fleet.config(), T0 + HOUR);
    const message = JSON.parse(webhook.requests[0]!.text) as NotifyMessage;
    expect(message.notices).toEqual([expect.objectContaining({ event: 'opened', kind: 'recordings-lost', camera: 'gate', items: [victim], message: expect.stringContaining(victim) })]);
  });

  it('a webhook answering 500 and an unreachable ntfy: the sync still exits 0, each failure is said and counted, and retried on the next run', async () => {
    const { webhook, ntfy, top } = await channels();
    webhook.status = 500;
    await ntfy.close();
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] }], { top: [...top, 'alerts:', '  min-free: 100TiB'] });
    const first = await run(fleet.config(), T0);
    expect(first.outcome).toBe('ok');
    const failed = first.events.filter((event) => event.type === 'notify-failed');
    expect(failed).toEqual([
      { type: 'notify-failed', channel: expect.stringMatching(/^webhook \(http:\/\/127\.0\.0\.1:\d+\)$/), reason: expect.stringMatching(/HTTP 500/) },
      { type: 'notify-failed', channel: expect.stringMatching(/^ntfy \(http:\/\/127\.0\.0\.1:\d+\)$/), reason: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    expect(JSON.stringify(failed)).not.toContain('s3cr3t-path');
    expect(webhook.requests).toHaveLength(1);
    // The next run delivers what the failed one could not (disk-low stays open: nothing new but the retry).
    webhook.status = 200;
    await run(fleet.config(), T0 + HOUR);
    expect(webhook.requests).toHaveLength(2);
    expect((JSON.parse(webhook.requests[1]!.text) as NotifyMessage).notices).toEqual([expect.objectContaining({ event: 'opened', kind: 'disk-low' })]);
  });

  it('a run that cannot open its ledger is ledger-error on every channel (sent each run: there is nowhere to remember it), and the error still ends the run', async () => {
    const { webhook, hc, top } = await channels();
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: [] } } }], { top: [...top, 'ledger: ./not-a-ledger'] });
    await mkdir(join(fleet.dir.path, 'not-a-ledger'));
    await expect(run(fleet.config(), T0)).rejects.toMatchObject({ code: 'ERR_SYNC_LEDGER' });
    const message = JSON.parse(webhook.requests[0]!.text) as NotifyMessage;
    expect(message.notices).toEqual([expect.objectContaining({ event: 'opened', kind: 'ledger-error', message: expect.stringContaining('camdl sync could not complete') })]);
    expect(hc.requests.map((request) => request.path)).toEqual(['/ping/4c1d-uuid/start', '/ping/4c1d-uuid/fail']);
  });
});
