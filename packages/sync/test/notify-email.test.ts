import { createServer, type Server, type Socket } from 'node:net';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, makeSelfSignedCert, makeTempDir } from '@camdl/test-utils';
import { collectMetrics, renderExposition, runMonitoredSync, sendTestNotifications, sqliteAvailable, type MonitorEvent, type SyncOutcome } from '@camdl/sync';
import { dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';
import { aiosmtpdAvailable, startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-04T01:00:00Z');
const SMTP_PASSWORD = 'smtp-Pa55-7f3e';

describe.skipIf(!sqliteAvailable() || !aiosmtpdAvailable())('e-mail alerts through a real SMTP server (aiosmtpd)', () => {
  let fleet: TestFleet | undefined;
  let smtp: SmtpReceiver | undefined;
  let silent: { server: Server; sockets: Set<Socket> } | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
    if (silent) {
      for (const socket of silent.sockets) socket.destroy();
      await new Promise((resolve) => silent!.server.close(resolve));
      silent = undefined;
    }
    await fleet?.close();
    fleet = undefined;
  });

  async function downCamera(top: string[]): Promise<TestFleet> {
    const deadPort = await findFreePort();
    fleet = await startFleet(
      [{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, urlOverride: `http://127.0.0.1:${deadPort}/`, extra: ['time-zone: UTC', 'max-retries: 0', 'timeout: 2'] }],
      { top },
    );
    return fleet;
  }

  async function run(at: number): Promise<{ outcome: SyncOutcome; events: MonitorEvent[] }> {
    const events: MonitorEvent[] = [];
    const { outcome } = await runMonitoredSync(fleet!.config(), { env: fleet!.env, now: () => at, onMonitorEvent: (event) => events.push(event) });
    return { outcome, events };
  }

  it('STARTTLS with a throwaway certificate and a login: a camera down two runs in a row is one mail naming it and the action; no password in it', async () => {
    const certs = await makeSelfSignedCert((await mkdirTemp('certs')).path);
    const mails = await mkdirTemp('mails');
    const keyPath = join(certs.certPath, '..', 'key.pem');
    smtp = await startSmtpReceiver(mails.path, { tls: { certPath: certs.certPath, keyPath }, auth: { user: 'camdl', password: SMTP_PASSWORD } });
    const passwordFile = join(mails.path, '..', 'smtp.pass');
    await writeFile(passwordFile, `${SMTP_PASSWORD}\n`);
    await chmod(passwordFile, 0o600);
    await downCamera([
      'notify:',
      '  - kind: email',
      '    host: 127.0.0.1',
      `    port: ${smtp.port}`,
      '    username: camdl',
      `    password-file: ${passwordFile}`,
      `    ca-file: ${certs.certPath}`,
      '    from: camdl@example.net',
      '    to: [ops@example.net, oncall@example.net]',
      '    timeout: 5',
    ]);
    await run(T0);
    expect(await smtp.messages()).toEqual([]);
    await run(T0 + HOUR);
    const received = await smtp.messages();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'camdl@example.net', to: ['ops@example.net', 'oncall@example.net'], tls: true, authenticated: true });
    expect(received[0]!.raw).toMatch(/^Subject: camdl on .*: camera-unreachable gate/m);
    expect(received[0]!.text).toContain('NEW camera-unreachable gate: gate could not be reached');
    expect(received[0]!.text).toContain('what to do: Check that gate has power and network');
    expect(received[0]!.raw).not.toContain(SMTP_PASSWORD);
  });

  it('refuses a server whose certificate it cannot trust (never falls back to plain text)', async () => {
    const certs = await makeSelfSignedCert((await mkdirTemp('certs')).path);
    const mails = await mkdirTemp('mails');
    smtp = await startSmtpReceiver(mails.path, { tls: { certPath: certs.certPath, keyPath: join(certs.certPath, '..', 'key.pem') } });
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: [] } } }], {
      top: ['notify:', `  - { kind: email, host: 127.0.0.1, port: ${smtp.port}, from: camdl@example.net, to: [ops@example.net], timeout: 5 }`],
    });
    const [result] = await sendTestNotifications(fleet.config(), { env: fleet.env });
    expect(result).toMatchObject({ ok: false, shown: `email (127.0.0.1:${smtp.port})`, reason: expect.stringMatching(/certificate|SELF_SIGNED|ESOCKET/i) });
    expect(await smtp.messages()).toEqual([]);
  });

  it('plain SMTP on loopback (tls: none) delivers the test message', async () => {
    const mails = await mkdirTemp('mails');
    smtp = await startSmtpReceiver(mails.path);
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: [] } } }], {
      top: ['notify:', `  - { kind: email, host: 127.0.0.1, port: ${smtp.port}, tls: none, from: camdl@example.net, to: ops@example.net, timeout: 5 }`],
    });
    expect(await sendTestNotifications(fleet.config(), { env: fleet.env })).toEqual([{ channel: 'email', shown: `email (127.0.0.1:${smtp.port})`, kind: 'email', ok: true }]);
    const received = await smtp.messages();
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('camdl notify --test: this channel works.');
  });

  it('an SMTP server that is down or never answers holds nothing: the sync exits 0 within the deadline and says the channel failed', async () => {
    const downPort = await findFreePort();
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    silent = { server, sockets };
    const mutePort = (server.address() as { port: number }).port;
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] }], {
      top: [
        'notify:',
        `  - { kind: email, host: 127.0.0.1, port: ${downPort}, tls: none, from: camdl@example.net, to: [ops@example.net], timeout: 1 }`,
        `  - { kind: email, host: 127.0.0.1, port: ${mutePort}, tls: none, from: camdl@example.net, to: [ops@example.net], timeout: 1 }`,
        'alerts:',
        '  min-free: 100TiB',
      ],
    });
    const started = Date.now();
    const { outcome, events } = await run(T0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome).toBe('ok');
    // The down port is a free port another test on this machine may take meanwhile: a refusal is the
    // usual reason, a timeout the other.
    expect(events.filter((event) => event.type === 'notify-failed')).toEqual([
      { type: 'notify-failed', channel: `email (127.0.0.1:${downPort})`, reason: expect.stringMatching(/ECONNREFUSED|ESOCKET|ECONNECTION|timed out/) },
      { type: 'notify-failed', channel: `email-2 (127.0.0.1:${mutePort})`, reason: expect.stringMatching(/timed out|greeting/i) },
    ]);
  });

  it('a server that answers 451 keeps the alert: the sync exits 0, the failure is said and counted, and the next run sends it once', async () => {
    const mails = await mkdirTemp('mails');
    smtp = await startSmtpReceiver(mails.path, { faults: { tempFailData: 1 } });
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { startDay: '2026-03-03' }) } }, extra: ['time-zone: UTC'] }], {
      top: ['notify:', `  - { kind: email, host: 127.0.0.1, port: ${smtp.port}, tls: none, from: camdl@example.net, to: [ops@example.net], timeout: 5 }`],
    });
    const low = async (at: number): Promise<{ outcome: SyncOutcome; events: MonitorEvent[] }> => {
      const events: MonitorEvent[] = [];
      const { outcome } = await runMonitoredSync(fleet!.config(), { env: fleet!.env, now: () => at, measureDisk: async () => ({ freeBytes: 1, totalBytes: 1000 }), onMonitorEvent: (event) => events.push(event) });
      return { outcome, events };
    };
    const first = await low(T0);
    expect(first.outcome).toBe('ok');
    expect(first.events.filter((event) => event.type === 'notify-failed')).toEqual([{ type: 'notify-failed', channel: `email (127.0.0.1:${smtp.port})`, reason: expect.stringContaining('451') }]);
    expect(await smtp.messages()).toEqual([]);
    const metrics = renderExposition(await collectMetrics(fleet.config(), { now: T0 }));
    expect(metrics).toContain('camdl_notify_failures_total{channel="email",kind="email"} 1');
    // An hour later the disk is still low: the kept notice goes out, once, as new (repeat is a day away).
    const second = await low(T0 + HOUR);
    expect(second.events.filter((event) => event.type === 'notify-sent')).toHaveLength(1);
    const received = await smtp.messages();
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('NEW disk-low');
    expect(received[0]!.text).not.toContain('STILL disk-low');
    await low(T0 + 2 * HOUR);
    expect(await smtp.messages()).toHaveLength(1);
  });

  const temps: Array<{ cleanup(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((temp) => temp.cleanup()));
  });
  /** A folder inside a fresh temp dir (the parent holds files beside it: keys, a password file). */
  async function mkdirTemp(name: string): Promise<{ path: string }> {
    const dir = await makeTempDir(`camdl-email-${name}-`);
    temps.push(dir);
    await mkdir(join(dir.path, 'sub'));
    return { path: join(dir.path, 'sub') };
  }
});
