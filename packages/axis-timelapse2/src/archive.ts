import { PLAUSIBLE_SIZE_MAX, isPlausibleSize, isPlausibleTimeMs } from '@camdl/internal';
import type { TimelapseApi } from './api.js';
import { TimelapseError } from './errors.js';

/** One archive as listed by the camera. Unknown extra fields are kept in `raw`. */
export interface TimelapseArchive {
  /** Profile id (shared by many archives on Timelapse2); the export id on TimelapseMe. */
  id: string;
  /** The unique key of an archive and the name it is requested by. */
  filename: string;
  /**
   * Listed size in bytes. Timelapse 3.x: the real file size. Timelapse2 1.x: the JPEG payload only
   * (the file is about `size + 24 * frames + 248` bytes), so never compare a file with it.
   */
  size: number | undefined;
  frames: number | undefined;
  fps: number | undefined;
  /** First frame, ms since the epoch (undefined when unknown: missing, or 0 as 3.x lists migrated AVIs it found unindexed). */
  first: number | undefined;
  /** Last frame, ms since the epoch (undefined when unknown, as `first`). */
  last: number | undefined;
  /** The whole entry as the camera sent it. */
  raw: Record<string, unknown>;
}

export interface ArchiveListParseResult {
  archives: TimelapseArchive[];
  /** Entries dropped or fields ignored, for a CLI to print. */
  warnings: string[];
}

export interface ArchiveListParseContext {
  api: TimelapseApi;
  /** For error messages (without credentials). */
  url?: string | undefined;
  contentType?: string | undefined;
  /** This computer's clock (ms since the epoch), for the plausible range of `first`/`last`. @default Date.now() */
  now?: number | undefined;
}

/** The most frames one archive may list: a frame a second for 68 years. */
const MAX_FRAMES = 2 ** 31;
/** The highest frame rate a listing may state. */
const MAX_FPS = 1000;

/**
 * Validates a listing body: a bare JSON array of objects. Throws `ERR_TIMELAPSE_BAD_RESPONSE` on an
 * HTML page (a login or error page), non-JSON or another shape. Entries without a usable `filename`
 * (and on TimelapseMe without `id`, as the seed tool did) are dropped with a warning; duplicate
 * file names keep the first entry; unknown fields are tolerated.
 */
export function parseArchiveList(body: string, context: ArchiveListParseContext): ArchiveListParseResult {
  const where = { url: context.url };
  // A UTF-8 byte order mark, and NULs or blanks after the JSON (C apps that send strlen + 1 bytes).
  // eslint-disable-next-line no-control-regex
  const text = body.replace(/^\uFEFF/, '').replace(/[\s\u0000]+$/, '');
  const trimmed = text.trimStart();
  if (/html/i.test(context.contentType ?? '') || /^<(!doctype|html|head|body|\?xml)/i.test(trimmed)) {
    throw new TimelapseError('expected a JSON list of archives, got an HTML page (a login or error page?)', { code: 'ERR_TIMELAPSE_BAD_RESPONSE', ...where });
  }
  const warnings: string[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // A complete array followed by something else (a debug line, a second document): keep the array.
    const end = trimmed.startsWith('[') ? endOfFirstValue(trimmed) : undefined;
    const parsed = end === undefined ? undefined : tryParse(trimmed.slice(0, end));
    if (!Array.isArray(parsed)) {
      throw new TimelapseError(`expected a JSON list of archives, got invalid JSON: ${snippet(text)}`, { code: 'ERR_TIMELAPSE_BAD_RESPONSE', ...where, cause: error });
    }
    warnings.push(`the archive list is followed by ${trimmed.length - end!} unexpected characters: ignored`);
    data = parsed;
  }
  if (isEmptyObject(data)) {
    // Some app builds answer `{}` (an empty cJSON object) when no archive exists yet.
    warnings.push('the camera sent {} instead of a list of archives: taken as no archives');
    data = [];
  }
  if (!Array.isArray(data)) {
    throw new TimelapseError(`expected a JSON array of archives, got ${describe(data)}`, { code: 'ERR_TIMELAPSE_BAD_RESPONSE', ...where });
  }
  const archives: TimelapseArchive[] = [];
  const seen = new Set<string>();
  data.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      warnings.push(`archive list entry ${index} is ${describe(entry)}, not an object: ignored`);
      return;
    }
    const raw = entry as Record<string, unknown>;
    const filename = raw['filename'];
    if (typeof filename !== 'string' || filename === '') {
      warnings.push(`archive list entry ${index} has no filename: ignored`);
      return;
    }
    const id = typeof raw['id'] === 'string' || typeof raw['id'] === 'number' ? String(raw['id']) : undefined;
    if (context.api === 'timelapseme' && (id === undefined || id === '')) {
      warnings.push(`archive ${JSON.stringify(filename)} has no id: ignored`);
      return;
    }
    // TimelapseMe downloads by id + file: there two archives may share a file name.
    const key = context.api === 'timelapseme' ? archiveKey({ id: id ?? '', filename }) : filename;
    if (seen.has(key)) {
      warnings.push(`archive ${JSON.stringify(filename)} is listed twice: the second entry is ignored`);
      return;
    }
    seen.add(key);
    const number = (key: string, plausible: (value: number) => boolean, range: string): number | undefined => {
      const value = raw[key];
      if (value === undefined || value === null) return undefined;
      const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(parsed) || parsed < 0) {
        warnings.push(`archive ${JSON.stringify(filename)}: ${key} ${JSON.stringify(value)} is not a number: ignored`);
        return undefined;
      }
      // 0 is how 3.x lists the times of an AVI it migrated without an index entry: unknown, not a bad value.
      if (parsed === 0 && (key === 'first' || key === 'last')) return undefined;
      if (plausible(parsed)) return parsed;
      warnings.push(`archive ${JSON.stringify(filename)}: ${key} ${JSON.stringify(value)} is not plausible (${range}): ignored`);
      return undefined;
    };
    const now = context.now ?? Date.now();
    const time = (key: string): number | undefined => number(key, (value) => isPlausibleTimeMs(value, now), 'a time from 1990 to 10 years from now, in ms');
    archives.push({
      id: id ?? '',
      filename,
      size: number('size', isPlausibleSize, `bytes, at most ${PLAUSIBLE_SIZE_MAX} (1 TiB)`),
      frames: number('frames', (value) => Number.isInteger(value) && value <= MAX_FRAMES, `a whole number up to ${MAX_FRAMES}`),
      fps: number('fps', (value) => value <= MAX_FPS, `at most ${MAX_FPS}`),
      // Timelapse 3.x lists an AVI it migrated without an index entry with `first`/`last` 0
      // (migration.c `scan_unindexed_archives`): unknown times, not 1970.
      first: time('first'),
      last: time('last'),
      raw,
    });
  });
  if (archives.length === 0 && data.length > 0) {
    // Not an empty camera: a camera with nothing to offer sends `[]`. Exit codes must tell the two apart.
    throw new TimelapseError(
      `none of the ${data.length} entries of the archive list is usable (${warnings[0] ?? 'no filename'}${warnings.length > 1 ? `, and ${warnings.length - 1} more` : ''})`,
      { code: 'ERR_TIMELAPSE_BAD_RESPONSE', ...where },
    );
  }
  return { archives, warnings };
}

/** A key unique per archive on every API (TimelapseMe may list one file name under two ids). */
export function archiveKey(archive: Pick<TimelapseArchive, 'id' | 'filename'>): string {
  return `${archive.id}\u0000${archive.filename}`;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Index just after the first complete JSON array/object at the start of `text`, or undefined. */
function endOfFirstValue(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') depth += 1;
    else if (char === ']' || char === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 60)}…` : flat);
}
