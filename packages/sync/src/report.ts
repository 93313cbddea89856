import { PLAUSIBLE_TIME_AHEAD_MS, PLAUSIBLE_TIME_MIN_MS } from '@camdl/internal';
import type { FleetConfig } from './config.js';
import { coverageDays, dayOf, DAY_STATES, isAtRisk, recorderOf, type AtRiskInput, type DayState } from './coverage-days.js';
import { formatBytes } from './format-bytes.js';
import { wallClockIn } from './layout.js';
import { Ledger, ledgerInternals, type LedgerRecording } from './ledger.js';
import { CopyLedger } from './ledger-copies.js';
import { calendarSvg, DAY_CLASS } from './report-calendar.js';
import { DAY_COLOURS, DAY_LABELS, escapeHtml, REPORT_SCRIPT, reportCss, scriptJson } from './report-html.js';
import { stripDays, type StripDay } from './report-strips.js';
import { describeAgo, MARK_SYMBOL, verdictLine, type CameraVerdictLine } from './report-verdict.js';
import { atRiskOfHorizon, describeHorizon, type ChannelHorizon } from './overwrite-horizon.js';
import type { CameraConcern } from './status-verdict.js';
import { ledgerStatus, type CameraStatus, type CameraVerdict, type LedgerStatusOptions } from './status.js';

/** How a day of the calendar is drawn: the {@link DayState}s of `coverageDays`. */
export type CoverageState = DayState;

/** Colours of the report's day states (also in its legend); distinct for colour-blind readers too. */
export const COVERAGE_COLOURS: Record<CoverageState, string> = DAY_COLOURS;

export interface CoverageReportOptions {
  /** Page title. @default 'camdl coverage' */
  title?: string;
  /** Time the report was made (shown on the page, and the end of the calendars). @default Date.now() */
  now?: number;
  /**
   * Which pending recordings of a camera channel the camera may overwrite before camdl fetches them
   * (its overwrite horizon, or ledger ids); they are drawn and counted `at risk`.
   * @default no recording is at risk
   */
  atRiskOf?: (camera: string, channel: number) => AtRiskInput | undefined;
  /** A reachable camera with nothing new for this long is silent. @default the config's `camera-silent-after` (2 days) */
  silentAfterMs?: number;
}

/** The most recordings of one kind the page names per camera (the rest are counted). */
const NAMED_PER_CAMERA = 10;

/**
 * The coverage report as one self-contained HTML page (inline SVG, CSS and script; nothing loaded
 * from elsewhere; readable without the script and on paper): the fleet verdict first, then per
 * camera and channel a calendar of days coloured by state, and a day's 24-hour strip on a click or a
 * `#camera/YYYY-MM-DD` anchor.
 */
export function renderCoverageReport(config: FleetConfig, options: CoverageReportOptions = {}): string {
  const ledger = Ledger.open(config.ledger, { readOnly: true });
  try {
    const settings = { silentAfterMs: config.alerts.cameraSilentAfterMs, ...options, now: options.now ?? Date.now() };
    const cameras = ledgerStatus(ledger, config.cameras, { ...statusOptions(settings), bandwidthMbps: config.bandwidthMbps });
    const zoneOf = (camera: string): string => config.cameras.find((candidate) => candidate.name === camera)?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    return reportHtml(config.archive, zoneOf, [{ site: undefined, cameras, ledger }], settings);
  } finally {
    ledger.close();
  }
}

/**
 * The report of many sites (`camdl report --target NAME`): one page, a heading per site, read from
 * each site's ledger (a snapshot from the target). Times are shown in this computer's zone (the
 * sites' configs are not at hand).
 */
export function renderSitesReport(where: string, sites: ReadonlyArray<{ site: string; ledger: Ledger | undefined; error: string | undefined }>, options: CoverageReportOptions = {}): string {
  const settings = { ...options, now: options.now ?? Date.now() };
  const groups = sites.map((site) => ({
    site: site.site === '' ? '(root)' : site.site,
    error: site.error,
    cameras: site.ledger ? ledgerStatus(site.ledger, new CopyLedger(site.ledger).cameras(), statusOptions(settings)) : [],
    ledger: site.ledger,
  }));
  return reportHtml(where, () => Intl.DateTimeFormat().resolvedOptions().timeZone, groups, { title: 'camdl coverage of every site', ...settings });
}

/** What the status the page shows is decided with: the page's instant, silence and at-risk input. */
function statusOptions(options: CoverageReportOptions): LedgerStatusOptions {
  return { now: options.now ?? Date.now(), ...(options.silentAfterMs === undefined ? {} : { silentAfterMs: options.silentAfterMs }), atRiskOf: options.atRiskOf };
}

/** Per target: verified, pending, failing and conflicting copies of a camera's recordings. */
function copiesTable(camera: CameraStatus): string {
  if (camera.copies.length === 0) return '';
  const rows = camera.copies.map(
    (copy) =>
      `<tr data-target="${escapeHtml(copy.target)}"><td>${escapeHtml(copy.target)}</td><td class="n" data-col="verified">${copy.verified}</td><td class="n" data-col="pending">${copy.pending}</td><td class="n" data-col="failing">${copy.failing}</td><td class="n" data-col="conflict">${copy.conflict}</td><td>${copy.oldestPendingMs === undefined ? '—' : `${new Date(copy.oldestPendingMs).toISOString().replace('T', ' ').slice(0, 19)} UTC`}</td></tr>`,
  );
  return `<table class="copies"><thead><tr><th>copies on</th><th>verified</th><th>pending</th><th>of them failing</th><th>conflict</th><th>oldest pending since</th></tr></thead><tbody>${rows.join('')}</tbody></table>${camera.offsiteOnly > 0 ? `<p class="meta">${camera.offsiteOnly} recording(s) kept on the targets only (keep-local)</p>` : ''}`;
}

interface ReportGroup {
  /** The site's heading; undefined for the local archive. */
  site: string | undefined;
  error?: string | undefined;
  cameras: readonly CameraStatus[];
  ledger: Ledger | undefined;
}

/** What the page's script needs of a camera: its key, name, zone and per channel the strips of its days. */
interface CameraData {
  k: string;
  n: string;
  z: string;
  c: Array<{ l: string; d: Record<string, StripDay> }>;
}

/** A camera's part of the page and its line of the fleet verdict. */
interface CameraPart {
  key: string;
  site: string | undefined;
  camera: CameraStatus;
  verdict: CameraVerdictLine;
  html: string;
  data: CameraData;
}

function channelLabel(camera: CameraStatus, channel: number): string {
  return camera.kind === 'amcrest' ? `channel ${channel}` : camera.channels.length > 1 ? `channel ${channel}` : 'archives';
}

/** Up to {@link NAMED_PER_CAMERA} recordings named, the rest counted. */
function namedList(kind: string, rows: readonly LedgerRecording[], total: number, zone: string): string {
  if (total === 0) return '';
  const items = rows.map(
    (row) =>
      `<li>${escapeHtml(row.remoteKey)} (${escapeHtml(wallClockIn(row.startMs, zone))} → ${escapeHtml(wallClockIn(row.endMs, zone))})${row.lastError ? ` — ${escapeHtml(row.lastError)}` : ''}</li>`,
  );
  if (total > rows.length) items.push(`<li>and ${total - rows.length} more</li>`);
  return `<p class="meta"><b class="${kind === 'pending' ? 'warn' : 'fail'}">${total} ${kind}</b>:</p><ul class="named" data-kind="${kind}">${items.join('')}</ul>`;
}

/** What the camera held when last listed and when it overwrites the oldest pending recording. */
function horizonLine(horizon: ChannelHorizon | undefined): string {
  if (horizon === undefined) return '';
  const eta = horizon.etaMs === undefined ? '' : ` data-eta-ms="${Math.round(horizon.etaMs)}"`;
  return `<p class="meta horizon${horizon.atRisk ? ' fail' : ''}" data-col="overwrite-eta"${eta}>${escapeHtml(describeHorizon(horizon))}</p>`;
}

function cameraPart(group: ReportGroup, camera: CameraStatus, zone: string, range: { startMs: number; endMs: number }, options: CoverageReportOptions, now: number): CameraPart {
  const key = group.site === undefined ? camera.name : `${group.site}:${camera.name}`;
  const firstDay = dayOf(range.startMs, zone);
  const lastDay = dayOf(range.endMs, zone);
  const named: Record<'lost' | 'at risk' | 'pending', { rows: LedgerRecording[]; total: number }> = { lost: { rows: [], total: 0 }, 'at risk': { rows: [], total: 0 }, pending: { rows: [], total: 0 } };
  const channelHtml: string[] = [];
  const data: CameraData = { k: key, n: camera.name, z: zone, c: [] };
  for (const channel of camera.channels) {
    const rows = group.ledger ? [...group.ledger.recordingsOf(camera.name, channel.channel)] : [];
    // The overwrite horizon the status derived from the ledger, unless the caller says otherwise.
    const input = options.atRiskOf?.(camera.name, channel.channel) ?? atRiskOfHorizon(channel.horizon);
    for (const row of rows) {
      const kind = row.state === 'lost' ? 'lost' : row.state === 'listed' || row.state === 'downloaded' ? (isAtRisk(row, input) ? 'at risk' : 'pending') : undefined;
      if (kind === undefined) continue;
      named[kind].total += 1;
      if (named[kind].rows.length < NAMED_PER_CAMERA) named[kind].rows.push(row);
    }
    const coverage = coverageDays(rows, { timeZone: zone, firstDay, lastDay, recorder: recorderOf(camera.kind), atRisk: input });
    const label = channelLabel(camera, channel.channel);
    const counts = DAY_STATES.filter((state) => coverage.counts[state] > 0 && state !== 'before-known').map((state) => `${coverage.counts[state]} ${DAY_LABELS[state]}`);
    const gaps = coverage.gaps.length === 0 ? '' : ` · <b class="fail">${coverage.gaps.reduce((sum, gap) => sum + gap.days, 0)} missed day(s)</b>: ${coverage.gaps.slice(0, 5).map((gap) => (gap.firstDay === gap.lastDay ? gap.firstDay : `${gap.firstDay} – ${gap.lastDay}`)).join(', ')}${coverage.gaps.length > 5 ? ` and ${coverage.gaps.length - 5} more` : ''}`;
    channelHtml.push(
      `<div class="channel" data-channel="${channel.channel}"><h3>${escapeHtml(label)} <small class="meta">${channel.files} files, ${formatBytes(channel.bytes)}</small></h3>${calendarSvg(coverage.days, `${camera.name} ${label}: days`)}<p class="meta">days: ${counts.join(', ') || 'none'}${gaps}</p>${horizonLine(channel.horizon)}</div>`,
    );
    data.c.push({ l: label, d: stripDays(rows, coverage.days, zone, input) });
  }
  const verdict = verdictLine(camera, now);
  const lastSync = camera.lastSuccessMs === undefined ? 'never synced' : `last successful sync ${wallClockIn(camera.lastSuccessMs, 'UTC')} UTC (${describeAgo(camera.lastSuccessMs, now)})`;
  const lastRun = camera.lastRun && camera.lastRun.status !== 'ok' ? ` · last run ${escapeHtml(camera.lastRun.status)}${camera.lastRun.error ? `: ${escapeHtml(camera.lastRun.error)}` : ''}` : '';
  const html = `<section class="camera" id="camera-${escapeHtml(key)}" data-camera="${escapeHtml(camera.name)}" data-key="${escapeHtml(key)}"${group.site !== undefined ? ` data-site="${escapeHtml(group.site)}"` : ''}>
<h2><span class="mark ${verdict.mark}">${MARK_SYMBOL[verdict.mark]}</span> ${escapeHtml(camera.name)} <small>${escapeHtml(camera.kind)} · ${escapeHtml(zone)} · ${lastSync}${lastRun}</small></h2>
${verdict.problems.length > 0 ? `<p class="${verdict.mark}">${escapeHtml(verdict.problems.join('; '))}</p>` : ''}
${camera.channels.length === 0 ? '<p class="meta">nothing listed yet</p>' : channelHtml.join('\n')}
<div class="strip" hidden></div>
${namedList('lost', named.lost.rows, named.lost.total, zone)}${namedList('at risk', named['at risk'].rows, named['at risk'].total, zone)}${namedList('pending', named.pending.rows, named.pending.total, zone)}
${copiesTable(camera)}</section>`;
  return { key, site: group.site, camera, verdict, html, data };
}

function fleetLine(part: CameraPart, now: number): string {
  const { camera, verdict } = part;
  const name = part.site === undefined ? camera.name : `${part.site} ${camera.name}`;
  const last = camera.lastSuccessMs === undefined ? 'never' : `${wallClockIn(camera.lastSuccessMs, 'UTC').slice(0, 16)} UTC (${describeAgo(camera.lastSuccessMs, now)})`;
  // Every copy is verified, pending (the failing ones among them) or in conflict: counted once each.
  const copies = camera.copies.map((copy) => `${escapeHtml(copy.target)} ${copy.verified}/${copy.verified + copy.pending + copy.conflict}`).join(', ');
  return `<tr data-camera="${escapeHtml(camera.name)}" data-mark="${verdict.mark}"><td class="mark ${verdict.mark}">${MARK_SYMBOL[verdict.mark]}</td><td><a href="#camera-${escapeHtml(encodeURIComponent(part.key))}">${escapeHtml(name)}</a></td><td>${last}</td><td class="n" data-col="pending">${verdict.pending}</td><td class="n" data-col="lost">${verdict.lost}</td><td class="n" data-col="at-risk">${verdict.atRisk}</td><td>${copies || '—'}</td><td class="${verdict.mark}">${escapeHtml(verdict.problems.join('; ')) || 'all archived'}</td></tr>`;
}

/** The page's one line: everything fine, or which cameras need what. */
function pageVerdict(parts: readonly CameraPart[]): { mark: CameraVerdict; text: string } {
  const needing = parts.filter((part) => part.verdict.mark !== 'ok');
  if (parts.length === 0) return { mark: 'warn', text: 'No camera in the ledger yet.' };
  if (needing.length === 0) return { mark: 'ok', text: `All ${parts.length} camera(s) archived and verified: nothing failing, silent, pending or lost.` };
  const mark: CameraVerdict = needing.some((part) => part.verdict.mark === 'fail') ? 'fail' : 'warn';
  const worst = [...needing].sort((a, b) => (a.verdict.mark === b.verdict.mark ? 0 : a.verdict.mark === 'fail' ? -1 : 1));
  const named = worst.slice(0, 6).map((part) => `${part.camera.name}: ${part.verdict.problems.join(', ')}`);
  const concerned = (kind: CameraConcern['kind']) => parts.filter((part) => part.camera.concerns.some((concern) => concern.kind === kind)).length;
  const failing = concerned('failed-runs');
  const silent = concerned('silent');
  const counts = [failing > 0 ? `${failing} failing` : '', silent > 0 ? `${silent} silent` : ''].filter(Boolean).join(', ');
  return { mark, text: `${needing.length} of ${parts.length} camera(s) need attention${counts ? ` (${counts})` : ''} — ${named.join('; ')}${worst.length > 6 ? `; and ${worst.length - 6} more` : ''}.` };
}

function legendHtml(): string {
  const states = DAY_STATES.map((state) => `<span class="key" data-state="${state}"><i class="sw ${DAY_CLASS[state]}"></i>${DAY_LABELS[state]}</span>`).join('');
  const marks = (['ok', 'warn', 'fail'] as const).map((mark) => `<span class="key"><b class="${mark}">${MARK_SYMBOL[mark]}</b> ${mark === 'ok' ? 'all archived' : mark === 'warn' ? 'pending, lost, missed days, copies behind or never synced' : 'failing, silent or at risk'}</span>`).join('');
  return `<div class="legend">${states}<span class="key" data-state="gap"><i class="sw n g"></i>missed day (no archive where the camera's cadence expects one)</span>${marks}</div>`;
}

/**
 * The earliest start and latest end of the recordings with plausible times. A ledger an older camdl
 * filled from a hostile listing may hold times like 1e300: such a row is named in the lists, but the
 * calendars span the plausible rows only, up to today (or a camera clock set ahead).
 */
function plausibleSpan(ledger: Ledger, now: number): { startMs: number; endMs: number } | undefined {
  const row = ledgerInternals(ledger)
    .statement(`SELECT MIN(start_ms) AS start_ms, MAX(end_ms) AS end_ms FROM recordings WHERE start_ms BETWEEN ? AND ? AND end_ms BETWEEN ? AND ?`)
    .get(PLAUSIBLE_TIME_MIN_MS, now + PLAUSIBLE_TIME_AHEAD_MS, PLAUSIBLE_TIME_MIN_MS, now + PLAUSIBLE_TIME_AHEAD_MS);
  const startMs = row?.['start_ms'];
  const endMs = row?.['end_ms'];
  return typeof startMs === 'number' && typeof endMs === 'number' ? { startMs, endMs } : undefined;
}

function reportHtml(archive: string, zoneOf: (camera: string) => string, groups: readonly ReportGroup[], options: CoverageReportOptions): string {
  const now = options.now ?? Date.now();
  const title = options.title ?? 'camdl coverage';
  const spans = groups.map((group) => (group.ledger ? plausibleSpan(group.ledger, now) : undefined)).filter((span) => span !== undefined);
  const startMs = Math.min(now, spans.length > 0 ? Math.min(...spans.map((span) => span.startMs)) : now);
  const endMs = Math.max(now, spans.length > 0 ? Math.max(...spans.map((span) => span.endMs)) : now);
  const sections: string[] = [];
  const parts: CameraPart[] = [];
  for (const group of groups) {
    if (group.site !== undefined) sections.push(`<h2 class="site" data-site="${escapeHtml(group.site)}">Site ${escapeHtml(group.site)}</h2>${group.error ? `<p class="verdict warn">its ledger snapshot could not be read: ${escapeHtml(group.error)}</p>` : ''}`);
    for (const camera of group.cameras) {
      const part = cameraPart(group, camera, zoneOf(camera.name), { startMs, endMs }, options, now);
      parts.push(part);
      sections.push(part.html);
    }
  }
  const verdict = pageVerdict(parts);
  const hasCopies = parts.some((part) => part.camera.copies.length > 0);
  const fleet = `<table class="fleet"><thead><tr><th></th><th>camera</th><th>last successful sync</th><th>pending</th><th>lost</th><th>at risk</th><th>${hasCopies ? 'copies (verified/all)' : 'copies'}</th><th>needs attention</th></tr></thead><tbody>${parts.map((part) => fleetLine(part, now)).join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${reportCss(DAY_CLASS)}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Archive ${escapeHtml(archive)} · made ${wallClockIn(now, 'UTC')} UTC · calendars and strips in camera time · click a day for its 24 hours</p>
<p class="verdict ${verdict.mark}"><span class="mark">${MARK_SYMBOL[verdict.mark]}</span> ${escapeHtml(verdict.text)}</p>
${fleet}
${legendHtml()}
${sections.join('\n')}
<script type="application/json" id="camdl-days">${scriptJson(parts.map((part) => part.data))}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}
