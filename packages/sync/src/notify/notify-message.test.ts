import { describe, expect, it } from 'vitest';
import type { Notice } from '../alerts/alert-kinds.js';
import { buildNotifyMessage } from './notify-message.js';

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
