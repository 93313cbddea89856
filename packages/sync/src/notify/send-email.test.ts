import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, makeSelfSignedCert, makeTempDir } from '@camdl/test-utils';
import { aiosmtpdAvailable, startSmtpReceiver, type SmtpFaults, type SmtpReceiver } from '../../test/smtp-receiver.js';
import type { Notice } from '../alerts/alert-kinds.js';
import type { EmailChannelConfig } from '../alerts/monitoring-config.js';
import { buildNotifyMessage, type NotifyMessage } from './notify-message.js';
import { sendEmail } from './send-email.js';

const NOW = Date.parse('2026-03-04T01:00:00Z');
const SMTP_PASSWORD = 'smtp-Pa55-login-9c1';

function notice(subject: string, message: string): Notice {
  return { event: 'opened', kind: 'disk-low', subject, camera: undefined, sinceMs: NOW, atMs: NOW, message, action: 'Free space.', items: [] };
}

/** RFC 2047 encoded words (B or Q) of a header value, decoded. */
function decodeWords(value: string): string {
  return value.replace(/\r?\n[ \t]/g, ' ').replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

/** The header block of a raw message, and one header's unfolded value. */
function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  const match = new RegExp(`^${name}:(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.trim();
}

describe.skipIf(!aiosmtpdAvailable())('sendEmail against a real SMTP server (aiosmtpd) that answers as real servers do', () => {
  const track = closeAfterEach();

  async function server(options: { tls?: boolean; auth?: boolean; faults?: SmtpFaults } = {}): Promise<{ smtp: SmtpReceiver; channel: EmailChannelConfig }> {
    const dir = track(await makeTempDir('camdl-send-email-'));
    const mails = join(dir.path, 'mails');
    await mkdir(mails);
    const certs = options.tls ? await makeSelfSignedCert(dir.path) : undefined;
    const smtp = track(
      await startSmtpReceiver(mails, {
        ...(certs ? { tls: { certPath: certs.certPath, keyPath: join(certs.certPath, '..', 'key.pem') } } : {}),
        ...(options.auth ? { auth: { user: 'camdl', password: SMTP_PASSWORD } } : {}),
        ...(options.faults ? { faults: options.faults } : {}),
      }),
    );
    const channel: EmailChannelConfig = {
      kind: 'email',
      host: '127.0.0.1',
      port: smtp.port,
      tls: certs ? 'starttls' : 'none',
      username: options.auth ? 'camdl' : undefined,
      password: options.auth ? { kind: 'env', name: 'SMTP_TEST_PASSWORD' } : undefined,
      from: 'camdl@example.net',
      to: ['ops@example.net'],
      caFile: certs?.certPath,
      timeoutMs: 5000,
      line: 1,
    };
    return { smtp, channel };
  }

  const env = { SMTP_TEST_PASSWORD: SMTP_PASSWORD };
  const message = (subject: string, text = 'the disk is low'): NotifyMessage => buildNotifyMessage([notice(subject, text)], [], { now: NOW, host: 'nvr' });

  it('a non-ASCII subject and body arrive encoded (RFC 2047, no raw 8-bit header) and decode to the same text', async () => {
    const { smtp, channel } = await server();
    await sendEmail(channel, message('/srv/Überwachung-Tür', 'only 3 % free on the disk of “Überwachung”'), env);
    const [mail] = await smtp.messages();
    const subject = header(mail!.raw, 'Subject')!;
    expect(subject).toMatch(/=\?UTF-8\?[BQ]\?/i);
    // eslint-disable-next-line no-control-regex
    expect(mail!.raw.slice(0, mail!.raw.indexOf('\r\n\r\n'))).toMatch(/^[\u0000-\u007f]*$/);
    expect(decodeWords(subject)).toBe('camdl on nvr: disk-low /srv/Überwachung-Tür');
    expect(mail!.text).toContain('NEW disk-low /srv/Überwachung-Tür: only 3 % free on the disk of “Überwachung”');
  });

  it('a line break in what an alert names cannot add a header or a recipient', async () => {
    const { smtp, channel } = await server();
    await sendEmail(channel, message('/srv/cams\r\nBcc: evil@example.org\nX-Injected: 1', 'low\r\n\r\nBcc: evil@example.org'), env);
    const [mail] = await smtp.messages();
    expect(mail!.to).toEqual(['ops@example.net']);
    const head = mail!.raw.slice(0, mail!.raw.indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(decodeWords(header(mail!.raw, 'Subject')!)).toBe('camdl on nvr: disk-low /srv/cams? Bcc: evil@example.org X-Injected: 1');
  });

  it('a server that refuses one of the recipients is a failure naming it (the alert is kept to send again), not a silent success', async () => {
    const { smtp, channel } = await server({ faults: { rejectRecipients: ['gone@example.net'] } });
    await expect(sendEmail({ ...channel, to: ['ops@example.net', 'gone@example.net'] }, message('/srv/cams'), env)).rejects.toMatchObject({
      code: 'ERR_SYNC_NOTIFY',
      message: expect.stringMatching(/refused .*gone@example\.net.*550/),
    });
    // The server took it for the other recipient; the failure is about the one that got nothing.
    expect((await smtp.messages()).map((mail) => mail.to)).toEqual([['ops@example.net']]);
  });

  it('a server that refuses every recipient, or answers 451 to DATA, fails with its answer', async () => {
    const refusing = await server({ faults: { rejectRecipients: ['ops@example.net'] } });
    await expect(sendEmail(refusing.channel, message('/srv/cams'), env)).rejects.toThrow(/550/);
    const busy = await server({ faults: { tempFailData: 1 } });
    await expect(sendEmail(busy.channel, message('/srv/cams'), env)).rejects.toThrow(/451/);
    // 451 means later: the next attempt is accepted.
    await sendEmail(busy.channel, message('/srv/cams'), env);
    expect(await busy.smtp.messages()).toHaveLength(1);
  });

  it('logs in with AUTH LOGIN when the server offers no PLAIN, over STARTTLS; the password is never in the mail', async () => {
    const { smtp, channel } = await server({ tls: true, auth: true, faults: { authLoginOnly: true } });
    await sendEmail(channel, message('/srv/cams'), env);
    const [mail] = await smtp.messages();
    expect(mail).toMatchObject({ tls: true, authenticated: true });
    expect(mail!.raw).not.toContain(SMTP_PASSWORD);
  });

  it('a server that offers no STARTTLS gets nothing when TLS is required (never plain text)', async () => {
    const { smtp, channel } = await server({ auth: false });
    await expect(sendEmail({ ...channel, tls: 'starttls' }, message('/srv/cams'), env)).rejects.toMatchObject({ code: 'ERR_SYNC_NOTIFY', message: expect.stringMatching(/STARTTLS/i) });
    expect(await smtp.messages()).toEqual([]);
  });
});
