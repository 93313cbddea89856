import { execFileSync } from 'node:child_process';

/** A media file's duration in seconds, as ffprobe reads its container (ffprobe on PATH). */
export function probeSeconds(path: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim());
}
