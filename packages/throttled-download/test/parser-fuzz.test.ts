import type { Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRawHttpServer, type RawHttpServer } from '@camdl/test-utils';
import { Http1ResponseParser } from '../src/lean/index.js';

// Differential fuzz of the lean HTTP/1.1 response parser against undici's (llhttp): generated
// responses, valid and malformed (lengths, chunking, headers, folds, interim answers), are fed to the
// lean parser in pieces of many sizes, and served byte for byte from a raw socket on 127.0.0.1 to
// undici's `request()`. Both must reach the same verdict: accepted with the same status and body, or
// refused. A fixed seed keeps failures reproducible; FUZZ_CASES raises the count (the default stays
// fast enough for every run), FUZZ_SEED picks another sequence.
//
// Where undici departs from RFC 9112 the lean parser follows the RFC. Such a case carries, next to its
// bytes, the equivalent message the RFC reads it as (its `canonical` form), and undici gets that one:
// - `obs-fold`: a folded header line is read as one space (RFC 9112 §5.2); llhttp refuses it.
// - `unasked-100`: a 100 Continue nobody asked for is skipped like any 1xx (RFC 9110 §15.2); undici
//   takes it for a broken server ("bad response").
// - `chunk-ext-bws`: whitespace before a chunk extension's `;` is BWS (RFC 9112 §7.1.1); llhttp refuses it.

const CASES = Number(process.env['FUZZ_CASES'] ?? 2000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

type Exception = 'obs-fold' | 'unasked-100' | 'chunk-ext-bws';

interface Case {
  /** What the lean parser reads. */
  bytes: Buffer;
  /** What undici reads: `bytes`, or the message the RFC reads them as (see the exceptions). */
  canonical: Buffer;
  exceptions: Set<Exception>;
}

/** A message built twice at once: as sent, and in the canonical form the RFC reads it as. */
class Twin {
  readonly raw: Buffer[] = [];
  readonly canonical: Buffer[] = [];
  add(raw: string | Buffer, canonical: string | Buffer = raw): void {
    this.raw.push(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
    this.canonical.push(typeof canonical === 'string' ? Buffer.from(canonical, 'latin1') : canonical);
  }
}

type Verdict = { accepted: true; status: number; body: string } | { accepted: false };

/** xorshift32: the same cases for the same seed, on every platform. */
function random(seed: number): { int(n: number): number; chance(p: number): boolean; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  return {
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as never,
  };
}

type Random = ReturnType<typeof random>;

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-';

function token(r: Random, length = 1 + r.int(10)): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += TOKEN_CHARS[r.int(TOKEN_CHARS.length)];
  return out;
}

function bodyBytes(r: Random): Buffer {
  const size = r.chance(0.1) ? 0 : r.chance(0.8) ? r.int(200) : r.int(5000);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) out[i] = r.chance(0.05) ? r.pick([13, 10, 0x30, 0x3b]) : r.int(256);
  return out;
}

/** A chunked encoding of `body` into `out`, maybe malformed or cut. */
function chunkedEncoding(r: Random, body: Buffer, out: Twin, exceptions: Set<Exception>): void {
  let at = 0;
  while (at < body.length) {
    const size = Math.min(body.length - at, 1 + r.int(r.chance(0.5) ? 16 : 400));
    let sizeText = size.toString(16);
    if (r.chance(0.3)) sizeText = sizeText.toUpperCase();
    if (r.chance(0.1)) sizeText = sizeText.padStart(sizeText.length + 1 + r.int(14), '0');
    if (r.chance(0.02)) sizeText = r.pick(['zz', '-1', '0x10', '', ' 5']);
    const extension = r.chance(0.1) ? r.pick([';a=b', ';name', ';q="x y"', ';a=b;c']) : '';
    if (extension !== '' && r.chance(0.1)) {
      out.add(`${sizeText} ${extension}\r\n`, `${sizeText}${extension}\r\n`);
      exceptions.add('chunk-ext-bws');
    } else {
      out.add(`${sizeText}${extension}\r\n`);
    }
    out.add(body.subarray(at, at + size));
    out.add(r.chance(0.02) ? r.pick(['\n', 'X\r\n', '']) : '\r\n');
    at += size;
  }
  if (r.chance(0.05)) return; // no last chunk
  out.add(`${r.chance(0.1) ? '000' : '0'}${r.chance(0.05) ? ';done' : ''}\r\n`);
  if (r.chance(0.15)) {
    const name = `X-${token(r)}`;
    const value = token(r);
    if (r.chance(0.1)) {
      const more = token(r);
      out.add(`${name}: ${value}\r\n ${more}\r\n`, `${name}: ${value} ${more}\r\n`);
      exceptions.add('obs-fold');
    } else {
      out.add(`${name}: ${value}\r\n`);
    }
  }
  out.add('\r\n');
}

function generate(r: Random): Case {
  const exceptions = new Set<Exception>();
  const out = new Twin();
  // Interim answers.
  for (let i = r.int(3); i > 0; i -= 1) {
    if (!r.chance(0.3)) continue;
    if (r.chance(0.1)) {
      out.add('HTTP/1.1 100 Continue\r\n\r\n', '');
      exceptions.add('unasked-100');
    } else {
      out.add(`HTTP/1.1 ${r.pick([102, 103])} ${r.pick(['Processing', 'Early Hints'])}\r\n${r.chance(0.5) ? 'Link: </a.css>; rel=preload\r\n' : ''}\r\n`);
    }
  }
  const version = r.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0']);
  const status = r.pick([200, 200, 200, 200, 206, 404, 500, 204, 304, 299]);
  let statusLine = `${version} ${status}${r.pick([' OK', ' Some Reason', '', ' '])}`;
  if (r.chance(0.03)) statusLine = r.pick(['HTTP/1.1 2x0 OK', 'ICY 200 OK', 'HTTP/1.1 20 OK', 'HTTP/1.1 101 Switching Protocols', 'http/1.1 200 OK']);
  // One bare LF, somewhere in the head.
  const bareLf = r.chance(0.02) ? 1 + r.int(3) : 0;
  let lineNumber = 0;
  const line = (raw: string, canonical = raw): void => {
    lineNumber += 1;
    const end = lineNumber === bareLf ? '\n' : '\r\n';
    out.add(`${raw}${end}`, `${canonical}${end}`);
  };
  line(statusLine);
  const extra = (): void => {
    const name = `X-${token(r)}`;
    let value = r.chance(0.2) ? '' : token(r, r.int(20));
    if (r.chance(0.02)) value += r.pick(['\x01', '\x7f', '\0']);
    const space = r.pick([' ', '', '  ', '\t']);
    if (r.chance(0.04)) {
      const fold = r.pick([' ', '\t', '  ']);
      const more = token(r);
      lineNumber += 1;
      out.add(`${name}:${space}${value}\r\n${fold}${more}\r\n`, `${name}:${space}${value} ${more}\r\n`);
      exceptions.add('obs-fold');
      return;
    }
    line(`${name}:${space}${value}`);
  };
  for (let i = r.int(4); i > 0; i -= 1) extra();
  const body = bodyBytes(r);
  const framing = r.pick(['length', 'length', 'chunked', 'chunked', 'close'] as const);
  const payload = new Twin();
  if (framing === 'length') {
    let length = body.length;
    if (r.chance(0.05)) length += 1 + r.int(10); // the body is cut short
    let text = String(length);
    if (r.chance(0.1)) text = text.padStart(text.length + 1 + r.int(15), '0');
    if (r.chance(0.02)) text = r.pick(['-1', '+3', '3, 3', '', 'abc', '1234567890123456789']);
    line(`${r.pick(['Content-Length', 'content-length', 'CONTENT-LENGTH'])}:${r.pick([' ', ''])}${text}`);
    if (r.chance(0.02)) line(`Content-Length: ${text}`);
    if (r.chance(0.02)) line('Transfer-Encoding: chunked');
    payload.add(r.chance(0.05) ? Buffer.concat([body, Buffer.from('trailing garbage')]) : body);
  } else if (framing === 'chunked') {
    if (r.chance(0.05)) {
      line('Transfer-Encoding: gzip');
      line('Transfer-Encoding: chunked');
    } else {
      line(`Transfer-Encoding: ${r.pick(['chunked', 'chunked', 'Chunked', 'gzip, chunked'])}`);
    }
    chunkedEncoding(r, body, payload, exceptions);
  } else {
    if (r.chance(0.2)) line(`Transfer-Encoding: ${r.pick(['gzip', 'identity', 'chunked, gzip'])}`);
    payload.add(body);
  }
  for (let i = r.int(2); i > 0; i -= 1) extra();
  if (r.chance(0.02)) line(r.pick(['No-Colon-Here', 'Bad Name: x', ': empty name']));
  out.add('\r\n');
  return {
    bytes: Buffer.concat([...out.raw, ...payload.raw]),
    canonical: Buffer.concat([...out.canonical, ...payload.canonical]),
    exceptions,
  };
}

/** The lean parser's verdict, the message fed in pieces of `size` bytes, then EOF (the server closes). */
function leanVerdict(bytes: Buffer, size: number): Verdict {
  let status = 0;
  const body: Buffer[] = [];
  let ended = false;
  const parser = new Http1ResponseParser({
    onHead: (code) => {
      status = code;
    },
    onBody: (buffer, start, end) => {
      body.push(Buffer.from(buffer.subarray(start, end)));
    },
    onEnd: () => {
      ended = true;
    },
  });
  try {
    for (let at = 0; at < bytes.length && !parser.done; at += size) {
      const piece = Buffer.from(bytes.subarray(at, at + size));
      for (let from = 0; from < piece.length && !parser.done; ) from = parser.execute(piece, from, piece.length);
    }
    parser.finish();
  } catch {
    return { accepted: false };
  }
  return ended ? { accepted: true, status, body: Buffer.concat(body).toString('latin1') } : { accepted: false };
}

async function undiciVerdict(url: string, dispatcher: Agent): Promise<Verdict> {
  try {
    const response = await request(url, { dispatcher, reset: true, headersTimeout: 5000, bodyTimeout: 5000 });
    const body = Buffer.from(await response.body.arrayBuffer()).toString('latin1');
    return { accepted: true, status: response.statusCode, body };
  } catch {
    return { accepted: false };
  }
}

describe(`HTTP/1.1 response parser: lean vs undici, ${CASES} generated responses (seed ${SEED})`, () => {
  const r = random(SEED);
  const cases: Case[] = Array.from({ length: CASES }, () => generate(r));
  let server: RawHttpServer;
  let dispatcher: Agent;
  beforeAll(async () => {
    server = await startRawHttpServer((socket: Socket, received) => {
      socket.end(cases[Number(received.target.slice(1))]?.canonical ?? 'HTTP/1.1 500 Unknown\r\nContent-Length: 0\r\n\r\n');
    });
    dispatcher = new Agent({ connections: 16 });
  });
  afterAll(async () => {
    await dispatcher.destroy();
    await server.close();
  });

  it('the lean parser reaches one verdict whatever the pieces, and undici the same one', async () => {
    const undici: Verdict[] = new Array(cases.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let index = next++; index < cases.length; index = next++) undici[index] = await undiciVerdict(server.url(`/${index}`), dispatcher);
      }),
    );
    const tally = { accepted: 0, refused: 0, exceptions: 0 };
    for (const [index, { bytes, exceptions }] of cases.entries()) {
      // Every piece size up to 16 bytes (each boundary of a short line, CRLF and chunk-size line
      // falls at every offset), larger ones, one that varies with the case, and all at once.
      const sizes = [bytes.length, ...Array.from({ length: 16 }, (_, i) => i + 1), 64, 1000, 1 + (index % Math.max(1, bytes.length))];
      const lean = leanVerdict(bytes, sizes[0]!);
      const shown = JSON.stringify(bytes.toString('latin1').slice(0, 600));
      for (const size of sizes.slice(1)) expect(leanVerdict(bytes, size), `case ${index}, pieces of ${size}: ${shown}`).toEqual(lean);
      if (exceptions.size > 0) tally.exceptions += 1;
      const note = exceptions.size > 0 ? ` (undici read its canonical form: ${[...exceptions].join(', ')})` : '';
      expect(lean, `case ${index}${note}: ${shown}`).toEqual(undici[index]);
      if (lean.accepted) tally.accepted += 1;
      else tally.refused += 1;
    }
    // The generator must exercise both verdicts.
    expect(tally.accepted).toBeGreaterThan(CASES / 4);
    expect(tally.refused).toBeGreaterThan(CASES / 50);
    expect(tally.exceptions).toBeGreaterThan(CASES / 200);
  });
});
