import { instantToWallClock } from '@camdl/internal';
import { isCamdlFileName } from './archive-files.js';

const PLACEHOLDERS = ['camera', 'channel', 'yyyy', 'mm', 'dd', 'hh', 'file'] as const;

/** What a layout template is filled with. */
export interface LayoutValues {
  camera: string;
  channel: number;
  /** The start of the recording in camera wall-clock time, `YYYY-MM-DD HH:MM:SS`. */
  cameraStart: string;
  /** A safe file name (no separators). */
  file: string;
}

/** Why a layout template is unusable, or undefined when it is fine. */
export function validateLayout(template: string): string | undefined {
  if (!template.includes('{file}')) return 'must contain {file}';
  if (template.startsWith('/') || /^[A-Za-z]:/.test(template)) return 'must be relative to the archive';
  if (template.includes('\\')) return 'use / between folders';
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1] ?? '')) return `unknown placeholder {${match[1]}} (known: ${PLACEHOLDERS.map((name) => `{${name}}`).join(' ')})`;
  }
  const segments = template.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return 'empty, "." or ".." folder in the path';
  if (segments[0] === '.camdl') return '.camdl is camdl\'s own folder';
  if (!segments[segments.length - 1]?.includes('{file}')) return '{file} must be in the last part';
  return undefined;
}

/** A value made safe as (part of) one path component. */
function component(value: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = value.replace(/[<>:"/\\|?*\u0000-\u001f\u007f]/g, '_');
  return safe === '.' || safe === '..' ? '_' : safe;
}

/**
 * The archive-relative path (always `/`-separated) of a recording. A file name camdl uses for its own
 * files in a folder (`SHA256SUMS`, hidden names) gets a leading `_`: a recording never shares a path
 * with them, and the name stays the same on every run.
 */
export function renderLayout(template: string, values: LayoutValues): string {
  return outsideCamdlFiles(renderTemplate(template, values));
}

/** `path` with its last part renamed (a leading `_`) when it is one of camdl's own file names. */
export function outsideCamdlFiles(path: string): string {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  return isCamdlFileName(name) ? `${path.slice(0, slash + 1)}_${name}` : path;
}

function renderTemplate(template: string, values: LayoutValues): string {
  const [date = '', time = ''] = values.cameraStart.split(' ');
  const [yyyy = '0000', mm = '00', dd = '00'] = date.split('-');
  const hh = time.slice(0, 2) || '00';
  const map: Record<(typeof PLACEHOLDERS)[number], string> = {
    camera: component(values.camera),
    channel: String(values.channel),
    yyyy,
    mm,
    dd,
    hh,
    file: component(values.file),
  };
  return template.replace(/\{([a-z]+)\}/g, (_whole, name: string) => map[name as (typeof PLACEHOLDERS)[number]] ?? '');
}

/** The largest distance from the epoch a `Date` can hold (±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

/**
 * Camera wall-clock `YYYY-MM-DD HH:MM:SS` of an instant in an IANA zone; `invalid time (…)` for a
 * value no date can hold (a row a hostile camera left in an older ledger), so that no report or
 * message ever throws on one.
 */
export function wallClockIn(ms: number, timeZone: string): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return `invalid time (${ms})`;
  return instantToWallClock(ms, timeZone);
}
