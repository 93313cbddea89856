import { hostname } from 'node:os';
import type { AlertRow, Notice } from '../alerts/alert-kinds.js';
import type { SyncSummary } from '../sync-fleet.js';

/** The version of the JSON document webhooks receive; a field's meaning changes only with it. */
export const NOTIFY_SCHEMA_VERSION = 1;

/** One notice as channels receive it (times as ISO 8601 UTC). */
export interface NotifyNotice {
  event: Notice['event'];
  kind: Notice['kind'];
  subject: string;
  camera: string | null;
  since: string;
  message: string;
  action: string;
  items: string[];
}

/**
 * The one message a channel gets per run: what is new (`notices`) and everything still open. The
 * JSON body of the webhook; ntfy, e-mail and Apprise get {@link NotifyMessage.title} and `text`.
 */
export interface NotifyMessage {
  version: typeof NOTIFY_SCHEMA_VERSION;
  /** `alerts` after a run or verify; `test` from `camdl notify --test`. */
  type: 'alerts' | 'test';
  source: 'camdl';
  host: string;
  time: string;
  title: string;
  text: string;
  notices: NotifyNotice[];
  open: Array<Omit<NotifyNotice, 'event' | 'items'>>;
}

/** Control characters and bidi overrides from a camera never reach a mail or a phone raw. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** {@link plainText} on one line: a title becomes a mail's Subject, an ntfy header, a push notification's heading. */
function oneLine(text: string): string {
  return plainText(text).replace(/\s*\n\s*/g, ' ');
}

const EVENT_WORDS: Record<Notice['event'], string> = { opened: 'NEW', repeated: 'STILL', updated: 'MORE', recovered: 'RECOVERED' };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function count(notices: readonly Notice[], event: Notice['event'], word: string): string | undefined {
  const n = notices.filter((notice) => notice.event === event).length;
  return n === 0 ? undefined : `${n} ${word}`;
}

/** Builds the message of a run from its new notices and the conditions still open. */
export function buildNotifyMessage(fresh: readonly Notice[], open: readonly AlertRow[], options: { now: number; host?: string }): NotifyMessage {
  // What a camera named (a recording, a path) cannot start a line of its own: each field is one line.
  const notices = fresh.map((notice) => ({ ...notice, subject: oneLine(notice.subject), message: oneLine(notice.message), action: oneLine(notice.action), items: notice.items.map(oneLine) }));
  const rows = open.map((row) => ({ ...row, subject: oneLine(row.subject), message: oneLine(row.message), action: oneLine(row.action) }));
  const host = oneLine(options.host ?? hostname());
  const parts = [count(notices, 'opened', 'new'), count(notices, 'updated', 'updated'), count(notices, 'repeated', 'still open'), count(notices, 'recovered', 'recovered')].filter(Boolean);
  const first = notices[0];
  const title = oneLine(`camdl on ${host}: ${notices.length === 1 && first ? `${first.kind} ${first.subject}${first.event === 'recovered' ? ' recovered' : ''}` : parts.join(', ')}`);
  const lines: string[] = [];
  for (const notice of notices) {
    lines.push(`${EVENT_WORDS[notice.event]} ${notice.kind}${notice.subject ? ` ${notice.subject}` : ''}: ${notice.event === 'recovered' ? `recovered (it began ${iso(notice.sinceMs)})` : notice.message}`);
    if (notice.event === 'updated' && notice.items.length > 0) lines.push(`  new: ${notice.items.join(', ')}`);
    if (notice.event !== 'recovered') lines.push(`  what to do: ${notice.action}`);
  }
  const stillOpen = rows.filter((row) => row.state === 'open');
  if (stillOpen.length > 0) {
    lines.push('', `Open now (${stillOpen.length}):`);
    for (const row of stillOpen) lines.push(`  ${row.kind}${row.subject ? ` ${row.subject}` : ''} since ${iso(row.sinceMs)}`);
  }
  return {
    version: NOTIFY_SCHEMA_VERSION,
    type: 'alerts',
    source: 'camdl',
    host,
    time: iso(options.now),
    title,
    text: plainText(lines.join('\n')),
    notices: notices.map((notice) => ({
      event: notice.event,
      kind: notice.kind,
      subject: notice.subject,
      camera: notice.camera ?? null,
      since: iso(notice.sinceMs),
      message: notice.message,
      action: notice.action,
      items: notice.items,
    })),
    open: stillOpen.map((row) => ({ kind: row.kind, subject: row.subject, camera: row.camera ?? null, since: iso(row.sinceMs), message: row.message, action: row.action })),
  };
}

/** The message of `camdl notify --test`. */
export function buildTestMessage(options: { now: number; host?: string }): NotifyMessage {
  const host = oneLine(options.host ?? hostname());
  return {
    version: NOTIFY_SCHEMA_VERSION,
    type: 'test',
    source: 'camdl',
    host,
    time: iso(options.now),
    title: `camdl on ${host}: test message`,
    text: 'camdl notify --test: this channel works. Alerts from camdl sync will arrive here.',
    notices: [],
    open: [],
  };
}

/**
 * The healthchecks summary of a run (the ping's body; Uptime Kuma shows its first line): one line per
 * camera and per open condition. An error text or a name from a camera stays within its line, so it
 * cannot add a line of its own (a forged `OPEN …` or an "all fine" first line).
 */
export function runSummaryText(summary: SyncSummary | undefined, runError: string | undefined, open: readonly AlertRow[]): string {
  const lines: string[] = [];
  if (runError !== undefined) lines.push(`camdl sync could not complete: ${runError}`);
  for (const camera of summary?.cameras ?? []) {
    lines.push(`${camera.camera}: ${camera.status}, ${camera.downloaded} downloaded, ${camera.failed} failed, ${camera.lost} lost, ${camera.pending} pending${camera.error ? ` (${camera.error})` : ''}`);
  }
  for (const row of open) lines.push(`OPEN ${row.kind}${row.subject ? ` ${row.subject}` : ''}: ${row.message}`);
  return lines.map(oneLine).join('\n');
}
