import { PLAUSIBLE_TIME_AHEAD_MS, PLAUSIBLE_TIME_MIN_MS } from '@camdl/internal';
import type { FleetConfig } from './config.js';
import { formatBytes } from './format-bytes.js';
import { wallClockIn } from './layout.js';
import { Ledger, type LedgerRecording } from './ledger.js';
import { CopyLedger } from './ledger-copies.js';
import { describeDuration } from './overwrite-horizon.js';
import { fleetStatus, ledgerStatus, type CameraStatus, type ChannelStatus } from './status.js';

/** How a stretch of a timeline is drawn. */
export type CoverageState = 'archived' | 'pending' | 'at-risk' | 'lost' | 'not-recorded';

/** Colours of the report (also in its legend); distinct for colour-blind readers too (blue/orange/red/grey). */
export const COVERAGE_COLOURS: Record<CoverageState, string> = {
  archived: '#1b7f3b',
  pending: '#e69f00',
  /** Pending footage the camera will overwrite within the risk margin or before it can be fetched. */
  'at-risk': '#cc79a7',
  lost: '#c0142b',
  'not-recorded': '#d9d9d9',
};

const WIDTH = 1100;
const LABEL_WIDTH = 170;
const ROW_HEIGHT = 26;
const AXIS_HEIGHT = 34;
/** Above this many recordings in one channel, neighbours of one state are drawn as one bar. */
const MERGE_ABOVE = 4000;
/** The most hours the axis walks: the plausible span of recording times (1990 to 10 years ahead) and some. */
const MAX_TICK_HOURS = 60 * 366 * 24;

export interface CoverageReportOptions {
  /** Page title. @default 'camdl coverage' */
  title?: string;
  /** Time the report was made (shown on the page). @default Date.now() */
  now?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `atRiskThroughMs`: pending recordings starting at or before it are at risk (the channel's overwrite horizon). */
function stateOf(row: LedgerRecording, atRiskThroughMs: number | undefined): CoverageState {
  if (row.state === 'verified' || row.state === 'deleted-on-camera') return 'archived';
  if (row.state === 'lost') return 'lost';
  return atRiskThroughMs !== undefined && row.startMs <= atRiskThroughMs ? 'at-risk' : 'pending';
}

const LOST_REASONS = { overwritten: 'overwritten by the camera (it was the oldest)', deleted: 'deleted from the middle of what the camera held' } as const;

interface Segment {
  state: CoverageState;
  startMs: number;
  endMs: number;
  title: string;
  count: number;
}

/** A channel's segments from its rows, oldest first, read one at a time (`count` rows in all). */
function segmentsOf(rows: Iterable<LedgerRecording>, count: number, timeZone: string, atRiskThroughMs: number | undefined): Segment[] {
  const rowState = (row: LedgerRecording): CoverageState => stateOf(row, atRiskThroughMs);
  const describe = (row: LedgerRecording): string => {
    const state = rowState(row);
    const size = row.localSize ?? row.remoteSize;
    return [
      `${row.remoteKey}`,
      `${wallClockIn(row.startMs, timeZone)} → ${wallClockIn(row.endMs, timeZone)} (camera time)`,
      `${state}${row.state === 'deleted-on-camera' ? ' (deleted on the camera)' : ''}${row.lostReason !== null ? ` (${LOST_REASONS[row.lostReason]})` : ''}${size !== null ? `, ${formatBytes(size)}` : ''}`,
      row.localPath ? `file: ${row.localPath}` : '',
      row.lastError && state !== 'archived' ? `last error: ${row.lastError}` : '',
    ]
      .filter(Boolean)
      .join('\n');
  };
  if (count <= MERGE_ABOVE) {
    const segments: Segment[] = [];
    for (const row of rows) segments.push({ state: rowState(row), startMs: row.startMs, endMs: Math.max(row.endMs, row.startMs), title: describe(row), count: 1 });
    return segments;
  }
  const merged: Segment[] = [];
  for (const row of rows) {
    const state = rowState(row);
    const last = merged[merged.length - 1];
    if (last && last.state === state && row.startMs - last.endMs <= 120_000) {
      last.endMs = Math.max(last.endMs, row.endMs);
      last.count += 1;
    } else {
      merged.push({ state, startMs: row.startMs, endMs: row.endMs, title: '', count: 1 });
    }
  }
  for (const segment of merged) {
    segment.title = `${segment.count} recording${segment.count === 1 ? '' : 's'}, ${segment.state}\n${wallClockIn(segment.startMs, timeZone)} → ${wallClockIn(segment.endMs, timeZone)} (camera time)`;
  }
  return merged;
}

/** Midnights (camera zone) and hours between two instants. */
function ticks(startMs: number, endMs: number, timeZone: string): { days: number[]; hours: number[] } {
  const days: number[] = [];
  const hours: number[] = [];
  const firstHour = Math.floor(startMs / 3_600_000) * 3_600_000;
  const spanHours = (endMs - startMs) / 3_600_000;
  const hourStep = spanHours <= 72 ? 1 : spanHours <= 24 * 14 ? 6 : spanHours <= 24 * 120 ? 24 : 0;
  // The span is clamped to plausible times before it gets here; the cap keeps the walk finite whatever it is given.
  const lastHour = Math.min(endMs, firstHour + MAX_TICK_HOURS * 3_600_000);
  for (let at = firstHour; at <= lastHour; at += 3_600_000) {
    if (at < startMs) continue;
    const wall = wallClockIn(at, timeZone);
    // Whole hours in zones with a 30/45-minute offset fall on :30/:45 UTC; the wall clock decides.
    const hour = Number(wall.slice(11, 13));
    if (wall.slice(14, 19) !== '00:00') continue;
    if (hour === 0) {
      days.push(at);
      // Days only (a long span): the next midnight is at least 22 hours on, whatever the DST change.
      if (hourStep === 0) at += 21 * 3_600_000;
    } else if (hourStep > 0 && hourStep < 24 && hour % hourStep === 0) hours.push(at);
  }
  return { days, hours };
}

/**
 * The coverage report as one self-contained HTML page (inline SVG and CSS, no script, no external
 * asset): a timeline per camera and channel — archived, pending, lost and not recorded in distinct
 * colours, day and hour ticks, details on hover (SVG `<title>`) — and a summary table.
 */
export function renderCoverageReport(config: FleetConfig, options: CoverageReportOptions = {}): string {
  const status = fleetStatus(config);
  const ledger = Ledger.open(config.ledger, { readOnly: true });
  try {
    // Rows are read one channel at a time, straight into segments: memory follows what is drawn.
    return reportHtml(config.archive, zoneOfConfig(config), [{ site: undefined, cameras: status.cameras, rows: { span: ledger.span(), rowsOf: (camera, channel) => ledger.recordingsOf(camera, channel) } }], options);
  } finally {
    ledger.close();
  }
}

/**
 * The report of many sites (`camdl report --target NAME`): one page, one timeline axis, a heading per
 * site, read from each site's ledger (a snapshot from the target). Times are shown in this computer's
 * zone (the sites' configs are not at hand).
 */
export function renderSitesReport(where: string, sites: ReadonlyArray<{ site: string; ledger: Ledger | undefined; error: string | undefined }>, options: CoverageReportOptions = {}): string {
  const groups = sites.map((site) => {
    const ledger = site.ledger;
    return {
      site: site.site === '' ? '(root)' : site.site,
      error: site.error,
      cameras: ledger ? ledgerStatus(ledger, new CopyLedger(ledger).cameras()) : [],
      rows: { span: ledger?.span(), rowsOf: (camera: string, channel: number) => (ledger ? ledger.recordingsOf(camera, channel) : []) },
    };
  });
  return reportHtml(where, () => Intl.DateTimeFormat().resolvedOptions().timeZone, groups, { title: 'camdl coverage of every site', ...options });
}

function zoneOfConfig(config: FleetConfig): (camera: string) => string {
  return (camera) => config.cameras.find((candidate) => candidate.name === camera)?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Per target: verified, pending, failing and conflicting copies of a camera's recordings. */
function copiesTable(camera: CameraStatus): string {
  if (camera.copies.length === 0) return '';
  const rows = camera.copies.map(
    (copy) =>
      `<tr data-target="${escapeHtml(copy.target)}"><td>${escapeHtml(copy.target)}</td><td class="n" data-col="verified">${copy.verified}</td><td class="n" data-col="pending">${copy.pending}</td><td class="n" data-col="failing">${copy.failing}</td><td class="n" data-col="conflict">${copy.conflict}</td><td>${copy.oldestPendingMs === undefined ? '—' : `${new Date(copy.oldestPendingMs).toISOString().replace('T', ' ').slice(0, 19)} UTC`}</td></tr>`,
  );
  return `<table class="copies"><thead><tr><th>copies on</th><th>verified</th><th>pending</th><th>failing</th><th>conflict</th><th>oldest pending since</th></tr></thead><tbody>${rows.join('')}</tbody></table>${camera.offsiteOnly > 0 ? `<p class="meta">${camera.offsiteOnly} recording(s) kept on the targets only (keep-local)</p>` : ''}`;
}

/** The at-risk count and the overwrite ETA of the oldest pending recording of a channel (`data-eta-ms`, `data-at-risk-through-ms` for a page that draws them). */
function horizonCells(horizon: ChannelStatus['horizon']): string {
  const eta = horizon?.etaMs;
  const etaText = eta === undefined ? '—' : eta <= 0 ? 'due now' : describeDuration(eta);
  const through = horizon?.atRiskThroughMs;
  return `<td class="n${horizon?.atRisk ? ' at-risk' : ''}" data-col="at-risk"${through === undefined ? '' : ` data-at-risk-through-ms="${through}"`}>${horizon?.atRiskCount ?? 0}</td><td data-col="overwrite-eta"${eta === undefined ? '' : ` data-eta-ms="${eta}"`}>${etaText}</td>`;
}

/** Where the report reads its rows. */
interface ReportRows {
  /** The earliest start and latest end over every recording; undefined when there is none. */
  span: { startMs: number; endMs: number } | undefined;
  /** A channel's rows, oldest first. */
  rowsOf(camera: string, channel: number): Iterable<LedgerRecording>;
}

interface ReportGroup {
  /** The site's heading; undefined for the local archive. */
  site: string | undefined;
  error?: string | undefined;
  cameras: readonly CameraStatus[];
  rows: ReportRows;
}

function reportHtml(archive: string, zoneOf: (camera: string) => string, groups: readonly ReportGroup[], options: CoverageReportOptions): string {
  const now = options.now ?? Date.now();
  const title = options.title ?? 'camdl coverage';
  // A ledger an older camdl filled from a hostile listing may hold times like 1e300: the axis covers
  // plausible times only, and whatever lies outside is drawn at its edge.
  const plausible = (ms: number): number => (Number.isFinite(ms) ? Math.min(Math.max(ms, PLAUSIBLE_TIME_MIN_MS), now + PLAUSIBLE_TIME_AHEAD_MS) : now);
  const spans = groups.map((group) => group.rows.span).filter((span) => span !== undefined);
  const startMs = plausible(spans.length > 0 ? Math.min(...spans.map((span) => span.startMs)) : now - 86_400_000);
  const endMs = Math.max(startMs, plausible(spans.length > 0 ? Math.max(...spans.map((span) => span.endMs)) : now));
  const span = Math.max(1, endMs - startMs);
  const plotWidth = WIDTH - LABEL_WIDTH - 10;
  const x = (ms: number): number => LABEL_WIDTH + ((Number.isFinite(ms) ? Math.min(Math.max(ms, startMs), endMs) - startMs : 0) / span) * plotWidth;
  const sections: string[] = [];
  for (const { site, error, cameras, rows } of groups) {
    if (site !== undefined) sections.push(`<h2 class="site" data-site="${escapeHtml(site)}">Site ${escapeHtml(site)}</h2>${error ? `<p class="verdict warn">its ledger snapshot could not be read: ${escapeHtml(error)}</p>` : ''}`);
    for (const camera of cameras) {
      const zone = zoneOf(camera.name);
      const channels = camera.channels;
      const height = AXIS_HEIGHT + Math.max(1, channels.length) * (ROW_HEIGHT + 6) + 4;
      const { days, hours } = ticks(startMs, endMs, zone);
      const svg: string[] = [];
      svg.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" data-camera="${escapeHtml(camera.name)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="coverage of ${escapeHtml(camera.name)}">`);
      for (const at of hours) svg.push(`<line class="tick-hour" x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${AXIS_HEIGHT - 6}" y2="${height}" />`);
      for (const at of days) {
        const px = x(at).toFixed(1);
        svg.push(`<line class="tick-day" x1="${px}" x2="${px}" y1="${AXIS_HEIGHT - 14}" y2="${height}" /><text class="tick-label" x="${px}" y="${AXIS_HEIGHT - 18}">${wallClockIn(at, zone).slice(0, 10)}</text>`);
      }
      if (channels.length === 0) svg.push(`<text class="empty" x="${LABEL_WIDTH}" y="${AXIS_HEIGHT + 16}">nothing listed yet</text>`);
      channels.forEach((channel, index) => {
        const y = AXIS_HEIGHT + index * (ROW_HEIGHT + 6);
        const label = camera.kind === 'amcrest' ? `channel ${channel.channel}` : 'archives';
        svg.push(`<text class="row-label" x="4" y="${y + ROW_HEIGHT / 2 + 4}">${escapeHtml(label)}</text>`);
        const first = channel.firstMs ?? startMs;
        const last = channel.lastMs ?? startMs;
        svg.push(
          `<rect class="segment" data-state="not-recorded" x="${x(first).toFixed(2)}" y="${y}" width="${Math.max(0.5, x(last) - x(first)).toFixed(2)}" height="${ROW_HEIGHT}" fill="${COVERAGE_COLOURS['not-recorded']}"><title>not recorded (no recording known between the others)\n${wallClockIn(first, zone)} → ${wallClockIn(last, zone)}</title></rect>`,
        );
        for (const segment of segmentsOf(rows.rowsOf(camera.name, channel.channel), channel.files + channel.pending + channel.lost, zone, channel.horizon?.atRiskThroughMs)) {
          const left = x(segment.startMs);
          const width = Math.max(1, x(segment.endMs) - left);
          svg.push(
            `<rect class="segment" data-state="${segment.state}" data-count="${segment.count}" x="${left.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${ROW_HEIGHT}" fill="${COVERAGE_COLOURS[segment.state]}"><title>${escapeHtml(segment.title)}</title></rect>`,
          );
        }
      });
      svg.push('</svg>');
      const stats = camera.channels.map((channel) => {
        const gaps = channel.gaps.length;
        return `<tr><td>${camera.kind === 'amcrest' ? `channel ${channel.channel}` : 'archives'}</td><td class="n">${channel.files}</td><td class="n">${formatBytes(channel.bytes)}</td><td class="n">${channel.days.length}</td><td class="n" data-col="pending">${channel.pending}</td><td class="n" data-col="lost">${channel.lost}</td><td class="n">${gaps}</td>${horizonCells(channel.horizon)}</tr>`;
      });
      const lastSync = camera.lastSuccessMs === undefined ? 'never' : `${wallClockIn(camera.lastSuccessMs, 'UTC')} UTC`;
      const lastRun = camera.lastRun && camera.lastRun.status !== 'ok' ? ` · last run: ${escapeHtml(camera.lastRun.status)}${camera.lastRun.error ? ` (${escapeHtml(camera.lastRun.error)})` : ''}` : '';
      sections.push(
        `<section class="camera" data-camera="${escapeHtml(camera.name)}"${site !== undefined ? ` data-site="${escapeHtml(site)}"` : ''}><h2>${escapeHtml(camera.name)} <small>${escapeHtml(camera.kind)} · last successful sync: ${lastSync}${lastRun}</small></h2>${svg.join('')}<table><thead><tr><th></th><th>files</th><th>bytes</th><th>days</th><th>pending</th><th>lost</th><th>gaps</th><th>at risk</th><th>overwrite ETA</th></tr></thead><tbody>${stats.join('') || '<tr><td colspan="9">nothing listed yet</td></tr>'}</tbody></table>${copiesTable(camera)}</section>`,
      );
    }
  }
  const legend = (Object.keys(COVERAGE_COLOURS) as CoverageState[])
    .map((state) => `<span class="key" data-state="${state}"><i style="background:${COVERAGE_COLOURS[state]}"></i>${state.replace('-', ' ')}</span>`)
    .join('');
  const totals = groups.flatMap((group) => group.cameras).flatMap((camera) => camera.channels);
  const lost = totals.reduce((sum, channel) => sum + channel.lost, 0);
  const pending = totals.reduce((sum, channel) => sum + channel.pending, 0);
  const atRisk = totals.reduce((sum, channel) => sum + (channel.horizon?.atRiskCount ?? 0), 0);
  const verdict =
    lost === 0 && pending === 0
      ? '<p class="verdict ok">Everything the ledger knows of is archived and verified.</p>'
      : `<p class="verdict warn">${lost} lost, ${pending} pending${atRisk > 0 ? `, ${atRisk} at risk of being overwritten` : ''}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}h2 small{font-weight:normal;color:#555}
.legend{margin:8px 0 16px}.key{margin-right:16px;white-space:nowrap}.key i{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;border:1px solid #888}
.timeline{display:block;max-width:100%;height:auto}.tick-day{stroke:#333;stroke-width:1}.tick-hour{stroke:#bbb;stroke-width:.5}
.tick-label{font-size:11px;fill:#333;text-anchor:middle}.row-label{font-size:12px;fill:#222}.segment:hover{stroke:#000;stroke-width:1.5}
table{border-collapse:collapse;margin-top:6px}td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}.n{text-align:right}
.at-risk{color:#a0467f;font-weight:bold}.verdict.ok{color:#1b7f3b}.verdict.warn{color:#c0142b;font-weight:bold}.meta{color:#555}
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Archive ${escapeHtml(archive)} · made ${wallClockIn(now, 'UTC')} UTC · times on the axes are camera time</p>
${verdict}
<div class="legend">${legend}</div>
${sections.join('\n')}
</body></html>
`;
}
