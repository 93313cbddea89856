import { createHmac } from 'node:crypto';
import type { AppriseChannelConfig, HealthchecksChannelConfig, NtfyChannelConfig, WebhookChannelConfig } from '../alerts/monitoring-config.js';
import type { NotifyMessage } from './notify-message.js';
import { postWithDeadline } from './post-with-deadline.js';
import { readSecret } from './read-secret.js';

/** `sha256=<hex HMAC-SHA256 of the body>`: the `X-Camdl-Signature` header of a signed webhook. */
export function webhookSignature(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs the message's JSON document; signed when `secret-env` is set. */
export async function sendWebhook(channel: WebhookChannelConfig, message: NotifyMessage, env: NodeJS.ProcessEnv, userAgent: string): Promise<void> {
  const body = JSON.stringify(message);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent };
  const secrets: string[] = [];
  if (channel.secretEnv !== undefined) {
    const secret = await readSecret({ kind: 'env', name: channel.secretEnv }, 'webhook secret-env', env);
    secrets.push(secret);
    headers['x-camdl-signature'] = webhookSignature(body, secret);
  }
  await postWithDeadline(channel.url, { body, headers, timeoutMs: channel.timeoutMs, what: 'webhook', secrets });
}

/** ASCII only: ntfy reads header values as ISO-8859-1. */
function headerText(text: string): string {
  return text.replace(/[^\u0020-\u007e]/g, '?').slice(0, 200);
}

/** Publishes to an ntfy topic: the text as the body, the title and priority as headers. */
export async function sendNtfy(channel: NtfyChannelConfig, message: NotifyMessage, env: NodeJS.ProcessEnv, userAgent: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'user-agent': userAgent, title: headerText(message.title) };
  const fresh = message.notices.some((notice) => notice.event === 'opened' || notice.event === 'updated');
  headers['priority'] = fresh ? 'high' : 'default';
  headers['tags'] = message.type === 'test' ? 'white_check_mark' : message.notices.every((notice) => notice.event === 'recovered') ? 'white_check_mark' : 'warning';
  const secrets: string[] = [];
  if (channel.token !== undefined) {
    const token = await readSecret(channel.token, 'ntfy token', env);
    secrets.push(token);
    headers['authorization'] = `Bearer ${token}`;
  }
  await postWithDeadline(channel.url, { body: message.text, headers, timeoutMs: channel.timeoutMs, what: 'ntfy', secrets });
}

/** The Apprise notification type of a message: failure while anything is new, success when all recovered. */
export function appriseType(message: NotifyMessage): 'info' | 'success' | 'warning' | 'failure' {
  if (message.type === 'test') return 'info';
  if (message.notices.length > 0 && message.notices.every((notice) => notice.event === 'recovered')) return 'success';
  return message.notices.some((notice) => notice.event === 'opened' || notice.event === 'updated') ? 'failure' : 'warning';
}

/** POSTs to an apprise-api `/notify/<key>` endpoint. */
export async function sendAppriseApi(channel: AppriseChannelConfig & { url: URL }, message: NotifyMessage, userAgent: string): Promise<void> {
  const body = JSON.stringify({ title: message.title, body: message.text, type: appriseType(message), format: 'text' });
  await postWithDeadline(channel.url, { body, headers: { 'content-type': 'application/json', 'user-agent': userAgent }, timeoutMs: channel.timeoutMs, what: 'apprise' });
}

/** The ping URL of a healthchecks event: `/start`, the URL itself for success, `/fail`. */
export function healthcheckUrl(base: URL, event: 'start' | 'success' | 'fail'): URL {
  if (event === 'success') return base;
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${event}`;
  return url;
}

/** One healthchecks ping; the body (up to 10 kB) is the run's summary. */
export async function pingHealthchecks(channel: HealthchecksChannelConfig, event: 'start' | 'success' | 'fail', body: string, userAgent: string): Promise<void> {
  await postWithDeadline(healthcheckUrl(channel.url, event), {
    body: Buffer.from(body, 'utf8').subarray(0, 10_000),
    headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': userAgent },
    timeoutMs: channel.timeoutMs,
    what: 'healthchecks',
  });
}
