import { readFile } from 'node:fs/promises';
import type { EmailChannelConfig } from '../alerts/monitoring-config.js';
import { isSyncError, SyncError } from '../errors.js';
import { deliveryReason } from './post-with-deadline.js';
import { plainText, type NotifyMessage } from './notify-message.js';
import { readSecret } from './read-secret.js';

/**
 * Sends the message by SMTP with nodemailer: implicit TLS (465), STARTTLS required (every other
 * port) or, on a loopback host only, plain. Every phase (DNS, connect, greeting, each command) has
 * the channel's deadline, and the whole exchange too.
 */
export async function sendEmail(channel: EmailChannelConfig, message: NotifyMessage, env: NodeJS.ProcessEnv): Promise<void> {
  const what = `email (${channel.host}:${channel.port})`;
  const password = channel.password === undefined ? undefined : await readSecret(channel.password, 'email password', env);
  let ca: string | undefined;
  if (channel.caFile !== undefined) {
    try {
      ca = await readFile(channel.caFile, 'utf8');
    } catch (error) {
      throw new SyncError(`${what}: cannot read ca-file ${channel.caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { code: 'ERR_SYNC_NOTIFY', cause: error });
    }
  }
  // Loaded here, not at the top: nodemailer and the TLS/HTTP/2 modules it pulls in cost a run that sends no
  // email several MiB of memory and start-up time.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.tls === 'implicit',
    requireTLS: channel.tls === 'starttls',
    ignoreTLS: channel.tls === 'none',
    ...(channel.username !== undefined && password !== undefined ? { auth: { user: channel.username, pass: password } } : {}),
    tls: { ...(ca === undefined ? {} : { ca }), minVersion: 'TLSv1.2' },
    connectionTimeout: channel.timeoutMs,
    greetingTimeout: channel.timeoutMs,
    socketTimeout: channel.timeoutMs,
    dnsTimeout: channel.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), channel.timeoutMs);
  });
  try {
    const info = await Promise.race([
      transport.sendMail({
        from: channel.from,
        to: channel.to,
        subject: message.title,
        text: `${message.text}\n`,
        headers: { 'X-Camdl-Event': message.type },
      }),
      deadline,
    ]);
    // nodemailer resolves when the server took the message for at least one recipient: one it refused
    // heard nothing, so the delivery failed and the alert is sent again on the next run.
    const refused = ((info.rejected ?? []) as Array<string | { address: string }>).map((address) => (typeof address === 'string' ? address : address.address));
    if (refused.length > 0) {
      const answer = info.rejectedErrors?.[0]?.response;
      throw new SyncError(`${what}: the server refused ${refused.join(', ')}${typeof answer === 'string' ? ` (${plainText(answer).slice(0, 200)})` : ''}`, { code: 'ERR_SYNC_NOTIFY' });
    }
  } catch (error) {
    if (isSyncError(error, 'ERR_SYNC_NOTIFY')) throw error;
    throw new SyncError(`${what}: ${deliveryReason(error, password === undefined ? [] : [password])}`, { code: 'ERR_SYNC_NOTIFY' });
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
