const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The UTC offset of `timeZone` at an instant, in seconds (east positive). The film's stamp adds it to
 * each frame's instant and prints the sum as UTC: the camera's time whatever the computer's zone is.
 * Throws a `RangeError` for a zone this Node does not know.
 */
export function utcOffsetSeconds(instantMs: number, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(new Date(instantMs)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  // `GMT` for UTC itself, else `GMT+05:30` / `GMT-03:00` (seconds only for historical zones).
  const match = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -seconds : seconds;
}
