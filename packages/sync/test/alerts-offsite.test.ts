import { mkdir, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, startHttpReceiver, startS3Server, type HttpReceiver } from '@camdl/test-utils';
import { healthReport, openAlerts, runMonitoredSync, sqliteAvailable, type NotifyMessage, type SyncOutcome } from '@camdl/sync';
import { dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';
import { addTopLines, directoryTargets } from './offsite-helpers.js';

const HOUR = 3_600_000;
/** An hour after the newest simulated archive ends: the camera is not silent. */
const T0 = Date.parse('2026-03-04T01:00:00Z');
const HOOK_PATH = '/hooks/hk-71e0c9d2';

describe.skipIf(!sqliteAvailable())('target-failing after camdl sync (a real directory target, a real webhook receiver)', () => {
  const track = closeAfterEach();
  let fleet: TestFleet | undefined;
  let webhook: HttpReceiver | undefined;

  /** The notices of every webhook message so far, as `event kind subject`, and the messages. */
  function received(): { notices: string[]; messages: NotifyMessage[] } {
    const messages = webhook!.requests.map((request) => JSON.parse(request.text) as NotifyMessage);
    return { notices: messages.flatMap((message) => message.notices.map((notice) => `${notice.event} ${notice.kind} ${notice.subject}`)), messages };
  }

  it('opens once after the threshold naming the target and the action, recovers when copies succeed, and judges a target with nothing to upload by its check', async () => {
    webhook = track(await startHttpReceiver());
    fleet = track(await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] }], {
      top: ['notify:', `  - { kind: webhook, url: "${webhook.url}${HOOK_PATH}", timeout: 3 }`],
    }));
    const { lines, paths } = await directoryTargets(fleet, ['nas'], { missing: ['nas'] });
    await addTopLines(fleet, lines);
    const nas = paths.get('nas')!;
    const run = async (at: number): Promise<SyncOutcome> => (await runMonitoredSync(fleet!.config(), { env: fleet!.env, now: () => at, targetTuning: { retryDelayMs: 1 } })).outcome;

    // The target's folder is missing: the first run archives locally and says nothing (one blip).
    expect(await run(T0)).toBe('some-failed');
    expect(webhook.requests).toEqual([]);
    expect(await run(T0 + HOUR)).toBe('some-failed');
    expect(received().notices).toEqual(['opened target-failing nas']);
    const opened = received().messages[0]!.notices[0]!;
    expect(opened.message).toMatch(/^off-site target nas took no copies: .+ \(2 copies pending\)$/);
    expect(opened.action).toMatch(/^Check that the bucket, remote or folder of the target nas in .+ exists; the local archive is complete/);
    expect(webhook.requests[0]!.text).not.toContain('hk-71e0c9d2');
    expect(openAlerts(fleet.config()).map((row) => `${row.kind} ${row.subject}`)).toEqual(['target-failing nas']);
    const health = healthReport(fleet.config(), { now: T0 + HOUR, maxAgeMs: 26 * HOUR });
    expect(health).toMatchObject({ status: 'failing', healthy: false, openAlerts: [expect.objectContaining({ kind: 'target-failing', subject: 'nas' })] });
    expect(health.reason).toContain('target-failing');

    // The folder is back: the copies are made and the condition closes.
    await mkdir(nas, { recursive: true });
    expect(await run(T0 + 2 * HOUR)).toBe('ok');
    expect(received().notices).toEqual(['opened target-failing nas', 'recovered target-failing nas']);
    expect(openAlerts(fleet.config())).toEqual([]);

    // Everything is copied; the target goes away again. With nothing to upload, the run's check of the
    // target still judges it: failing after the threshold, recovered when it answers again.
    await rm(nas, { recursive: true });
    // (The exit code says copies are pending; none are, so it is 0: the alert is what tells.)
    await run(T0 + 3 * HOUR);
    expect(received().notices).toHaveLength(2);
    await run(T0 + 4 * HOUR);
    expect(received().notices.slice(2)).toEqual(['opened target-failing nas']);
    expect(received().messages.at(-1)!.notices[0]!.message).toMatch(/^off-site target nas took no copies: .+ \(0 copies pending\)$/);
    await mkdir(nas, { recursive: true });
    expect(await run(T0 + 5 * HOUR)).toBe('ok');
    expect(received().notices.slice(3)).toEqual(['recovered target-failing nas']);
    expect(healthReport(fleet.config(), { now: T0 + 5 * HOUR, maxAgeMs: 26 * HOUR })).toMatchObject({ status: 'ok', openAlerts: [] });
  });

  it('wrong keys for a real S3 server: opened after the threshold naming the target and the credentials, no key in the message; recovered with the right keys', async () => {
    const server = await startS3Server();
    try {
      webhook = track(await startHttpReceiver());
      fleet = track(await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] }], {
        top: ['notify:', `  - { kind: webhook, url: "${webhook.url}${HOOK_PATH}", timeout: 3 }`],
      }));
      const target = ['targets:', '  - name: offsite', '    kind: s3', `    endpoint: ${server.endpoint}`, `    region: ${server.region}`, '    bucket: camdl', '    prefix: site-a/', '    path-style: true'];
      await addTopLines(fleet, [...target, '    access-key-id-env: ALERT_KEY_ID', '    secret-access-key-env: ALERT_SECRET']);
      const wrong = { ALERT_KEY_ID: 'AKWRONGALERTKEY01', ALERT_SECRET: 'Wr0ngAlertSecretWr0ngAlertSecret' };
      const run = async (at: number, keys: Record<string, string>): Promise<SyncOutcome> => (await runMonitoredSync(fleet!.config(), { env: { ...fleet!.env, ...keys }, now: () => at, targetTuning: { retryDelayMs: 1 } })).outcome;

      expect(await run(T0, wrong)).toBe('some-failed');
      expect(webhook.requests).toEqual([]);
      expect(await run(T0 + HOUR, wrong)).toBe('some-failed');
      expect(received().notices).toEqual(['opened target-failing offsite']);
      const opened = received().messages[0]!.notices[0]!;
      expect(opened.message).toMatch(/^off-site target offsite took no copies: .+ \(2 copies pending\)$/);
      expect(opened.action).toMatch(/^Check the credentials of the target offsite in /);
      for (const secret of [wrong.ALERT_KEY_ID, wrong.ALERT_SECRET, server.secretAccessKey, 'hk-71e0c9d2']) expect(webhook.requests[0]!.text).not.toContain(secret);

      const right = { ALERT_KEY_ID: server.accessKeyId, ALERT_SECRET: server.secretAccessKey };
      expect(await run(T0 + 2 * HOUR, right)).toBe('ok');
      expect(received().notices).toEqual(['opened target-failing offsite', 'recovered target-failing offsite']);
      for (const request of webhook.requests) for (const secret of [server.accessKeyId, server.secretAccessKey]) expect(request.text).not.toContain(secret);
    } finally {
      await server.close();
    }
  });
});
