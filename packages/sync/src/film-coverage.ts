import { existsSync } from 'node:fs';
import { isPlausibleTimeMs } from '@camdl/internal';
import { dirname, join, resolve } from 'node:path';
import { archivePath } from './archive-files.js';
import { Ledger } from './ledger.js';

/** Where `camdl sync` keeps its ledger inside an archive. */
const DEFAULT_LEDGER = join('.camdl', 'ledger.sqlite');

/**
 * The ledger of the `camdl sync` archive that holds `folder` (the archive itself or any folder in it),
 * found at `<archive>/.camdl/ledger.sqlite` from `folder` upwards; undefined for a plain folder.
 */
export function findArchiveLedger(folder: string): string | undefined {
  let current = resolve(folder);
  for (;;) {
    const candidate = join(current, DEFAULT_LEDGER);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The real time one archived file covers (its recording's first and last instants), and its camera. */
export interface ArchivedCoverage {
  first: Date;
  last: Date;
  /** The camera's name in the config. */
  camera: string;
}

/**
 * What each archived file of a sync archive covers, by absolute path, from its ledger: for Timelapse
 * the listing's `first`/`last` frame times, for Amcrest the recording's start and end. This is what
 * orders a project film (`createFilm`'s `coverage`): never the file name, whose date is the next day's
 * for a midnight archive. Reads the ledger's archived rows one at a time.
 */
export function archivedCoverage(ledgerPath: string): Map<string, ArchivedCoverage> {
  const archive = dirname(dirname(resolve(ledgerPath)));
  const ledger = Ledger.open(ledgerPath, { readOnly: true });
  try {
    const coverage = new Map<string, ArchivedCoverage>();
    for (const file of ledger.archivedFiles()) {
      // A time no camera can have recorded (a row an older camdl took from a hostile listing) says
      // nothing: the film then reads the file's time from its name or the file itself.
      if (!isPlausibleTimeMs(file.startMs)) continue;
      const last = isPlausibleTimeMs(file.endMs) ? Math.max(file.startMs, file.endMs) : file.startMs;
      coverage.set(archivePath(archive, file.localPath), { first: new Date(file.startMs), last: new Date(last), camera: file.camera });
    }
    return coverage;
  } finally {
    ledger.close();
  }
}
