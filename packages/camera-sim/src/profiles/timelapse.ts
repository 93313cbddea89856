import type { BodySource, SimArchive } from '../content.js';
import { isTimelapse3Profile, type NormalizedOptions } from '../options.js';
import { decodedQuery, latin1ToUtf8, percentDecode, rawQueryPairs, reply, replyFile, type RequestContext } from '../request-context.js';
import type { ProfileHandler, RouteMatch } from './profile-handler.js';

export interface ArchiveEntry {
  archive: SimArchive;
  source: BodySource;
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' };

/** ACAP error: FastCGI `Status: <code> Client|Server Error`, text/plain message. */
function acapError(context: RequestContext, status: number, message: string): Promise<void> {
  return reply(context, status, message, { 'Content-Type': 'text/plain' }, status < 500 ? 'Client Error' : 'Server Error');
}

/** The raw (undecoded) value of the first `name=` parameter, as the ACAP's own parser reads it. */
function rawParam(rawQuery: string, name: string): string | undefined {
  return rawQueryPairs(rawQuery).find(([key]) => key === name)?.[1];
}

function listEntry(archive: SimArchive, version: 'v1' | 'v3' | 'me'): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: archive.id,
    filename: archive.filename,
    size: archive.listedSize,
    frames: archive.frames,
    fps: archive.fps,
    first: archive.first,
    last: archive.last,
  };
  if (version === 'v3') {
    entry['sourceSize'] = archive.migrated ? Math.round(archive.size * 1.6) : archive.size;
    entry['container'] = 'mp4';
    entry['codec'] = 'h264';
    if (archive.migrated) {
      entry['migrated'] = true;
      entry['sourceContainer'] = 'avi';
    }
  }
  return entry;
}

function hasForbiddenCharacters(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[/\\\x00-\x1f\x7f]/.test(name);
}

interface ByteRange {
  start: number;
  end: number;
}

/** Parses a single `bytes=` range; 'invalid' for unsatisfiable, undefined when absent/ignored. */
function parseRange(header: string | undefined, size: number): ByteRange | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from, to] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'invalid';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

/** `3.1.2` → [3, 1, 2]; undefined when the text is no version. */
function versionParts(text: string): [number, number, number] | undefined {
  const match = /^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function atLeast(version: [number, number, number], floor: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== floor[i]) return version[i]! > floor[i]!;
  return true;
}

/**
 * What a Timelapse 3.x version does (pandosme/Timelapse3 history): query parameters are decoded from
 * 3.1.3 on (before, the raw query text is compared, as on 1.x); Range is served from 3.1.1 on. An
 * unreadable or empty version behaves as the newest.
 */
export function timelapse3Behaviour(version: string): { decodesQuery: boolean; ranges: boolean } {
  const parts = versionParts(version);
  if (parts === undefined) return { decodesQuery: true, ranges: true };
  return { decodesQuery: atLeast(parts, [3, 1, 3]), ranges: atLeast(parts, [3, 1, 1]) };
}

/** Timelapse2 1.x, Timelapse 3.x and the legacy TimelapseMe ACAP. */
export function createTimelapseProfile(options: NormalizedOptions, entries: ArchiveEntry[]): ProfileHandler {
  const version = options.profile === 'timelapse2-v1' ? 'v1' : isTimelapse3Profile(options.profile) ? 'v3' : 'me';
  const v3 = version === 'v3' ? timelapse3Behaviour(options.timelapse.version) : undefined;
  const base = version === 'me' ? '/local/timelapseme/' : '/local/timelapse2/';
  let startingLeft = version === 'v3' ? options.timelapse.startingRequests : 0;

  const appInfo = (): Record<string, unknown> => ({
    manifest: { acapPackageConf: { setup: { appName: version === 'me' ? 'timelapseme' : 'timelapse2', version: options.timelapse.version } } },
    settings: { archiveSize: 1440, archiveSplit: 'day', retentionMonths: 1 },
  });

  /** v1 compares the raw query text with the UTF-8 bytes of the filename. */
  const findRaw = (raw: string): ArchiveEntry | undefined => {
    const bytes = Buffer.from(raw, 'latin1');
    return entries.find(({ archive }) => Buffer.from(archive.filename, 'utf8').equals(bytes));
  };
  const findDecoded = (name: string): ArchiveEntry | undefined => entries.find(({ archive }) => archive.filename === name);

  const route = (method: string, path: string, rawQuery: string): RouteMatch | undefined => {
    if (!path.startsWith(base)) return undefined;
    const name = path.slice(base.length);
    if (version === 'me') {
      if (name !== 'archives' && name !== 'app') return { route: name || 'root', resource: '' };
      const params = decodedQuery(rawQuery);
      const file = params?.get('file');
      if (name === 'archives' && params?.has('export')) return { route: 'export', resource: file ?? '' };
      return { route: name, resource: '' };
    }
    let resource = '';
    if (name === 'download' || (name === 'archive' && method === 'DELETE')) {
      const raw = rawParam(rawQuery, 'filename');
      resource = raw === undefined ? '' : (percentDecode(latin1ToUtf8(raw)) ?? latin1ToUtf8(raw));
    }
    return { route: name || 'root', resource };
  };

  const handle = async (context: RequestContext, match: RouteMatch): Promise<void> => {
    if (startingLeft > 0) {
      startingLeft--;
      return acapError(context, 503, 'Service is still starting');
    }
    const { method } = context;
    if (version === 'me') return handleMe(context, match);
    switch (match.route) {
      case 'archive':
        if (method === 'GET') {
          return reply(context, 200, JSON.stringify(entries.map(({ archive }) => listEntry(archive, version))), JSON_HEADERS);
        }
        if (method === 'DELETE') return deleteArchive(context);
        return acapError(context, 405, 'Method Not Allowed - Use GET or DELETE');
      case 'download':
        if (method !== 'GET') return acapError(context, 405, 'Method Not Allowed - Only GET supported');
        return download(context);
      case 'app':
        if (method !== 'GET') return acapError(context, 405, 'Method Not Allowed - Use GET');
        return reply(context, 200, JSON.stringify(appInfo()), JSON_HEADERS);
      case 'reset':
        // Never called by a downloader: answer like the device would refuse a non-GET, and do nothing.
        return acapError(context, 405, 'Method Not Allowed');
      default:
        return acapError(context, 404, 'Not Found');
    }
  };

  const lookup = (context: RequestContext): ArchiveEntry | 'missing' | 'bad' | undefined => {
    const raw = rawParam(context.rawQuery, 'filename');
    if (raw === undefined || raw === '') return 'missing';
    if (version === 'v1') return findRaw(raw);
    if (v3 !== undefined && !v3.decodesQuery) {
      // 3.0.0–3.1.2 compare the raw text, then refuse what 3.x always refuses.
      if (hasForbiddenCharacters(latin1ToUtf8(raw))) return 'bad';
      return findRaw(raw);
    }
    const decoded = percentDecode(latin1ToUtf8(raw));
    if (decoded === undefined || hasForbiddenCharacters(decoded)) return 'bad';
    return findDecoded(decoded);
  };

  const deleteArchive = async (context: RequestContext): Promise<void> => {
    const found = lookup(context);
    if (found === 'missing') return acapError(context, 400, 'Missing filename parameter');
    if (found === 'bad') return acapError(context, 400, 'Invalid filename');
    if (!found) return acapError(context, 404, 'File not found');
    entries.splice(entries.indexOf(found), 1);
    return reply(context, 200, 'OK', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  };

  const download = async (context: RequestContext): Promise<void> => {
    const found = lookup(context);
    if (found === 'missing') return acapError(context, 400, 'Missing filename parameter');
    if (found === 'bad') return acapError(context, 400, 'Invalid filename');
    if (!found) return acapError(context, 404, 'File not found');
    const { archive, source } = found;
    // The ACAP prints the raw filename into the header (UTF-8 bytes; node writes header strings as latin1).
    const disposition = `attachment; filename=${Buffer.from(archive.filename, 'utf8').toString('latin1')}`;
    if (version === 'v1') {
      return replyFile(context, source, 200, {
        'Content-Type': 'video/x-msvideo',
        'Content-Disposition': disposition,
        'Content-Transfer-Encoding': 'binary',
      });
    }
    const etag = `"${archive.size}-${Math.floor(archive.mtimeMs / 1000)}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': 'video/mp4',
      'Content-Disposition': disposition,
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Last-Modified': new Date(archive.mtimeMs).toUTCString(),
    };
    if (v3 !== undefined && !v3.ranges) {
      // Before 3.1.1: no Range at all (the header is ignored, the whole file comes back).
      delete headers['Accept-Ranges'];
      return replyFile(context, source, 200, headers);
    }
    const ifRange = context.request.headers['if-range'];
    const rangeAllowed = ifRange === undefined || ifRange === etag || ifRange === headers['Last-Modified'];
    const range = rangeAllowed ? parseRange(context.request.headers.range, archive.size) : undefined;
    if (range === 'invalid') {
      return reply(context, 416, '', { 'Content-Range': `bytes */${archive.size}`, 'Content-Type': 'text/plain' });
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${archive.size}`;
      return replyFile(context, source, 206, headers, range.start, range.end);
    }
    return replyFile(context, source, 200, headers);
  };

  const handleMe = async (context: RequestContext, match: RouteMatch): Promise<void> => {
    if (context.method !== 'GET') return acapError(context, 405, 'Method Not Allowed');
    if (match.route === 'app') return reply(context, 200, JSON.stringify(appInfo()), JSON_HEADERS);
    if (match.route === 'archives') {
      return reply(context, 200, JSON.stringify(entries.map(({ archive }) => ({ ...listEntry(archive, 'me'), size: archive.size }))), JSON_HEADERS);
    }
    if (match.route === 'export') {
      const params = decodedQuery(context.rawQuery);
      const id = params?.get('export');
      const file = params?.get('file');
      if (!id || !file) return acapError(context, 400, 'Missing parameter');
      const found = entries.find(({ archive }) => archive.id === id && archive.filename === file);
      if (!found) return acapError(context, 404, 'File not found');
      return replyFile(context, found.source, 200, {
        'Content-Type': 'video/x-msvideo',
        'Content-Disposition': `attachment; filename=${Buffer.from(file, 'utf8').toString('latin1')}`,
      });
    }
    return acapError(context, 404, 'Not Found');
  };

  return { route, handle, serialize: options.timelapse.concurrency };
}
