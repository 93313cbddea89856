import { apiBasePath, type QuerySpelling, type TimelapseApi } from './api.js';
import type { TimelapseArchive } from './archive.js';
import { TimelapseError } from './errors.js';

/** What to request for one archive. */
export interface ArchiveRequest {
  /** The URL as any WHATWG/undici client normalises it: printable, and what to pass to `download()`. */
  url: string;
  /**
   * The request-target (path + query) to send on the wire instead of the normalised one, as a
   * latin1 string of the raw bytes. Only set on Timelapse2 1.x when the normalised form differs.
   */
  rawTarget: string | undefined;
  /** The URL as really requested, for humans (1.x: the raw name, not the re-encoded `url`). */
  displayUrl: string;
}

/**
 * Characters a Timelapse2 1.x name cannot contain to be requested at all. 1.x compares the raw query
 * text with the file name (it never percent-decodes), and takes the value up to the next `&`:
 * - `&` ends the parameter value, and `%26` is compared literally, so no spelling works;
 * - `#` starts the URL fragment (never sent), and `%23` is compared literally;
 * - the ASCII space and control characters are not allowed in an HTTP request line (and `%20` is literal).
 */
// Only ASCII space and controls: other Unicode spaces (U+00A0, U+3000…) are multi-byte UTF-8 that a
// request line carries as it carries any non-ASCII letter (the app turns only ' ' into '_').
// eslint-disable-next-line no-control-regex
const V1_UNREQUESTABLE = /[&#\u0000-\u0020\u007f]/u;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Why a name cannot be requested from an app that compares the raw query text, or undefined when it can. */
function rawQueryUnsupportedReason(filename: string, app: string): string | undefined {
  if (!isWellFormed(filename)) return 'contains an invalid Unicode sequence';
  const match = V1_UNREQUESTABLE.exec(filename);
  if (!match) return undefined;
  const char = match[0];
  const shown = char === '&' || char === '#' ? `"${char}"` : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `contains ${shown}, which ${app} cannot match (it compares the raw, undecoded query text; rename the profile on the camera)`;
}

/** Why a 1.x name cannot be requested, or undefined when it can. */
export function timelapse2V1UnsupportedReason(filename: string): string | undefined {
  return rawQueryUnsupportedReason(filename, 'Timelapse2 1.x');
}

/** Why a name cannot be requested from Timelapse 3.0.0–3.1.2 (raw query text), or undefined when it can. */
export function timelapse3RawUnsupportedReason(filename: string): string | undefined {
  return timelapse3UnsupportedReason(filename) ?? rawQueryUnsupportedReason(filename, 'Timelapse 3.0.0–3.1.2');
}

/** Why a 3.x name is refused by the camera, or undefined when it is fine. */
export function timelapse3UnsupportedReason(filename: string): string | undefined {
  if (!isWellFormed(filename)) return 'contains an invalid Unicode sequence';
  if (/[/\\]/.test(filename)) return 'contains a path separator, which Timelapse 3.x refuses';
  // storage.c `storage_name_is_safe` (3.1.3+): bytes below 0x20 (DEL passes).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(filename)) return 'contains a control character, which Timelapse 3.x refuses';
  return undefined;
}

/**
 * The query value for a Timelapse2 1.x file name: the name itself, byte for byte (UTF-8), since the
 * camera compares the raw query text. Throws `ERR_TIMELAPSE_UNSUPPORTED_NAME` for names no spelling
 * can reach (see {@link timelapse2V1UnsupportedReason}).
 */
export function timelapse2V1QueryValue(filename: string): string {
  const reason = timelapse2V1UnsupportedReason(filename);
  if (reason !== undefined) {
    throw new TimelapseError(`archive ${JSON.stringify(filename)} ${reason}`, { code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME', filename });
  }
  return filename;
}

/**
 * Percent-encodes like Python's `urllib.parse.quote(text)` (the seed tool's encoding of `file`): UTF-8,
 * everything but `A-Z a-z 0-9 _ . - ~` and `/` escaped, space as `%20`.
 */
export function pythonQuote(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/**
 * Builds the download (`GET`) or delete (`DELETE`) request of an archive.
 * - Timelapse 3.1.3+ (`spelling: 'encoded'`, the default): `download?filename=` +
 *   `encodeURIComponent(name)` (those versions decode parameters).
 * - Timelapse2 1.x, and 3.0.0–3.1.2 with `spelling: 'raw'`: the raw name in the query (see
 *   {@link timelapse2V1QueryValue}); `rawTarget` then carries the exact bytes for the wire, since URL
 *   parsers would re-encode `'` and non-ASCII.
 * - TimelapseMe: `archives?export=<id>&file=<name>` encoded exactly as the seed tool did (Python's
 *   `urllib.parse.quote`, see {@link pythonQuote}); no delete.
 */
export function buildArchiveRequest(
  baseUrl: URL,
  api: TimelapseApi,
  archive: Pick<TimelapseArchive, 'id' | 'filename'>,
  kind: 'download' | 'delete' = 'download',
  spelling: QuerySpelling = api === 'timelapse2-v1' ? 'raw' : 'encoded',
): ArchiveRequest {
  const base = new URL(apiBasePath(api), baseUrl);
  const { filename } = archive;
  const unsupported = (reason: string): TimelapseError =>
    new TimelapseError(`archive ${JSON.stringify(filename)} ${reason}`, { code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME', filename });
  const endpoint = kind === 'download' ? 'download' : 'archive';
  if (api === 'timelapseme') {
    if (kind === 'delete') {
      throw new TimelapseError('the TimelapseMe app cannot delete archives', { code: 'ERR_TIMELAPSE_UNSUPPORTED_OPERATION', filename });
    }
    if (!isWellFormed(filename) || !isWellFormed(archive.id)) throw unsupported('contains an invalid Unicode sequence');
    const url = new URL(`archives?export=${pythonQuote(archive.id)}&file=${pythonQuote(filename)}`, base);
    return { url: url.href, rawTarget: undefined, displayUrl: url.href };
  }
  if (api === 'timelapse3' && spelling === 'encoded') {
    const reason = timelapse3UnsupportedReason(filename);
    if (reason !== undefined) throw unsupported(reason);
    const href = new URL(`${endpoint}?filename=${encodeURIComponent(filename)}`, base).href;
    return { url: href, rawTarget: undefined, displayUrl: href };
  }
  if (api === 'timelapse3') {
    const reason = timelapse3RawUnsupportedReason(filename);
    if (reason !== undefined) throw unsupported(reason);
  }
  const value = api === 'timelapse3' ? filename : timelapse2V1QueryValue(filename);
  const url = new URL(`${endpoint}?filename=${value}`, base);
  const normalised = `${url.pathname}${url.search}`;
  const raw = Buffer.from(`${url.pathname}?filename=${value}`, 'utf8').toString('latin1');
  return { url: url.href, rawTarget: raw === normalised ? undefined : raw, displayUrl: `${url.origin}${url.pathname}?filename=${value}` };
}
