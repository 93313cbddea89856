import { describe, expect, it } from 'vitest';
import { escapeTerminal, redactCredentials } from './terminal-text.js';

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
