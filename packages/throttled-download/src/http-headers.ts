import type { IncomingHttpHeaders } from 'node:http';
import { parseRetryAfterValue } from './lean/index.js';

export { transferCodings } from './lean/index.js';

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseContentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headerValue(headers, 'content-length');
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

export interface ContentRange {
  /** undefined for `bytes * /total` (416). */
  start: number | undefined;
  end: number | undefined;
  total: number | undefined;
}

/** `bytes 100-199/1000`, `bytes 100-199/*`, `bytes * /1000` (RFC 9110 §14.4). */
export function parseContentRange(headers: IncomingHttpHeaders): ContentRange | undefined {
  const value = headerValue(headers, 'content-range');
  if (value === undefined) return undefined;
  const match = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\s*\/\s*(\d+|\*)\s*$/i.exec(value);
  if (!match) return undefined;
  const [, start, end, total] = match;
  return {
    start: start === undefined ? undefined : Number(start),
    end: end === undefined ? undefined : Number(end),
    total: total === undefined || total === '*' ? undefined : Number(total),
  };
}

/** `Retry-After` as seconds or an HTTP-date, in ms from `nowMs` (wall clock), or undefined. */
export function parseRetryAfter(headers: IncomingHttpHeaders, nowMs = Date.now()): number | undefined {
  return parseRetryAfterValue(headerValue(headers, 'retry-after'), nowMs);
}

/** A strong ETag (`"abc"`), usable in If-Range; weak ones (`W/"abc"`) are not. */
export function isStrongEtag(etag: string | undefined): etag is string {
  return etag !== undefined && !/^W\//i.test(etag);
}

export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  410: 'Gone',
  416: 'Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** 5xx, 408 and 429 are worth another attempt; every other status is final. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
