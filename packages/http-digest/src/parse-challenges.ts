/** One challenge of a `WWW-Authenticate` header (RFC 7235 §2.1), any scheme. */
export interface Challenge {
  /** The scheme as sent (`Digest`, `Basic`...); compare case-insensitively. */
  scheme: string;
  /** Auth-params with lower-cased names and unescaped values; the first of duplicate names wins. */
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), when the challenge used it instead of params. */
  token68?: string;
}

// RFC 7230 tchar; token68 adds "/" (and trailing "=", read apart).
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  skipSpacesAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }

  read(pattern: RegExp): string {
    const start = this.pos;
    while (!this.done && pattern.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted-string starting at the opening quote; an unterminated one runs to the end. */
  readQuoted(): string {
    this.pos++;
    let value = '';
    while (!this.done) {
      const char = this.peek();
      this.pos++;
      if (char === '"') return value;
      if (char === '\\') {
        if (!this.done) value += this.peek();
        this.pos++;
      } else {
        value += char;
      }
    }
    return value;
  }

  /** Skips to the next comma outside quotes (or the end) after something unparsable. */
  skipGarbage(): void {
    while (!this.done && this.peek() !== ',') {
      if (this.peek() === '"') this.readQuoted();
      else this.pos++;
    }
  }
}

/** After a comma: does an auth-param (`name = value`) follow, rather than a new challenge? */
function paramFollows(scanner: Scanner): boolean {
  const start = scanner.pos;
  const name = scanner.read(TCHAR);
  scanner.skipSpaces();
  const isParam = name !== '' && scanner.peek() === '=';
  scanner.pos = start;
  return isParam;
}

function readParamValue(scanner: Scanner): string {
  scanner.skipSpaces();
  if (scanner.peek() === '"') return scanner.readQuoted();
  // Lenient: a value should be a token, but cameras put "=" and "/" in unquoted nonces.
  return scanner.read(/[^,\s"]/);
}

function parseOne(scanner: Scanner, into: Challenge[]): void {
  const scheme = scanner.read(TCHAR);
  if (scheme === '') {
    scanner.skipGarbage();
    return;
  }
  const afterScheme = scanner.pos;
  scanner.skipSpaces();
  const challenge: Challenge = { scheme, params: Object.create(null) as Record<string, string> };
  if (scanner.done || scanner.peek() === ',') {
    into.push(challenge);
    return;
  }
  if (scanner.pos === afterScheme) {
    // A stray character glued to the scheme ("Digest=", "Basic\"x"): not a challenge.
    scanner.skipGarbage();
    return;
  }
  into.push(challenge);

  // token68 ("Negotiate abc==") or the first auth-param?
  const start = scanner.pos;
  const body = scanner.read(TOKEN68_CHAR);
  const equals = scanner.read(/=/);
  scanner.skipSpaces();
  if (body !== '' && (scanner.done || scanner.peek() === ',')) {
    challenge.token68 = body + equals;
    return;
  }
  scanner.pos = start;

  for (;;) {
    const name = scanner.read(TCHAR);
    scanner.skipSpaces();
    if (name === '' || scanner.peek() !== '=') {
      scanner.skipGarbage();
    } else {
      scanner.pos++;
      const value = readParamValue(scanner);
      const key = name.toLowerCase();
      if (!(key in challenge.params)) challenge.params[key] = value;
      scanner.skipSpaces();
      if (!scanner.done && scanner.peek() !== ',') scanner.skipGarbage();
    }
    scanner.skipSpacesAndCommas();
    if (scanner.done || !paramFollows(scanner)) return;
  }
}

/**
 * Parses `WWW-Authenticate` (or `Proxy-Authenticate`) header values into challenges, RFC 7235 style:
 * several challenges per header and several headers, quoted strings with backslash escapes and commas,
 * `=` inside token68 and nonces, case-insensitive scheme and parameter names. Garbage is skipped,
 * never thrown on.
 *
 * @example
 * parseChallenges('Digest realm="cam", qop="auth", nonce="abc=", Basic realm="cam"')
 * // [{ scheme: 'Digest', params: { realm: 'cam', qop: 'auth', nonce: 'abc=' } }, { scheme: 'Basic', ... }]
 */
export function parseChallenges(header: string | readonly string[] | undefined | null): Challenge[] {
  if (header === undefined || header === null) return [];
  const values = typeof header === 'string' ? [header] : header;
  const challenges: Challenge[] = [];
  for (const value of values) {
    const scanner = new Scanner(value);
    for (;;) {
      scanner.skipSpacesAndCommas();
      if (scanner.done) break;
      parseOne(scanner, challenges);
    }
  }
  return challenges;
}
