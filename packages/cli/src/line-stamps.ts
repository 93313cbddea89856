import { formatInstant } from './format.js';

/**
 * Whether each human line starts with the time: `--timestamps`/`--no-timestamps` when given, else
 * `CAMDL_TIMESTAMPS` (`1` on, `0` off), else when the human lines do not go to a terminal (cron mail,
 * log files). One decision for the run: stdout and stderr lines are stamped alike.
 */
export function wantTimestamps(flag: boolean | undefined, humanStream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  const setting = env['CAMDL_TIMESTAMPS'];
  if (setting === '1' || setting === '0') return setting === '1';
  return !humanStream.isTTY;
}

/**
 * How a renderer ends its human lines: `text` (one line or several, without the final newline) with a
 * final newline, and with stamps on, the time of `now()` and a space before each of its lines.
 */
export function lineFormatter(stamps: boolean, now: () => number = Date.now): (text: string) => string {
  if (!stamps) return (text) => `${text}\n`;
  return (text) => {
    const stamp = formatInstant(now());
    return `${text
      .split('\n')
      .map((line) => `${stamp} ${line}`)
      .join('\n')}\n`;
  };
}

/**
 * The clock of this process's stamps, or undefined while its lines are not stamped. Only `camdl` turns
 * stamps on: `timelapse2-dl` and `amcrest-dl` keep the seed tools' lines exactly.
 */
let stampClock: (() => number) | undefined;

/**
 * Turns time stamps on or off for every human line this process prints through {@link writeLines} (the
 * error of the one top-level catch, the lines of every command). `camdl` decides once at its start,
 * and a command that has a say in it (`sync --no-timestamps`) decides again after parsing its flags.
 */
export function setLineStamps(on: boolean, now: () => number = Date.now): void {
  stampClock = on ? now : undefined;
}

/** Whether this process stamps its human lines (see {@link setLineStamps}). */
export function lineStampsOn(): boolean {
  return stampClock !== undefined;
}

/** Writes `text` (one line or several, without the final newline) as this process prints human lines: stamped when stamps are on. */
export function writeLines(stream: NodeJS.WritableStream, text: string): void {
  stream.write(lineFormatter(stampClock !== undefined, stampClock)(text));
}
