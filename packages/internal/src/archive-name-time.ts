import { parseWallClock, wallMsToInstant } from './wall-clock.js';

/**
 * The `_YYYY_MM_DD_HHMM` the Timelapse apps put at the end of an archive's name (before an optional
 * `_N` copy number and the extension): the camera's local time when the archive was started.
 */
const ARCHIVE_NAME_TIME = /_(\d{4})_(\d{2})_(\d{2})_(\d{2})(\d{2})(?:_\d+)?(?:\.[A-Za-z0-9]+)?$/;

/**
 * When a Timelapse archive was started, from the date in its name read as wall-clock time in
 * `timeZone` (see `wall-clock.ts` for the repeated and skipped hours), or undefined when the name
 * carries no date or an impossible one.
 */
export function archiveNameTime(filename: string, timeZone: string): number | undefined {
  const match = ARCHIVE_NAME_TIME.exec(filename);
  if (!match) return undefined;
  const wall = parseWallClock(`${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:00`);
  return wall === undefined ? undefined : wallMsToInstant(wall, timeZone);
}
