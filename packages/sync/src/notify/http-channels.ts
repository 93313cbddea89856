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

/**
 * A title as an ntfy header: HTTP header values are bytes read as ISO-8859-1, so a title with other
 * characters goes as RFC 2047 encoded words (`=?UTF-8?B?…?=`, which ntfy 2.4 and later decode), each
 * within the 75 characters RFC 2047 allows and never splitting a character.
 */
export function ntfyHeaderText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = [...text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')].slice(0, 200);
  if (plain.every((char) => char <= '\u007e')) return plain.join('');
  const words: string[] = [];
  let chunk = '';
  for (const char of plain) {
    // 45 bytes are 60 base64 characters: with `=?UTF-8?B?` and `?=` a word of 72.
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

/**
 * The most bytes ntfy keeps as a message's text: a longer body becomes an attachment, or is refused (400)
 * by a server without attachments, every run, as the undelivered notices pile up.
 */
export const NTFY_MESSAGE_LIMIT = 4096;

/** The longest start of `text` within `bytes` UTF-8 bytes (never half a character). */
function cutToBytes(text: string, bytes: number): string {
  let cut = '';
  let size = 0;
  for (const char of text) {
    size += Buffer.byteLength(char, 'utf8');
    if (size > bytes) break;
    cut += char;
  }
  return cut;
}

/** The text cut to whole lines within `limit` bytes, saying how many lines were left out. */
export function fitText(text: string, limit: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limit) return text;
  const lines = text.split('\n');
  const note = (left: number): string => `… ${left} more line(s); camdl alerts lists what is open`;
  const kept: string[] = [];
  let size = 0;
  for (const [index, line] of lines.entries()) {
    const left = lines.length - index;
    const room = limit - Buffer.byteLength(note(left), 'utf8') - 1;
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (size + bytes > room) {
      // A first line longer than the whole limit is cut.
      if (kept.length === 0) return `${cutToBytes(line, room)}\n${note(left - 1)}`;
      return `${kept.join('\n')}\n${note(left)}`;
    }
    kept.push(line);
    size += bytes;
  }
  return kept.join('\n');
}

/** Publishes to an ntfy topic: the text (within ntfy's message limit) as the body, the title and priority as headers. */
export async function sendNtfy(channel: NtfyChannelConfig, message: NotifyMessage, env: NodeJS.ProcessEnv, userAgent: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'user-agent': userAgent, title: ntfyHeaderText(message.title) };
  const fresh = message.notices.some((notice) => notice.event === 'opened' || notice.event === 'updated');
  headers['priority'] = fresh ? 'high' : 'default';
  headers['tags'] = message.type === 'test' ? 'white_check_mark' : message.notices.every((notice) => notice.event === 'recovered') ? 'white_check_mark' : 'warning';
  const secrets: string[] = [];
  if (channel.token !== undefined) {
    const token = await readSecret(channel.token, 'ntfy token', env);
    secrets.push(token);
    headers['authorization'] = `Bearer ${token}`;
  }
  await postWithDeadline(channel.url, { body: fitText(message.text, NTFY_MESSAGE_LIMIT), headers, timeoutMs: channel.timeoutMs, what: 'ntfy', secrets });
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

/** An Uptime Kuma push URL (`/api/push/<token>`): it takes the state in its query, and has no `/start` or `/fail`. */
function isUptimeKumaPush(url: URL): boolean {
  return /^\/api\/push\/[^/]+\/?$/.test(url.pathname);
}

/**
 * The ping URL of a healthchecks event: `/start`, the URL itself for success, `/fail`. An Uptime Kuma
 * push URL gets `status=up` or `status=down` with `msg` (the summary's first line) instead, and no start
 * ping (undefined): Kuma has no such event and answers 404 to any path below its token.
 */
export function healthcheckUrl(base: URL, event: 'start' | 'success' | 'fail', summary = ''): URL | undefined {
  if (isUptimeKumaPush(base)) {
    if (event === 'start') return undefined;
    const url = new URL(base.href);
    url.searchParams.set('status', event === 'success' ? 'up' : 'down');
    url.searchParams.set('msg', event === 'success' ? 'OK' : (summary.split('\n', 1)[0] ?? '').slice(0, 200) || 'camdl sync failed');
    return url;
  }
  if (event === 'success') return base;
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${event}`;
  return url;
}

/** One healthchecks ping; the body (up to 10 kB) is the run's summary. False when the service takes no such ping. */
export async function pingHealthchecks(channel: HealthchecksChannelConfig, event: 'start' | 'success' | 'fail', body: string, userAgent: string): Promise<boolean> {
  const url = healthcheckUrl(channel.url, event, body);
  if (url === undefined) return false;
  await postWithDeadline(url, {
    body: Buffer.from(body, 'utf8').subarray(0, 10_000),
    headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': userAgent },
    timeoutMs: channel.timeoutMs,
    what: 'healthchecks',
  });
  return true;
}
