import { AmcrestError, type AmcrestErrorCode } from './errors.js';

/** A nested value built from `a.b[0].c=...` keys. */
export type KeyValueNode = string | KeyValueNode[] | { [key: string]: KeyValueNode };

export interface KeyValueBody {
  /** Every `key=value` line as sent (later duplicates win), keys trimmed. */
  flat: Map<string, string>;
  /** The same lines as nested objects and arrays: `items[0].Events[0]` → `data.items[0].Events[0]`. */
  data: Record<string, KeyValueNode>;
  /** Non-empty lines without `=` (kept for error messages, otherwise ignored). */
  unparsed: string[];
}

/** Array indexes above this are kept in `flat` only; a body cannot make us allocate a huge array. */
const MAX_INDEX = 100_000;
const UNSAFE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

type PathPart = string | number;

/** `items[0].Events[1]` → `['items', 0, 'Events', 1]`; undefined when the key is malformed. */
function parseKeyPath(key: string): PathPart[] | undefined {
  const parts: PathPart[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|(\.)/gy;
  let expectName = true;
  let lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(key)) !== null) {
    lastIndex = pattern.lastIndex;
    if (match[1] !== undefined) {
      if (!expectName) return undefined;
      parts.push(match[1]);
      expectName = false;
    } else if (match[2] !== undefined) {
      if (parts.length === 0) return undefined;
      const index = Number(match[2]);
      if (index > MAX_INDEX) return undefined;
      parts.push(index);
    } else {
      if (expectName) return undefined;
      expectName = true;
    }
  }
  if (lastIndex !== key.length || parts.length === 0 || expectName) return undefined;
  return parts;
}

function isContainer(node: KeyValueNode | undefined): node is KeyValueNode[] | { [key: string]: KeyValueNode } {
  return typeof node === 'object' && node !== null;
}

/** Sets `value` at `path`; returns false (and changes nothing) when the shapes conflict. */
function assignPath(root: Record<string, KeyValueNode>, path: PathPart[], value: string): boolean {
  if (path.some((part) => typeof part === 'string' && UNSAFE_KEYS.has(part))) return false;
  let container: KeyValueNode[] | Record<string, KeyValueNode> = root;
  for (let i = 0; i < path.length; i += 1) {
    const part = path[i] as PathPart;
    const isLast = i === path.length - 1;
    const isArray = Array.isArray(container);
    if (isArray !== (typeof part === 'number')) return false;
    const current: KeyValueNode | undefined = isArray
      ? (container as KeyValueNode[])[part as number]
      : Object.hasOwn(container, part)
        ? (container as Record<string, KeyValueNode>)[part as string]
        : undefined;
    if (isLast) {
      if (isContainer(current)) return false;
      if (isArray) (container as KeyValueNode[])[part as number] = value;
      else (container as Record<string, KeyValueNode>)[part as string] = value;
      return true;
    }
    const wantArray = typeof path[i + 1] === 'number';
    let next: KeyValueNode | undefined = current;
    if (next === undefined) {
      next = wantArray ? [] : {};
      if (isArray) (container as KeyValueNode[])[part as number] = next;
      else (container as Record<string, KeyValueNode>)[part as string] = next;
    }
    if (!isContainer(next) || Array.isArray(next) !== wantArray) return false;
    container = next;
  }
  return true;
}

/**
 * Parses a Dahua `key=value` body: lines split on `\r\n` or `\n`, each split at its FIRST `=` (values
 * may contain `=`), keys like `items[0].Events[0]` expanded into nested objects/arrays. Tolerant:
 * malformed keys, shape conflicts (`a=1` then `a.b=2`) and absurd indexes stay in `flat` only.
 */
export function parseKeyValueBody(body: string): KeyValueBody {
  const flat = new Map<string, string>();
  const data: Record<string, KeyValueNode> = {};
  const unparsed: string[] = [];
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  for (const rawLine of text.split(/\r\n|\n|\r/)) {
    if (rawLine.trim() === '') continue;
    const eq = rawLine.indexOf('=');
    if (eq <= 0) {
      unparsed.push(rawLine.trim());
      continue;
    }
    const key = rawLine.slice(0, eq).trim();
    const value = rawLine.slice(eq + 1);
    if (key === '') {
      unparsed.push(rawLine.trim());
      continue;
    }
    flat.set(key, value);
    const path = parseKeyPath(key);
    if (path) assignPath(data, path, value);
  }
  return { flat, data, unparsed };
}

const ERROR_TEXTS: ReadonlyArray<[RegExp, AmcrestErrorCode]> = [
  [/bad\s*request/i, 'ERR_AMCREST_BAD_REQUEST'],
  [/not\s*implemented/i, 'ERR_AMCREST_NOT_IMPLEMENTED'],
  [/invalid\s*authority/i, 'ERR_AMCREST_INVALID_AUTHORITY'],
];

/**
 * Recognises the camera's error bodies (`Error\r\nBad Request!`, also sent with status 200 by some
 * firmware) and maps them to an error code; undefined when the body is not an error body.
 */
export function classifyErrorBody(body: string): { code: AmcrestErrorCode; text: string } | undefined {
  const lines = body
    .replace(/^\ufeff/, '')
    .split(/\r\n|\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0 || !/^error\b/i.test(lines[0] as string)) return undefined;
  // `Error` alone on the first line, or `Error: ...` — even when the text goes on with an `=`
  // (`Error: Error -1 getting param in name=Lighting[0][0]`); never a key=value line whose key is
  // `Error` or starts with it (`ErrorCode=...`: the `\b` above already fails there).
  if (/^error\s*=/i.test(lines[0] as string)) return undefined;
  const text = lines.join(' ').slice(0, 200);
  for (const [pattern, code] of ERROR_TEXTS) {
    if (pattern.test(text)) return { code, text };
  }
  return { code: 'ERR_AMCREST_BAD_RESPONSE', text };
}

/** The code for a non-2xx status without a recognisable body. */
export function codeForStatus(status: number): AmcrestErrorCode {
  if (status === 400) return 'ERR_AMCREST_BAD_REQUEST';
  if (status === 501) return 'ERR_AMCREST_NOT_IMPLEMENTED';
  if (status === 401 || status === 403) return 'ERR_AMCREST_INVALID_AUTHORITY';
  return 'ERR_AMCREST_HTTP_STATUS';
}

/**
 * Checks a camera answer: throws an {@link AmcrestError} for an error body (whatever the status) or a
 * non-2xx status, else returns the parsed body.
 */
export function checkCameraBody(body: string, status: number, url: string): KeyValueBody {
  const classified = classifyErrorBody(body);
  if (classified) {
    throw new AmcrestError(`[GET] "${url}": ${status} ${classified.text}`, { code: classified.code, url, status, body: classified.text });
  }
  if (status < 200 || status >= 300) {
    const snippet = body.trim().slice(0, 200);
    throw new AmcrestError(`[GET] "${url}": ${status}${snippet ? ` ${snippet}` : ''}`, { code: codeForStatus(status), url, status, body: snippet });
  }
  return parseKeyValueBody(body);
}
