/**
 * Characters that would act on a terminal instead of being shown: C0 controls (ESC, BEL, NUL, CR,
 * LF, TAB…), DEL, C1 controls, and the bidirectional overrides/isolates that reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Makes a string from a camera (an archive name, a file path, a device string, an error body) safe to
 * print on a terminal: control characters become visible escapes (`\n`, `\x1b`, `\u202e`), so a name
 * cannot forge a line (`\nDone. downloaded=99`), move the cursor, ring the bell or recolour the
 * screen. Printable text, non-ASCII letters included, is left as it is.
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = char.codePointAt(0)!;
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
}

/**
 * A multi-line message (ffmpeg's last lines after its exit status) for a tagged line: the first line,
 * then each further non-empty line on a line of its own, indented so it can never pass for a line of
 * the tool's own (`Done. …`); every line escaped as {@link escapeTerminal} does.
 */
export function escapeTerminalLines(text: string, indent = '      '): string {
  const [first = '', ...rest] = text.split(/\r?\n/);
  return escapeTerminal(first) + rest.filter((line) => line.trim() !== '').map((line) => `\n${indent}${escapeTerminal(line)}`).join('');
}

/**
 * Hides credentials a user typed into a value that may be echoed (`http://root:pw@host` →
 * `http://root:***@host`; also a bare `root:pw@host`). Used on every piece of user input that ends up
 * in a message.
 */
export function redactCredentials(text: string): string {
  return text.replace(/(^|[\s"'=(]|[a-z][a-z0-9+.-]*:\/\/)([^\s/:@"'?#]+):([^\s/@"']*)@/giu, (_match, before: string, user: string) => `${before}${user}:***@`);
}
