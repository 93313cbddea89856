import { describeHorizon, silentText, type ArchiveGap, type CameraConcern, type CameraStatus, type CameraVerdict, type FleetStatus, type StripState } from '@camdl/sync';
import { formatBytes, formatInstant } from './format.js';
import { escapeTerminal } from './terminal-text.js';

export interface StatusRenderOptions {
  /** The instant ages are measured from. */
  now: number;
  /** Marks and the strip in Unicode (`✓`, `█`), or plain ASCII. */
  unicode: boolean;
  /** Per channel counts, the gaps named and the copies per target. @default false */
  verbose?: boolean;
}

/** The characters of the strip, one per camera day, in the legend's order (worst first). */
export const STRIP_CHARACTERS: Readonly<Record<StripState, { unicode: string; ascii: string; meaning: string }>> = {
  lost: { unicode: '✗', ascii: 'X', meaning: 'lost' },
  missing: { unicode: '○', ascii: 'o', meaning: 'no archive (the camera\'s cadence expected one)' },
  'at-risk': { unicode: '▲', ascii: '^', meaning: 'at risk' },
  pending: { unicode: '▒', ascii: '+', meaning: 'pending' },
  archived: { unicode: '█', ascii: '#', meaning: 'archived' },
  'not-recorded': { unicode: '·', ascii: '.', meaning: 'not recorded' },
  'before-known': { unicode: ' ', ascii: ' ', meaning: '(blank) before camdl knew the camera' },
};

const MARKS: Readonly<Record<CameraVerdict, { unicode: string; ascii: string }>> = {
  ok: { unicode: '✓', ascii: 'OK  ' },
  warn: { unicode: '⚠', ascii: 'WARN' },
  fail: { unicode: '✗', ascii: 'FAIL' },
};

/**
 * Unicode unless `NO_COLOR` is set or the locale is not UTF-8 (`LC_ALL`, then `LC_CTYPE`, then `LANG`,
 * as the C library reads them): a terminal that cannot show `█` gets `#`.
 */
export function wantsUnicode(env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  return /utf-?8/i.test(locale);
}

/** One format for every instant of the output: ISO 8601 in UTC to the second (`2026-03-02T10:00:00Z`). */
export function statusTime(ms: number | undefined): string {
  if (ms === undefined) return 'never';
  return formatInstant(ms).replace(/\.\d{3}Z$/, 'Z');
}

/** `3.2 h` under two days, `4.0 d` above. */
export function statusAge(ms: number, now: number): string {
  const hours = Math.max(0, now - ms) / 3_600_000;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} d`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function dayList(days: readonly string[]): string {
  const shown = days.slice(0, 5).map(escapeTerminal).join(', ');
  return days.length > 5 ? `${shown} and ${days.length - 5} more` : shown;
}

function concernText(concern: CameraConcern, now: number, stripDays: number): string | undefined {
  switch (concern.kind) {
    case 'failed-runs':
      return `last run failed${concern.error ? `: ${escapeTerminal(concern.error)}` : ''}${concern.runs > 1 ? ` (${concern.runs} failed runs in a row)` : ''}`;
    case 'never-synced':
      return 'never synced';
    case 'silent':
      return silentText(concern, now);
    case 'lost':
      return concern.days.length > 0 ? `lost on ${dayList(concern.days)}` : `${concern.recordings} lost before the last ${stripDays} days`;
    case 'at-risk':
      return `${plural(concern.recordings, 'recording')} at risk of being overwritten`;
    case 'missing':
      return `no archive on ${dayList(concern.days)}`;
    // Pending recordings and copies are in the line's counts already.
    case 'pending':
    case 'copies':
      return undefined;
  }
}

function copiesText(camera: CameraStatus): string {
  if (camera.copies.length === 0) return '';
  const parts = camera.copies.map((copy) => {
    const extra = [copy.pending > 0 ? `${copy.pending} pending` : '', copy.conflict > 0 ? `${copy.conflict} conflict` : ''].filter(Boolean).join(', ');
    return `${escapeTerminal(copy.target)} ${copy.verified}${extra ? ` (${extra})` : ''}`;
  });
  return `; copies ${parts.join(', ')}`;
}

/** The pending recordings a camera's channels say are at risk, when the status carries that figure. */
function atRiskOf(camera: CameraStatus): number | undefined {
  let total: number | undefined;
  for (const channel of camera.channels) if (channel.atRisk !== undefined) total = (total ?? 0) + channel.atRisk;
  return total;
}

/** `✗ gate (timelapse): last successful sync … (2.0 d ago); pending 3, lost 1; last run failed: …` */
export function verdictLine(camera: CameraStatus, options: StatusRenderOptions): string {
  const mark = MARKS[camera.verdict][options.unicode ? 'unicode' : 'ascii'];
  const pending = camera.channels.reduce((sum, channel) => sum + channel.pending, 0);
  const lost = camera.channels.reduce((sum, channel) => sum + channel.lost, 0);
  const atRisk = atRiskOf(camera);
  const last = camera.lastSuccessMs === undefined ? 'never' : `${statusTime(camera.lastSuccessMs)} (${statusAge(camera.lastSuccessMs, options.now)} ago)`;
  const concerns = camera.concerns.map((concern) => concernText(concern, options.now, camera.strip.length)).filter((text) => text !== undefined);
  return `${mark} ${escapeTerminal(camera.name)} (${escapeTerminal(camera.kind)}): last successful sync ${last}; pending ${pending}, lost ${lost}${atRisk ? `, at risk ${atRisk}` : ''}${copiesText(camera)}${concerns.map((text) => `; ${text}`).join('')}`;
}

/** The camera's strip: one character per day, oldest first, today last. */
export function stripText(camera: CameraStatus, unicode: boolean): string {
  return camera.strip.map((day) => STRIP_CHARACTERS[day.state][unicode ? 'unicode' : 'ascii']).join('');
}

/** The legend of the strip's characters. */
export function stripLegend(unicode: boolean): string {
  return Object.values(STRIP_CHARACTERS)
    .map((entry) => (entry.unicode === ' ' ? entry.meaning : `${unicode ? entry.unicode : entry.ascii} ${entry.meaning}`))
    .join('  ');
}

function gapText(gap: ArchiveGap): string {
  const days = gap.firstDay === gap.lastDay ? gap.firstDay : `${gap.firstDay} .. ${gap.lastDay}`;
  if (gap.reason === 'missing') return `no archive ${days} (${plural(gap.days, 'day')} without the archive the camera's cadence expected)`;
  return `${gap.reason} ${days} (${plural(gap.recordings, 'recording')})`;
}

const CADENCES: Readonly<Record<number, string>> = { 1: 'daily', 7: 'weekly', 14: 'fortnightly' };

/** How many gaps of a channel the details name; `camdl report` shows every one. */
const GAPS_NAMED = 10;

function detailLines(camera: CameraStatus, now: number): string[] {
  const out: string[] = [];
  // Every string read back from the ledger may hold what a camera sent (an error body): escaped.
  out.push(
    `${escapeTerminal(camera.name)} (${escapeTerminal(camera.kind)}): last successful sync ${statusTime(camera.lastSuccessMs)}${camera.lastRun && camera.lastRun.status !== 'ok' ? `; last run ${escapeTerminal(camera.lastRun.status)}${camera.lastRun.error ? `: ${escapeTerminal(camera.lastRun.error)}` : ''}` : ''}${camera.failedRuns > 0 ? ` (${plural(camera.failedRuns, 'failed run')} in a row)` : ''}`,
  );
  if (camera.channels.length === 0) out.push('  nothing listed yet');
  for (const channel of camera.channels) {
    const days = channel.days.length === 0 ? '0 days' : `${plural(channel.days.length, 'day')} (${escapeTerminal(channel.days[0] ?? '')} .. ${escapeTerminal(channel.days[channel.days.length - 1] ?? '')})`;
    const cadence = channel.periodDays === undefined ? '' : `, ${CADENCES[channel.periodDays] ?? `every ${channel.periodDays} days`}`;
    out.push(
      `  ${camera.kind === 'timelapse' ? 'archives' : `channel ${channel.channel}`}: ${channel.files} files, ${formatBytes(channel.bytes)}, ${days}${cadence}, gaps ${channel.gaps.length}, pending ${channel.pending}, lost ${channel.lost}, failing ${channel.failing}${channel.atRisk === undefined ? '' : `, at risk ${channel.atRisk}`}`,
    );
    if (channel.horizon) out.push(`    horizon: ${escapeTerminal(describeHorizon(channel.horizon, { time: statusTime }))}`);
    for (const gap of channel.gaps.slice(0, GAPS_NAMED)) out.push(`    ${gapText(gap)}`);
    if (channel.gaps.length > GAPS_NAMED) out.push(`    … ${channel.gaps.length - GAPS_NAMED} more gaps (camdl report shows them all)`);
  }
  const reasons = camera.lostReasons;
  if (reasons.overwritten + reasons.deleted > 0) {
    out.push(`  lost: ${reasons.overwritten} overwritten by the camera, ${reasons.deleted} deleted from the middle of what it held${reasons.unknown > 0 ? `, ${reasons.unknown} earlier` : ''}`);
  }
  out.push(...copyLines(camera, now));
  return out;
}

/** The per-target lines of a camera: verified / pending / failing copies and the age of the oldest pending. */
export function copyLines(camera: CameraStatus, now: number): string[] {
  const lines = camera.copies.map(
    (copy) =>
      `  copies on ${escapeTerminal(copy.target)}: verified ${copy.verified}, pending ${copy.pending}, failing ${copy.failing}${copy.conflict > 0 ? `, conflict ${copy.conflict}` : ''}${copy.oldestPendingMs !== undefined ? `, oldest pending ${statusAge(copy.oldestPendingMs, now)}` : ''}`,
  );
  if (camera.offsiteOnly > 0) lines.push(`  kept on the targets only (keep-local): ${camera.offsiteOnly}`);
  return lines;
}

/** `camdl status` for a person: the verdict per camera, the 30-day strips and their legend, then (verbose) the details. */
export function renderFleetStatus(status: Pick<FleetStatus, 'cameras'>, options: StatusRenderOptions): string[] {
  if (status.cameras.length === 0) return ['No camera in the config.'];
  const out = status.cameras.map((camera) => verdictLine(camera, options));
  const width = Math.max(...status.cameras.map((camera) => escapeTerminal(camera.name).length));
  const range = (camera: CameraStatus) => (camera.strip.length === 0 ? '' : `${camera.strip[0]!.day} .. ${camera.strip.at(-1)!.day}`);
  const first = range(status.cameras[0]!);
  out.push('', `Last ${status.cameras[0]!.strip.length} days (${first}, camera days, today at the right):`);
  for (const camera of status.cameras) {
    const own = range(camera);
    out.push(`  ${escapeTerminal(camera.name).padEnd(width)}  ${stripText(camera, options.unicode)}${own === first ? '' : `  ${own}`}`);
  }
  out.push(`  ${stripLegend(options.unicode)}`);
  if (options.verbose) for (const camera of status.cameras) out.push('', ...detailLines(camera, options.now));
  return out;
}
