import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findSystemTool, makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { COVERAGE_COLOURS, dayStartMs, renderCoverageReport, sqliteAvailable, type CoverageReportOptions } from '@camdl/sync';
import { writeFixtureFleet, type FixtureCamera } from './report-fixtures.js';

const skip = !sqliteAvailable() ? 'node:sqlite unavailable' : missingSystemTools('chromium');
const NOW = Date.parse('2026-12-07T09:00:00Z');
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/report/', import.meta.url));

function rgb(hex: string): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255})`;
}

/** The few DOM calls the checks make in the page (the workspace compiles without the DOM library). */
interface PageDocument {
  body: unknown;
  createTreeWalker(root: unknown, show: number): { nextNode(): { textContent: string; parentElement: { closest(selector: string): unknown } | null } | null };
  createRange(): { selectNodeContents(node: unknown): void; getClientRects(): Iterable<{ left: number; top: number; right: number; bottom: number; width: number; height: number }> };
  querySelectorAll(selector: string): Iterable<unknown>;
}

/** Pairs of rendered text boxes that overlap (by more than half a pixel each way), read in the page. */
async function overlappingText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const win = globalThis as unknown as { document: PageDocument; scrollX: number; scrollY: number };
    const doc = win.document;
    const { scrollX, scrollY } = win;
    const walker = doc.createTreeWalker(doc.body, 4 /* SHOW_TEXT */);
    const boxes: Array<{ text: string; left: number; top: number; right: number; bottom: number; node: number }> = [];
    let index = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      index += 1;
      if (!node.textContent.trim()) continue;
      const parent = node.parentElement;
      if (!parent || parent.closest('title,script,style,[hidden]')) continue;
      const range = doc.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width < 0.5 || rect.height < 0.5) continue;
        boxes.push({ text: node.textContent.trim().slice(0, 40), left: rect.left + scrollX, top: rect.top + scrollY, right: rect.right + scrollX, bottom: rect.bottom + scrollY, node: index });
      }
    }
    boxes.sort((a, b) => a.top - b.top);
    const found: string[] = [];
    for (let i = 0; i < boxes.length; i += 1) {
      const a = boxes[i]!;
      for (let j = i + 1; j < boxes.length && boxes[j]!.top < a.bottom - 0.5; j += 1) {
        const b = boxes[j]!;
        if (a.node === b.node) continue;
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5) found.push(`"${a.text}" × "${b.text}"`);
      }
    }
    return found;
  });
}

/** Every fill of a day cell in the page and every colour of the legend's swatches. */
async function fillsAndLegend(page: Page): Promise<{ fills: string[]; legend: string[] }> {
  return page.evaluate(() => {
    const win = globalThis as unknown as { document: PageDocument; getComputedStyle(element: unknown): { fill: string; backgroundColor: string } };
    const fills = new Set<string>();
    for (const rect of win.document.querySelectorAll('svg.calendar rect')) fills.add(win.getComputedStyle(rect).fill);
    const legend = new Set<string>();
    for (const swatch of win.document.querySelectorAll('.legend .sw')) legend.add(win.getComputedStyle(swatch).backgroundColor);
    return { fills: [...fills], legend: [...legend] };
  });
}

describe.skipIf(Boolean(skip))('the coverage report in a real headless Chromium', () => {
  let browser: Browser;
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir('camdl-report-');
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: findSystemTool('chromium')!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await dir?.cleanup();
  });

  /** Writes the fleet's report, opens it, checks it loads nothing else and no text overlaps; keeps a screenshot. */
  async function open(name: string, cameras: FixtureCamera[], options: CoverageReportOptions = {}): Promise<{ page: Page; html: string; loadMs: number }> {
    const folder = join(dir.path, name);
    mkdirSync(folder);
    const config = writeFixtureFleet(folder, cameras, NOW);
    const html = renderCoverageReport(config, { now: NOW, ...options });
    const file = join(folder, 'coverage.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);
    const loadMs = await page.evaluate(() => {
      const entry = (globalThis as unknown as { performance: { getEntriesByType(type: string): Array<{ loadEventEnd: number; startTime: number }> } }).performance.getEntriesByType('navigation')[0]!;
      return entry.loadEventEnd - entry.startTime;
    });
    expect(requested).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    expect(await overlappingText(page)).toEqual([]);
    const { fills, legend } = await fillsAndLegend(page);
    expect(legend).toEqual(expect.arrayContaining(fills));
    const shot = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: shot, fullPage: cameras.length < 10 });
    console.log(`screenshot: ${shot}`);
    if (cameras.length >= 10) {
      // A tall page: the top (the verdict) above, and a screen of calendars from the fourth camera on.
      await page.locator('section.camera').nth(3).evaluate((section) => (section as { scrollIntoView(): void }).scrollIntoView());
      await page.screenshot({ path: join(ARTIFACTS, `${name}-calendars.png`) });
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    }
    return { page, html, loadMs };
  }

  const timelapse = (name: string, days: number, extra: Partial<FixtureCamera> = {}): FixtureCamera => ({ name, kind: 'timelapse', timeZone: 'Europe/Berlin', days, cadence: 'daily', ...extra });
  const amcrest = (name: string, days: number, extra: Partial<FixtureCamera> = {}): FixtureCamera => ({ name, kind: 'amcrest', timeZone: 'America/New_York', days, cadence: 'hourly', ...extra });

  it('one day, one camera: one cell, the verdict all archived', async () => {
    const { page } = await open('1-day-1-camera', [amcrest('kitchen', 1)]);
    expect(await page.locator('section.camera svg.calendar rect').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('p.verdict').textContent()).toMatch(/All 1 camera\(s\) archived and verified/);
    await page.close();
  });

  it('thirty days of a camera: a lost day and an at-risk day are drawn in their colours, titled, named, and open their 24-hour strip', async () => {
    const horizon = dayStartMs('2026-11-22', 'America/New_York');
    const { page } = await open('30-days-1-camera', [amcrest('kitchen.east', 30, { lostDays: [10], pendingDays: [12, 25] })], { atRiskOf: () => ({ beforeMs: horizon }) });
    const section = page.locator('section.camera');
    const lost = section.locator('svg.calendar rect.l');
    expect(await lost.count()).toBe(1);
    expect(await lost.evaluate((rect) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(rect).fill)).toBe(rgb(COVERAGE_COLOURS.lost));
    expect(await lost.locator('title').textContent()).toBe('2026-11-17 Tue: 24 lost');
    expect((await lost.boundingBox())!.width).toBeGreaterThan(8);
    const atRisk = section.locator('svg.calendar rect.r');
    expect(await atRisk.count()).toBe(1);
    expect(await atRisk.locator('title').textContent()).toBe('2026-11-19 Thu: 24 at risk');
    expect(await atRisk.evaluate((rect) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(rect).fill)).toBe(rgb(COVERAGE_COLOURS['at-risk']));
    expect(await section.locator('svg.calendar rect.p title').textContent()).toBe('2026-12-02 Wed: 24 pending');
    // Named without the script, in the fleet line and below the calendar.
    expect(await page.locator('table.fleet tr[data-camera="kitchen.east"] td[data-col="lost"]').textContent()).toBe('24');
    expect(await page.locator('table.fleet tr[data-camera="kitchen.east"] td[data-col="at-risk"]').textContent()).toBe('24');
    expect(await page.locator('table.fleet tr[data-camera="kitchen.east"] td[data-col="pending"]').textContent()).toBe('24');
    expect(await page.locator('ul.named[data-kind="lost"] li').first().textContent()).toMatch(/^\/mnt\/sd\/2026-11-17\/001\/dav\/\d\d\/rec\.mp4 \(2026-11-17 00:00:00 → 2026-11-17 01:00:00\) — vanished/);
    expect(await page.locator('p.verdict').textContent()).toMatch(/1 of 1 camera\(s\) need attention — kitchen.east: 24 at risk of being overwritten, 24 lost, 24 pending/);
    // A click on the lost day opens its strip: hour ticks, each recording, the lost ones named.
    await lost.click();
    expect(new URL(page.url()).hash).toBe(`#${encodeURIComponent('kitchen.east')}/2026-11-17`);
    const strip = section.locator('.strip');
    expect(await strip.isVisible()).toBe(true);
    expect(await strip.locator('rect.l').count()).toBe(24);
    expect(await strip.locator('text.hour').allTextContents()).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
    expect(await strip.locator('li.l').count()).toBe(20);
    expect(await strip.locator('li').last().textContent()).toBe('and 4 more not archived');
    expect(await overlappingText(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, '30-days-1-camera-strip.png'), fullPage: true });
    // An anchor opens the at-risk day.
    await page.goto(`${page.url().split('#')[0]}#${encodeURIComponent('kitchen.east')}/2026-11-19`);
    expect(await strip.locator('rect.r').count()).toBe(24);
    expect(await strip.locator('li.r').first().textContent()).toMatch(/^at risk: \/mnt\/sd\/2026-11-19\//);
    await page.close();
  });

  it('camera-sent names and errors are text everywhere: in the lists, the titles and the strip the script builds', async () => {
    const folder = join(dir.path, 'hostile');
    mkdirSync(folder);
    const config = writeFixtureFleet(folder, [amcrest('porch', 3, { lostDays: [1] })], NOW);
    const hostile = '</script><script>document.title="owned"</script><img src=x onerror="document.title=1">';
    const db = new DatabaseSync(config.ledger);
    db.prepare(`UPDATE recordings SET remote_key = ?, last_error = ? WHERE id = (SELECT MIN(id) FROM recordings WHERE state = 'lost')`).run(hostile, `<b>${hostile}</b>`);
    db.close();
    const html = renderCoverageReport(config, { now: NOW, title: 'porch <i>' });
    expect(html).not.toContain('<img src=x');
    expect(html.match(/<script/g)).toHaveLength(2);
    const file = join(folder, 'coverage.html');
    writeFileSync(file, html);
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${pathToFileURL(file).href}#porch/2026-12-05`);
    expect(await page.title()).toBe('porch <i>');
    expect(await page.locator('ul.named[data-kind="lost"] li').first().textContent()).toContain(hostile);
    expect(await page.locator('.strip li.l').first().textContent()).toBe(`lost: ${hostile} (2026-12-05 00:00:00 → 2026-12-05 01:00:00) — <b>${hostile}</b>`);
    expect(await page.locator('img').count()).toBe(0);
    expect(requested).toEqual([pathToFileURL(file).href]);
    await page.close();
  });

  it('three years of a camera fit on a screen; a missed Timelapse day is marked, its nights are not gaps', async () => {
    const { page } = await open('3-years-1-camera', [timelapse('gate', 3 * 365, { missingDays: [400], lostDays: [500] })]);
    const calendar = page.locator('svg.calendar');
    const box = (await calendar.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(1280);
    expect(box.height).toBeLessThanOrEqual(900);
    expect(await calendar.locator('rect.g').count()).toBe(1);
    expect(await calendar.locator('rect.g title').textContent()).toMatch(/missed: no archive this day/);
    expect(await page.locator('section.camera .channel p.meta').textContent()).toMatch(/1 missed day\(s\)/);
    await page.close();
  });

  it.each([1, 30, 3 * 365])('forty cameras over %i day(s): one line each, the failing and the silent ones in the verdict', async (days) => {
    const cameras = Array.from({ length: 40 }, (_, index) => timelapse(`camera-${String(index + 1).padStart(2, '0')}`, days));
    cameras[3] = { ...cameras[3]!, failedRuns: 2 };
    if (days > 10) cameras[7] = { ...cameras[7]!, silentDays: 7 };
    const { page } = await open(`${days}-days-40-cameras`, cameras);
    expect(await page.locator('table.fleet tbody tr').count()).toBe(40);
    expect(await page.locator('section.camera').count()).toBe(40);
    const verdict = await page.locator('p.verdict').textContent();
    expect(verdict).not.toMatch(/archived and verified/);
    expect(verdict).toContain('camera-04: last 2 runs failed');
    expect(await page.locator('tr[data-camera="camera-04"]').getAttribute('data-mark')).toBe('fail');
    if (days > 10) {
      expect(verdict).toMatch(/\(1 failing, 1 silent\)/);
      expect(verdict).toContain('camera-08: silent for 7 days');
      expect(await page.locator('tr[data-camera="camera-08"]').getAttribute('data-mark')).toBe('fail');
    }
    await page.close();
  });

  it('two years of ten cameras with hourly recordings: at most 2 MiB, loads in under 2 s, readable without the script and on paper', async () => {
    const cameras = Array.from({ length: 10 }, (_, index) => amcrest(`cam-${index}`, 2 * 365, { lostDays: [100 + index] }));
    const { page, html, loadMs } = await open('2-years-10-cameras-hourly', cameras);
    console.log(`2 years × 10 cameras hourly: ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, load ${loadMs.toFixed(0)} ms`);
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(loadMs).toBeLessThan(2000);
    await page.goto(`${page.url()}#cam-3/2025-03-21`);
    expect(await page.locator('section[data-key="cam-3"] .strip rect.a').count()).toBe(24);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('section.camera .strip').first().isVisible()).toBe(false);
    expect(await page.locator('svg.calendar').first().isVisible()).toBe(true);
    await page.close();
    const noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    try {
      const bare = await noScript.newPage();
      await bare.goto(pathToFileURL(join(dir.path, '2-years-10-cameras-hourly', 'coverage.html')).href);
      expect(await bare.locator('p.verdict').textContent()).toMatch(/10 of 10 camera\(s\) need attention/);
      expect(await bare.locator('section[data-key="cam-0"] svg.calendar rect').count()).toBeGreaterThan(700);
      expect(await bare.locator('section[data-key="cam-0"] svg.calendar rect.l').count()).toBe(1);
    } finally {
      await noScript.close();
    }
  });
});
