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
    // The body is lines: the message keeps its own, control characters other than the line feed are masked.
    expect(message.text).toContain('NEW disk-low /srv/cams\nBcc: evil@example.org?\nX: 1: low\nstill low');
  });
});
