import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BodySource } from './content.js';
import type { SimCounters } from './counters.js';
import type { FaultRule } from './faults.js';
import type { NormalizedOptions } from './options.js';
import { sendBody } from './send-body.js';

/** One request as a profile handler sees it. */
export interface RequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  /** Raw request target as received (path + query, not decoded). */
  target: string;
  /** Raw path (before `?`). */
  path: string;
  /** Raw query text (after `?`, without it), undecoded. */
  rawQuery: string;
  fault: FaultRule | undefined;
  counters: SimCounters;
  options: NormalizedOptions;
}

export function bufferSource(data: Buffer): BodySource {
  return {
    size: data.length,
    open: (start, end) => Readable.from([data.subarray(start, end + 1)]),
    sha256: () => Promise.resolve(createHash('sha256').update(data).digest('hex')),
  };
}

/** Sends a complete in-memory body (subject to the request's fault). */
export function reply(
  context: RequestContext,
  status: number,
  body: string | Buffer,
  headers: Record<string, string | number> = {},
  statusMessage?: string,
): Promise<void> {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (statusMessage) context.response.statusMessage = statusMessage;
  return sendBody(context.request, context.response, {
    source: bufferSource(data),
    start: 0,
    end: data.length - 1,
    status,
    headers,
    fault: context.fault,
    counters: context.counters,
    sleep: context.options.sleep,
  });
}

/** Sends (a range of) a file body (subject to the request's fault). */
export function replyFile(
  context: RequestContext,
  source: BodySource,
  status: number,
  headers: Record<string, string | number>,
  start = 0,
  end = source.size - 1,
  framing: 'length' | 'chunked' = 'length',
): Promise<void> {
  return sendBody(context.request, context.response, {
    source,
    start,
    end,
    status,
    headers,
    framing,
    fault: context.fault,
    counters: context.counters,
    sleep: context.options.sleep,
  });
}

/** Splits a raw query into raw (undecoded) name/value pairs, in order. */
export function rawQueryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** Percent-decodes (UTF-8), leaving `+` alone; undefined when malformed. */
export function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Decoded query parameters; undefined when a value is malformed. Raw UTF-8 bytes are read as UTF-8. */
export function decodedQuery(rawQuery: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const [name, value] of rawQueryPairs(rawQuery)) {
    const decodedName = percentDecode(latin1ToUtf8(name));
    const decodedValue = percentDecode(latin1ToUtf8(value));
    if (decodedName === undefined || decodedValue === undefined) return undefined;
    if (!params.has(decodedName)) params.set(decodedName, decodedValue);
  }
  return params;
}

/** node:http hands over request-line bytes as latin1 characters: read them back as UTF-8. */
export function latin1ToUtf8(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}
