import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { lineFormatter, lineStampsOn, setLineStamps, writeLines } from './line-stamps.js';

const AT = Date.parse('2026-03-02T02:15:04.120Z');

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { stream, text: () => written };
}

describe('line stamps', () => {
  afterEach(() => setLineStamps(false));

  it('a message of several lines gets the stamp on each; without stamps it is left as it is', () => {
    expect(lineFormatter(true, () => AT)('camdl: unknown command "snyc"\n\nUsage: camdl <command>')).toBe(
      '2026-03-02T02:15:04.120Z camdl: unknown command "snyc"\n2026-03-02T02:15:04.120Z \n2026-03-02T02:15:04.120Z Usage: camdl <command>\n',
    );
    expect(lineFormatter(false)('a\nb')).toBe('a\nb\n');
  });

  it('writeLines follows the process decision, which is off until a command turns it on', async () => {
    const out = collect();
    expect(lineStampsOn()).toBe(false);
    writeLines(out.stream, 'Verified 2 files');
    setLineStamps(true, () => AT);
    expect(lineStampsOn()).toBe(true);
    writeLines(out.stream, 'camdl: camdl.yaml:4: kind must be …');
    setLineStamps(false);
    writeLines(out.stream, 'Wrote coverage.html');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe('Verified 2 files\n2026-03-02T02:15:04.120Z camdl: camdl.yaml:4: kind must be …\nWrote coverage.html\n');
  });
});
