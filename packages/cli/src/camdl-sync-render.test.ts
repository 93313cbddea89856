import { PassThrough } from 'node:stream';
import type { CameraOutcome, SyncEvent } from '@camdl/sync';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderMonitorEvent } from './camdl-monitor-render.js';
import { createSyncRenderer } from './camdl-sync-render.js';
import { wantTimestamps } from './line-stamps.js';

/** A stream that keeps what was written; `isTTY`/`columns` as a terminal would have them. */
function capture(tty: boolean): NodeJS.WriteStream & { text(): string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  let written = '';
  stream.write = ((chunk: string | Uint8Array) => {
    written += chunk.toString();
    return true;
  }) as typeof stream.write;
  stream.text = () => written;
  Object.assign(stream, { isTTY: tty, columns: tty ? 120 : undefined });
  return stream;
}

function outcome(camera: string, fields: Partial<CameraOutcome> = {}): CameraOutcome {
  return { camera, status: 'ok', listed: 0, downloaded: 0, bytes: 0, failed: 0, lost: 0, deleted: 0, pending: 0, error: undefined, errorCode: undefined, ...fields };
}

function runDone(cameras: CameraOutcome[], interrupted = false): SyncEvent {
  return { type: 'run-done', outcome: interrupted ? 'interrupted' : 'ok', summary: { cameras, copies: [], interrupted } };
}

const listed = (camera: string, toDownload: number, bytes: number | undefined): SyncEvent => ({
  type: 'camera-listed',
  camera,
  listed: toDownload,
  toDownload,
  bytes,
  alreadyArchived: 0,
  notes: [],
  outsideWindow: undefined,
});

describe('the sync renderer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('live lines show an ETA from the speed so far, and the copies going to each target', () => {
    const stdout = capture(true);
    const stderr = capture(true);
    let clock = 0;
    const renderer = createSyncRenderer({ json: false, live: true, stdout, stderr, now: () => clock });
    renderer.render({ type: 'camera-start', camera: 'gate' });
    renderer.render(listed('gate', 10, 10_000_000));
    renderer.render({ type: 'file-start', camera: 'gate', channel: 0, remoteName: 'a', path: 'gate/d/a.mp4', size: 4_000_000 });
    clock = 10_000;
    // 2 MB in 10 s, 8 MB left: 40 s.
    renderer.render({ type: 'file-progress', camera: 'gate', path: 'gate/d/a.mp4', bytes: 2_000_000, total: 4_000_000, speed: 200_000 });
    renderer.render({ type: 'upload-start', camera: 'gate', target: 'offsite', path: 'gate/d/z.mp4', size: 2048, resume: false });
    vi.advanceTimersByTime(100);
    // eslint-disable-next-line no-control-regex
    expect(stderr.text()).toMatch(/(^|\u001b\[0J)gate +1\/10 a\.mp4 50% 1\.91 MiB 195\.31 KiB\/s ETA 40s\n/);
    expect(stderr.text()).toMatch(/^> offsite +0 copies up \(0 B\), uploading z\.mp4 \(2\.00 KiB\)$/m);
    renderer.close();
  });

  it('erases the live lines from the start of the line: a ^C echoed by the terminal leaves no fragment', () => {
    const stdout = capture(true);
    const stderr = capture(true);
    const renderer = createSyncRenderer({ json: false, live: true, stdout, stderr });
    renderer.render({ type: 'camera-start', camera: 'north-gate' });
    vi.advanceTimersByTime(100);
    expect(stderr.text()).toBe('north-gate     listing…\n');
    renderer.say('Stopping after the current files (Ctrl+C again to stop now)…');
    // Column 0 first, then up over the one live line, then clear to the end of the screen.
    expect(stderr.text()).toContain('listing…\n\r\u001b[1A\u001b[0J');
    renderer.close();
    // With nothing drawn, the notice still starts at column 0 (after the terminal's `^C`).
    const bare = capture(true);
    const quiet = createSyncRenderer({ json: false, live: true, stdout: bare, stderr: bare });
    quiet.say('Stopping after the current files (Ctrl+C again to stop now)…');
    expect(bare.text()).toBe('\rStopping after the current files (Ctrl+C again to stop now)…\n');
    quiet.close();
  });

  it('after an interruption the summary says so, not "Done."', () => {
    const stdout = capture(false);
    const renderer = createSyncRenderer({ json: false, live: false, stdout, stderr: capture(false) });
    renderer.render(runDone([outcome('gate', { status: 'interrupted', downloaded: 2, bytes: 2048, pending: 3 })], true));
    expect(stdout.text()).toBe('Interrupted. downloaded=2 (2.00 KiB) failed=0 lost=0 deleted=0 pending=3 cameras=1 not-ok: gate (interrupted) (the next run fetches the rest)\n');
  });

  it('--quiet: nothing for a run where nothing happened; problems and an eventful summary always', () => {
    const stdout = capture(false);
    const renderer = createSyncRenderer({ json: false, live: false, quiet: true, stdout, stderr: capture(false) });
    renderer.render(listed('gate', 0, 0));
    renderer.render(runDone([outcome('gate')]));
    expect(stdout.text()).toBe('');
    renderer.render({ type: 'file-done', camera: 'gate', path: 'gate/d/a.mp4', size: 10, sha256: 'ab'.repeat(32), status: 'downloaded' });
    renderer.render({ type: 'lost', camera: 'gate', channel: 0, remoteName: 'b.mp4', startMs: 0, endMs: 1000, reason: 'overwritten' });
    renderer.render(runDone([outcome('gate', { downloaded: 1, bytes: 10, lost: 1 })]));
    expect(stdout.text()).toBe(
      'LOST  gate: b.mp4 (1970-01-01T00:00:00.000Z .. 1970-01-01T00:00:01.000Z) vanished from the camera before it was archived: overwritten (it was the oldest the camera held)\nDone. downloaded=1 (10 B) failed=0 lost=1 deleted=0 pending=0 cameras=1\n',
    );
  });

  it('time stamps: every human line starts with the time, in the format the lines use inside', () => {
    const stdout = capture(false);
    const renderer = createSyncRenderer({ json: false, live: false, timestamps: true, stdout, stderr: stdout, now: () => Date.parse('2026-03-02T02:15:04.120Z') });
    renderer.render(listed('gate', 1, 10));
    renderer.say('Next run at 2026-03-02T03:15:04.120Z (exit code of this one: 0)', 'info');
    expect(stdout.text()).toBe('2026-03-02T02:15:04.120Z LIST  gate: 1 on the camera in the window, 0 archived, 1 to fetch (10 B)\n2026-03-02T02:15:04.120Z Next run at 2026-03-02T03:15:04.120Z (exit code of this one: 0)\n');
  });

  it('time stamps: the warnings on stderr (WARN, outside the window, monitor notices, the run error) carry the same stamp as stdout', () => {
    const stdout = capture(false);
    const stderr = capture(false);
    const renderer = createSyncRenderer({ json: false, live: false, timestamps: true, stdout, stderr, now: () => Date.parse('2026-03-02T02:15:04.120Z') });
    renderer.render({ type: 'camera-listed', camera: 'gate', listed: 0, toDownload: 0, bytes: undefined, alreadyArchived: 0, notes: [], outsideWindow: { count: 8, firstMs: 0, lastMs: 1000 } });
    renderer.render({ type: 'warning', camera: 'gate', message: 'the camera lists a file twice' });
    const monitor = { json: false, stdout, stderr, say: (text: string) => renderer.say(text, 'problem'), warn: (text: string) => renderer.warn(text) };
    renderMonitorEvent({ type: 'notify-failed', channel: 'ntfy', reason: 'HTTP 500' }, monitor);
    renderMonitorEvent({ type: 'metrics-failed', path: '/nowhere/camdl.prom', reason: 'ENOENT' }, monitor);
    renderMonitorEvent({ type: 'alert-state-failed', reason: 'SQLITE_BUSY' }, monitor);
    renderer.warn('camdl: the ledger is locked');
    const lines = stderr.text().trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/^2026-03-02T02:15:04\.120Z (WARN {2}gate: |camdl: )/);
    renderer.render({ type: 'file-done', camera: 'gate', path: 'gate/d/a.mp4', size: 10, sha256: 'ab'.repeat(32), status: 'downloaded' });
    expect(stdout.text()).toMatch(/^2026-03-02T02:15:04\.120Z SAVE {2}gate\/d\/a\.mp4 /);
    renderer.close();
  });

  it('time stamps are on when the human lines are piped or CAMDL_TIMESTAMPS=1, off with CAMDL_TIMESTAMPS=0; the flag wins', () => {
    expect(wantTimestamps(undefined, { isTTY: false }, {})).toBe(true);
    expect(wantTimestamps(undefined, { isTTY: true }, {})).toBe(false);
    expect(wantTimestamps(undefined, { isTTY: true }, { CAMDL_TIMESTAMPS: '1' })).toBe(true);
    expect(wantTimestamps(undefined, { isTTY: false }, { CAMDL_TIMESTAMPS: '0' })).toBe(false);
    expect(wantTimestamps(false, { isTTY: false }, { CAMDL_TIMESTAMPS: '1' })).toBe(false);
    expect(wantTimestamps(true, { isTTY: true }, { CAMDL_TIMESTAMPS: '0' })).toBe(true);
  });
});
