import { createHash } from 'node:crypto';
import { archiveKey, type TimelapseArchive } from './archive.js';

/** The name used when nothing usable is left of a remote name (the seed tool's last resort). */
export const FALLBACK_FILE_NAME = 'download.bin';

/**
 * Longest local name, in UTF-8 bytes: most file systems accept 255, and the download engine also
 * creates `<name>.part.json` (10 bytes more) next to the file.
 */
export const MAX_NAME_BYTES = 255 - '.part.json'.length;

// Windows forbids <>:"/\|?* and control characters; C1 controls are replaced too.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/gu;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)\s*(\..*)?$/iu;

/**
 * A local file name for a remote archive name that is safe on Linux, macOS and Windows: no path
 * separators or `..`, no characters Windows forbids (`<>:"/\|?*`, controls) — each becomes `_` —,
 * no leading dots (hidden files) and no trailing dots or spaces, no reserved device names
 * (`CON`, `NUL`, `COM1`…, also with an extension: prefixed with `_`), at most {@link MAX_NAME_BYTES}
 * UTF-8 bytes (245, so that `<name>.part.json` still fits in 255; the extension is kept). Unicode is
 * normalised to NFC. Returns {@link FALLBACK_FILE_NAME} only when nothing is left.
 */
export function toSafeFileName(name: string): string {
  let safe = name.replace(/[\uD800-\uDFFF]/g, (unit, offset: number, whole: string) => (isPaired(whole, offset) ? unit : '_')).normalize('NFC').replace(FORBIDDEN, '_');
  safe = safe.replace(/^[\s.]+/u, (lead: string) => (lead.trim() === '' ? '' : '_'));
  safe = safe.replace(/[\s.]+$/u, '');
  // Nothing but separators, dots and forbidden characters: no information left.
  if (/^_*$/.test(safe)) return FALLBACK_FILE_NAME;
  safe = truncateUtf8(safe, MAX_NAME_BYTES);
  return RESERVED.test(safe) ? `_${truncateUtf8(safe, MAX_NAME_BYTES - 1)}` : safe;
}

function isPaired(text: string, offset: number): boolean {
  const code = text.charCodeAt(offset);
  if (code <= 0xdbff) return (text.charCodeAt(offset + 1) & 0xfc00) === 0xdc00;
  return offset > 0 && (text.charCodeAt(offset - 1) & 0xfc00) === 0xd800;
}

/** Cuts a name to `maxBytes` of UTF-8, keeping its extension and never splitting a character. */
function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = name.slice(0, name.length - extension.length);
  const budget = maxBytes - Buffer.byteLength(extension, 'utf8');
  let bytes = 0;
  let kept = '';
  for (const char of stem) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    kept += char;
  }
  return `${kept.replace(/[\s.]+$/u, '')}${extension}`;
}

/** The grouping key for names that one file system would treat as the same file. */
function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** `name (tag).ext`, within the length limit. */
function withTag(name: string, tag: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const stem = name.slice(0, name.length - extension.length);
  const suffix = ` (${tag})${extension}`;
  return `${truncateUtf8(stem, MAX_NAME_BYTES - Buffer.byteLength(suffix, 'utf8'))}${suffix}`;
}

/**
 * Local names for a set of archives, distinct even on case-insensitive file systems and
 * deterministic: the result for an archive depends only on the archives in the list, not on their
 * order. When several archives map to the same safe name, the one whose name needed no change keeps
 * it (or, when all changed, the first in code-point order of id + name); each other one gets a tag
 * from a hash of its id and remote name: `North_Gate (3f2a9c1b).avi`, so re-runs find the same files
 * again and skip them. The map is keyed by {@link archiveKey}.
 */
export function assignLocalNames(archives: Iterable<Pick<TimelapseArchive, 'id' | 'filename'>>): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const archive of archives) byKey.set(archiveKey(archive), archive.filename);
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groups = new Map<string, string[]>();
  const safeOf = new Map<string, string>();
  for (const key of keys) {
    const safe = toSafeFileName(byKey.get(key)!);
    safeOf.set(key, safe);
    const group = groups.get(collisionKey(safe));
    if (group) group.push(key);
    else groups.set(collisionKey(safe), [key]);
  }
  const result = new Map<string, string>();
  const taken = new Set<string>();
  const losers: string[] = [];
  for (const group of groups.values()) {
    const keeper = group.find((key) => safeOf.get(key) === byKey.get(key)) ?? group[0]!;
    const safe = safeOf.get(keeper)!;
    result.set(keeper, safe);
    taken.add(collisionKey(safe));
    for (const key of group) if (key !== keeper) losers.push(key);
  }
  for (const key of losers) {
    const digest = createHash('sha256').update(key, 'utf8').digest('hex');
    let length = 8;
    let name = withTag(safeOf.get(key)!, digest.slice(0, length));
    while (taken.has(collisionKey(name)) && length < digest.length) {
      length += 4;
      name = withTag(safeOf.get(key)!, digest.slice(0, length));
    }
    taken.add(collisionKey(name));
    result.set(key, name);
  }
  return result;
}
