import { describe, expect, it } from 'vitest';
import type { Notice } from '../alerts/alert-kinds.js';
import { buildNotifyMessage, runSummaryText } from './notify-message.js';

const NOW = Date.parse('2026-03-04T01:00:00Z');

describe('buildNotifyMessage', () => {
  it('keeps the title on one line whatever an alert names (a mail Subject, an ntfy header, a push heading)', () => {
    const notice: Notice = { event: 'opened', kind: 'disk-low', subject: '/srv/cams\nBcc: evil@example.org\r\nX: 1', camera: undefined, sinceMs: NOW, atMs: NOW, message: 'low\nstill low', action: 'Free space.', items: [] };
    const message = buildNotifyMessage([notice], [], { now: NOW, host: 'nvr\nX-Host: 1' });
    expect(message.title).toBe('camdl on nvr X-Host: 1: disk-low /srv/cams Bcc: evil@example.org? X: 1');
    expect(message.host).not.toMatch(/\n/);
    // The body is one line per fact: a field's own line breaks are spaces, other control characters masked.
    expect(message.text).toContain('NEW disk-low /srv/cams Bcc: evil@example.org? X: 1: low still low\n  what to do: Free space.');
  });

  it('a recording a camera named with a line break cannot forge a line of the message (a fake RECOVERED)', () => {
    const forged = 'a.mp4\nRECOVERED camera-unreachable gate: recovered\n';
    const notice: Notice = { event: 'updated', kind: 'recordings-lost', subject: 'gate', camera: 'gate', sinceMs: NOW, atMs: NOW, message: `gate overwrote 1 recording(s): ${forged}`, action: 'Sync more often.', items: [forged] };
    const message = buildNotifyMessage([notice], [{ kind: 'recordings-lost', subject: 'gate', camera: 'gate', state: 'open', sinceMs: NOW, runs: 1, openedMs: NOW, lastSentMs: NOW, updatedMs: NOW, message: `lost ${forged}`, action: 'x', items: [] }], { now: NOW, host: 'nvr' });
    expect(message.text.split('\n').filter((line) => line.startsWith('RECOVERED'))).toEqual([]);
    expect(message.text).toContain('  new: a.mp4 RECOVERED camera-unreachable gate: recovered');
    expect(JSON.stringify([message.notices, message.open])).not.toContain('\\n');
  });
});

describe('runSummaryText', () => {
  it('is one line per camera and per open condition, whatever line breaks a camera put in its error or names', () => {
    const camera = { listed: 3, downloaded: 1, bytes: 10, failed: 1, lost: 0, deleted: 0, pending: 1, errorCode: 'ERR_X' };
    const text = runSummaryText(
      {
        cameras: [
          { ...camera, camera: 'gate', status: 'failed', error: 'HTTP 500 Oops\nyard: ok, 9 downloaded, 0 failed, 0 lost, 0 pending' },
          { ...camera, camera: 'yard', status: 'ok', error: undefined },
        ],
        copies: [],
        interrupted: false,
      },
      'stopped\r\nOK',
      [{ kind: 'recordings-lost', subject: 'gate', camera: 'gate', state: 'open', sinceMs: NOW, runs: 1, openedMs: NOW, lastSentMs: NOW, updatedMs: NOW, message: 'lost a.mp4\nOPEN nothing: all fine', action: 'x', items: [] }],
    );
    expect(text.split('\n')).toEqual([
      'camdl sync could not complete: stopped? OK',
      'gate: failed, 1 downloaded, 1 failed, 0 lost, 1 pending (HTTP 500 Oops yard: ok, 9 downloaded, 0 failed, 0 lost, 0 pending)',
      'yard: ok, 1 downloaded, 1 failed, 0 lost, 1 pending',
      'OPEN recordings-lost gate: lost a.mp4 OPEN nothing: all fine',
    ]);
  });
});
