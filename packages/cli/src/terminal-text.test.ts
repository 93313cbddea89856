import { describe, expect, it } from 'vitest';
import { escapeTerminal, escapeTerminalLines, redactCredentials } from './terminal-text.js';

describe('escapeTerminal', () => {
  it('turns line breaks into visible escapes, so a name cannot forge a summary line', () => {
    expect(escapeTerminal('a.mp4\nDone. downloaded=99 skipped=0 failed=0\n')).toBe('a.mp4\\nDone. downloaded=99 skipped=0 failed=0\\n');
  });

  it('escapes ESC, BEL, NUL, CR, DEL, C1 controls and bidi overrides', () => {
    expect(escapeTerminal('\u001b[31mred\u0007\u0000\r\u007f\u009b\u202etxt.mp4')).toBe('\\x1b[31mred\\x07\\x00\\r\\x7f\\x9b\\u202etxt.mp4');
  });

  it('leaves printable text alone, non-ASCII letters and spaces included', () => {
    expect(escapeTerminal("Café_Zürich O'Brien [1].mp4")).toBe("Café_Zürich O'Brien [1].mp4");
  });
});

describe('escapeTerminalLines', () => {
  it('puts each further line of a message on an indented line of its own, escaped; drops empty ones', () => {
    const ffmpeg = '/usr/bin/ffmpeg exited with 1:\nav_interleaved_write_frame(): No space left on device\r\n\nDone. downloaded=99 \u001b[2J';
    expect(escapeTerminalLines(ffmpeg)).toBe('/usr/bin/ffmpeg exited with 1:\n      av_interleaved_write_frame(): No space left on device\n      Done. downloaded=99 \\x1b[2J');
    expect(escapeTerminalLines('one line\ttab')).toBe('one line\\ttab');
    expect(escapeTerminalLines('')).toBe('');
  });
});

describe('redactCredentials', () => {
  it('hides the password of a URL or host typed by the user', () => {
    expect(redactCredentials('http://root:S3cr3t-pw@127.0.0.1:99999')).toBe('http://root:***@127.0.0.1:99999');
    expect(redactCredentials('--host: not a host: "root:S3cr3t-pw@cam:80"')).toBe('--host: not a host: "root:***@cam:80"');
    expect(redactCredentials('https://u:p%40ss@cam.example/x')).toBe('https://u:***@cam.example/x');
  });

  it('leaves text without credentials unchanged', () => {
    expect(redactCredentials('http://127.0.0.1:8080/path?a=b@c')).toBe('http://127.0.0.1:8080/path?a=b@c');
  });
});
