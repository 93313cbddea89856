import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../src/output.js';

function fakeStream(tty: boolean, columns = 80): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  Object.assign(stream, { isTTY: tty, columns, cursorTo: () => true, moveCursor: () => true, clearLine: () => true });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => written };
}

const tick = (ms = 400): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createOutput', () => {
  it('prints seed-style tagged lines to stdout, padded to six columns', async () => {
    const stdout = fakeStream(false);
    const stderr = fakeStream(false);
    const out = createOutput({ json: false, progress: true, stdout: stdout.stream, stderr: stderr.stream, env: {} });
    out.line('GET', 'http://cam/x');
    out.line('SAVE', 'downloads/x');
    out.text('Done. downloaded=1 skipped=0 failed=0');
    out.event({ type: 'ignored' });
    await tick(0);
    expect(stdout.text()).toBe('GET   http://cam/x\nSAVE  downloads/x\nDone. downloaded=1 skipped=0 failed=0\n');
    expect(out.interactive).toBe(false);
  });

  it('--json: JSON lines on stdout, human lines on stderr', async () => {
    const stdout = fakeStream(false);
    const stderr = fakeStream(false);
    const out = createOutput({ json: true, progress: false, stdout: stdout.stream, stderr: stderr.stream, env: {} });
    out.line('SKIP', 'a.avi (already exists)');
    out.event({ type: 'skip', file: 'a.avi' });
    await tick(0);
    expect(JSON.parse(stdout.text())).toEqual({ type: 'skip', file: 'a.avi' });
    expect(stderr.text()).toBe('SKIP  a.avi (already exists)\n');
  });

  it('with time stamps: each human line on stdout and stderr starts with the time, the JSON never', async () => {
    const stdout = fakeStream(false);
    const stderr = fakeStream(false);
    const out = createOutput({ json: false, progress: false, stdout: stdout.stream, stderr: stderr.stream, env: {}, timestamps: true, now: () => Date.parse('2026-03-02T02:15:04.120Z') });
    out.line('SAVE', 'downloads/x');
    out.warn('camdl film: first\nsecond');
    await tick(0);
    expect(stdout.text()).toBe('2026-03-02T02:15:04.120Z SAVE  downloads/x\n');
    expect(stderr.text()).toBe('2026-03-02T02:15:04.120Z camdl film: first\n2026-03-02T02:15:04.120Z second\n');
    const json = fakeStream(false);
    const jsonOut = createOutput({ json: true, progress: false, stdout: json.stream, stderr: fakeStream(false).stream, env: {}, timestamps: true });
    jsonOut.event({ type: 'skip' });
    await tick(0);
    expect(json.text()).toBe('{"type":"skip"}\n');
  });

  it('shows a live progress line only on a real terminal, and never on a zero-width one, CI or TERM=dumb', async () => {
    const cases: Array<[boolean, number, NodeJS.ProcessEnv, boolean]> = [
      [true, 80, {}, true],
      [false, 80, {}, false],
      [true, 0, {}, false],
      [true, 80, { CI: 'true' }, false],
      [true, 80, { TERM: 'dumb' }, false],
    ];
    for (const [tty, columns, env, expected] of cases) {
      const stderr = fakeStream(tty, columns);
      const out = createOutput({ json: false, progress: true, stdout: fakeStream(false).stream, stderr: stderr.stream, env });
      expect(out.interactive).toBe(expected);
      out.progress('file.avi 42.0%');
      await tick();
      out.clearProgress();
      expect(stderr.text().includes('file.avi 42.0%')).toBe(expected);
    }
  });
});
