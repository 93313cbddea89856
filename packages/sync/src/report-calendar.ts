import type { DayCoverage, DayState } from './coverage-days.js';
import { escapeHtml } from './report-html.js';

/** The class of a day cell per state (short: a three-year page of 50 cameras has 55,000 cells). */
export const DAY_CLASS: Record<DayState, string> = {
  lost: 'l',
  'at-risk': 'r',
  pending: 'p',
  archived: 'a',
  'not-recorded': 'n',
  'before-known': 'b',
};

const STEP = 13;
const CELL = 11;
const LEFT = 64;
const HEADER = 15;
const ROW_GAP = 8;
const YEAR_HEIGHT = HEADER + 7 * STEP + ROW_GAP;
/** Month labels closer than this (px) would touch: the earlier, partial month goes unlabelled. */
const MONTH_LABEL_ROOM = 28;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

interface Placed {
  day: DayCoverage;
  year: number;
  month: number;
  /** Week column within its year (weeks start on Monday; Jan 1 is in column 0). */
  column: number;
  weekday: number;
}

function place(day: DayCoverage): Placed {
  const date = new Date(`${day.day}T00:00:00Z`);
  const year = date.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const jan1Weekday = (new Date(jan1).getUTCDay() + 6) % 7;
  const dayOfYear = Math.round((date.getTime() - jan1) / 86_400_000);
  return { day, year, month: date.getUTCMonth(), column: Math.floor((dayOfYear + jan1Weekday) / 7), weekday: (date.getUTCDay() + 6) % 7 };
}

/** What a day cell's hover title says. */
function describeDay(day: DayCoverage, weekday: number): string {
  const parts: string[] = [];
  if (day.lost > 0) parts.push(`${day.lost} lost`);
  if (day.atRisk > 0) parts.push(`${day.atRisk} at risk`);
  if (day.pending > 0) parts.push(`${day.pending} pending`);
  if (day.archived > 0) parts.push(`${day.archived} archived`);
  const what =
    parts.length > 0
      ? parts.join(', ')
      : day.state === 'before-known'
        ? 'before camdl knew the camera'
        : day.gap
          ? 'missed: no archive this day'
          : 'nothing recorded';
  return `${day.day} ${WEEKDAYS[weekday]}: ${what}`;
}

/**
 * A channel's days as an SVG calendar: a row of week columns per calendar year (months aligned
 * across the years), a cell per day coloured by its state, a hover title per cell. The columns run
 * from the range's first week to its last, so one day is one cell and three years are three rows.
 */
export function calendarSvg(days: readonly DayCoverage[], label: string): string {
  const placed = days.map(place);
  const years = [...new Set(placed.map((cell) => cell.year))];
  const firstColumn = Math.min(...placed.map((cell) => cell.column));
  const lastColumn = Math.max(...placed.map((cell) => cell.column));
  const width = LEFT + (lastColumn - firstColumn + 1) * STEP + 2;
  const height = years.length * YEAR_HEIGHT;
  const x = (column: number): number => LEFT + (column - firstColumn) * STEP;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="calendar" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}">`];
  years.forEach((year, row) => {
    const top = row * YEAR_HEIGHT;
    const cells = placed.filter((cell) => cell.year === year);
    out.push(`<text class="year" x="0" y="${top + 10}">${year}</text>`);
    for (const weekday of [0, 2, 4]) out.push(`<text class="wd" x="${LEFT - 6}" y="${top + HEADER + weekday * STEP + 9}">${WEEKDAYS[weekday]}</text>`);
    const monthStarts: Array<{ month: number; at: number }> = [];
    for (const cell of cells) if (monthStarts[monthStarts.length - 1]?.month !== cell.month) monthStarts.push({ month: cell.month, at: x(cell.column) });
    monthStarts.forEach((start, index) => {
      const next = monthStarts[index + 1];
      if (next !== undefined && next.at - start.at < MONTH_LABEL_ROOM) return;
      if (start.at + MONTH_LABEL_ROOM - 8 > width) return;
      out.push(`<text class="month" x="${start.at}" y="${top + 10}">${MONTHS[start.month]}</text>`);
    });
    for (const cell of cells) {
      const gap = cell.day.gap ? ' g' : '';
      out.push(`<rect class="${DAY_CLASS[cell.day.state]}${gap}" x="${x(cell.column)}" y="${top + HEADER + cell.weekday * STEP}" width="${CELL}" height="${CELL}"><title>${describeDay(cell.day, cell.weekday)}</title></rect>`);
    }
  });
  out.push('</svg>');
  return out.join('');
}
