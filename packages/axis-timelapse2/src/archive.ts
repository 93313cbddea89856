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
  /** First frame, ms since the epoch. */
  first: number | undefined;
  /** Last frame, ms since the epoch. */
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
}

/**
 * Validates a listing body: a bare JSON array of objects. Throws `ERR_TIMELAPSE_BAD_RESPONSE` on an
 * HTML page (a login or error page), non-JSON or another shape. Entries without a usable `filename`
 * (and on TimelapseMe without `id`, as the seed tool did) are dropped with a warning; duplicate
 * file names keep the first entry; unknown fields are tolerated.
 */
export function parseArchiveList(body: string, context: ArchiveListParseContext): ArchiveListParseResult {
  const where = { url: context.url };
  const trimmed = body.trimStart();
  if (/html/i.test(context.contentType ?? '') || /^<(!doctype|html|head|body|\?xml)/i.test(trimmed)) {
    throw new TimelapseError('ERR_TIMELAPSE_BAD_RESPONSE', 'expected a JSON list of archives, got an HTML page (a login or error page?)', where);
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new TimelapseError('ERR_TIMELAPSE_BAD_RESPONSE', `expected a JSON list of archives, got invalid JSON: ${snippet(body)}`, { ...where, cause: error });
  }
  if (!Array.isArray(data)) {
    throw new TimelapseError('ERR_TIMELAPSE_BAD_RESPONSE', `expected a JSON array of archives, got ${describe(data)}`, where);
  }
  const archives: TimelapseArchive[] = [];
  const warnings: string[] = [];
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
    const number = (key: string): number | undefined => {
      const value = raw[key];
      if (value === undefined || value === null) return undefined;
      const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (Number.isFinite(parsed) && parsed >= 0) return parsed;
      warnings.push(`archive ${JSON.stringify(filename)}: ${key} ${JSON.stringify(value)} is not a number: ignored`);
      return undefined;
    };
    archives.push({
      id: id ?? '',
      filename,
      size: number('size'),
      frames: number('frames'),
      fps: number('fps'),
      first: number('first'),
      last: number('last'),
      raw,
    });
  });
  return { archives, warnings };
}

/** A key unique per archive on every API (TimelapseMe may list one file name under two ids). */
export function archiveKey(archive: Pick<TimelapseArchive, 'id' | 'filename'>): string {
  return `${archive.id}\u0000${archive.filename}`;
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
