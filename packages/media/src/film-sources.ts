import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { MediaError } from './errors.js';

/** Where a source's time span came from, best first. */
export type CoverageOrigin = 'given' | 'listing' | 'name' | 'mtime';

/** The real time one archive or recording covers. */
export interface Coverage {
  /** First frame (instant, or camera wall clock as UTC when `wallClock`). */
  first: Date;
  /** Last frame; `undefined` when only the start is known (then the media's own duration counts). */
  last: Date | undefined;
  /** The times are camera wall-clock readings stored as UTC (Amcrest names), not instants. @default false */
  wallClock?: boolean;
  /** The camera that recorded it, when known (a sync ledger knows): what `camera` matches first. @default unknown */
  camera?: string | undefined;
}

/** A file to put in the film, with the time it covers. */
export interface FilmSource extends Coverage {
  path: string;
  origin: CoverageOrigin;
}

const MEDIA_EXTENSIONS = new Set(['.avi', '.mp4', '.mkv', '.mov', '.dav']);

/** `2026-01-16_20.00.00-20.08.00_ch1.mp4` (what `amcrest-dl` names parts): camera wall-clock start and end. */
const AMCREST_NAME = /^(\d{4}-\d{2}-\d{2})_(\d{2})\.(\d{2})\.(\d{2})-(\d{2})\.(\d{2})\.(\d{2})(?:_ch\d+)?\.(?:mp4|dav)$/i;

/** Reads the camera wall-clock span from an `amcrest-dl` part name (midnight-crossing parts end the next day). */
export function coverageFromAmcrestName(name: string): Coverage | undefined {
  const match = AMCREST_NAME.exec(name);
  if (!match) return undefined;
  const [, day, h1, m1, s1, h2, m2, s2] = match;
  const first = new Date(`${day}T${h1}:${m1}:${s1}Z`);
  let last = new Date(`${day}T${h2}:${m2}:${s2}Z`);
  if (Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) return undefined;
  if (last < first) last = new Date(last.getTime() + 86_400_000);
  return { first, last, wallClock: true };
}

interface ListingEntry {
  filename: string;
  first: number;
  last: number;
}

function listingEntries(value: unknown): ListingEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is ListingEntry =>
      typeof entry === 'object' && entry !== null && typeof (entry as ListingEntry).filename === 'string' && Number.isFinite((entry as ListingEntry).first) && Number.isFinite((entry as ListingEntry).last),
  );
}

async function walk(directory: string, found: { media: string[]; json: string[] }, depth: number): Promise<void> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new MediaError(`cannot read the folder ${directory}: ${(error as Error).message}`, { code: 'ERR_MEDIA_UNREADABLE', path: directory, cause: error });
  }
  for (const entry of entries) {
    // Hidden folders hold work in progress (`.amcrest_download/`, `.camdl-merge-*`); `.part` files are incomplete.
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (depth < 6) await walk(path, found, depth + 1);
    } else if (entry.isFile()) {
      const extension = extname(entry.name).toLowerCase();
      if (MEDIA_EXTENSIONS.has(extension) && !/\.part\.|\.tmp\./i.test(entry.name)) found.media.push(path);
      else if (extension === '.json') found.json.push(path);
    }
  }
}

/** A camera name as folder and file names spell it: spaces as `_`, any case. */
function cameraKey(name: string): string {
  return name.replaceAll(' ', '_').toLowerCase();
}

export interface FindFilmSourcesOptions {
  /** Only this camera: a folder of that name in the path, or a file name starting with `<camera>_` (spaces as `_`). @default all */
  camera?: string | undefined;
  /**
   * Known spans (e.g. from the `camdl sync` ledger), by path (as found, or absolute) or file name; they
   * win over everything else. @default undefined
   */
  coverage?: ReadonlyMap<string, Coverage> | undefined;
}

/**
 * Lists the archives and recordings under a folder with the time each covers: given spans (a ledger)
 * first, then a Timelapse listing saved as JSON in the folder (`[{ filename, first, last }]`), then an
 * `amcrest-dl` part name, then the file's modification time. Never a Timelapse file name: a midnight
 * archive carries the next day's date.
 */
export async function findFilmSources(folder: string, options: FindFilmSourcesOptions = {}): Promise<FilmSource[]> {
  const info = await stat(folder).catch((error: unknown) => {
    throw new MediaError(`no such folder: ${folder}`, { code: 'ERR_MEDIA_UNREADABLE', path: folder, cause: error });
  });
  const found = { media: [] as string[], json: [] as string[] };
  if (info.isDirectory()) await walk(folder, found, 0);
  else found.media.push(folder);
  const listing = new Map<string, Coverage>();
  for (const path of found.json) {
    try {
      for (const entry of listingEntries(JSON.parse(await readFile(path, 'utf8')))) {
        listing.set(entry.filename, { first: new Date(entry.first), last: new Date(entry.last) });
      }
    } catch {
      // not a listing
    }
  }
  const camera = options.camera === undefined ? undefined : cameraKey(options.camera);
  const sources: FilmSource[] = [];
  for (const path of found.media) {
    const name = basename(path);
    const given = options.coverage?.get(path) ?? options.coverage?.get(resolve(path)) ?? options.coverage?.get(name);
    if (camera) {
      if (given?.camera !== undefined) {
        if (cameraKey(given.camera) !== camera) continue;
      } else {
        const segments = path.split(/[\\/]/);
        const inFolder = segments.slice(0, -1).some((segment) => cameraKey(segment) === camera);
        if (!inFolder && !name.toLowerCase().startsWith(`${camera}_`)) continue;
      }
    }
    if (given) {
      sources.push({ path, ...given, origin: 'given' });
      continue;
    }
    const listed = listing.get(name);
    if (listed) {
      sources.push({ path, ...listed, origin: 'listing' });
      continue;
    }
    const fromName = coverageFromAmcrestName(name);
    if (fromName) {
      sources.push({ path, ...fromName, origin: 'name' });
      continue;
    }
    const { mtimeMs } = await stat(path);
    // A file is written when its recording ends: the modification time is its last frame.
    sources.push({ path, first: new Date(mtimeMs), last: undefined, origin: 'mtime' });
  }
  return sources;
}
