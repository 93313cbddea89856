import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { createTimelapseClient } from '@camdl/axis-timelapse2';
import { findSystemTool, missingSystemTools } from '@camdl/test-utils';
import { COVERAGE_COLOURS, renderCoverageReport, sqliteAvailable, syncFleet } from '@camdl/sync';
import { dailyArchives, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const skip = !sqliteAvailable() ? 'node:sqlite unavailable' : missingSystemTools('chromium');

/** The one DOM call the checks need (the workspace compiles without the DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { fill: string };
}

function rgb(hex: string): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255})`;
}

describe.skipIf(Boolean(skip))('the coverage report in a real headless Chromium', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it('shows archived, pending, lost and not-recorded time per camera, with day ticks and hover details, and loads nothing from outside', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 4) } }, extra: ['time-zone: UTC', 'max-retries: 0'] },
      { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'] },
    ]);
    const gate = fleet.sims.get('gate')!;
    // One archive fails (stays pending), then one vanishes before it is fetched (lost).
    gate.addFault({ route: 'download', match: gate.archives[1]!.filename, kind: 'status', status: 500 });
    gate.addFault({ route: 'download', match: gate.archives[3]!.filename, kind: 'status', status: 500 });
    await syncFleet(fleet.config(), { env: fleet.env });
    gate.setFaults([]);
    gate.addFault({ route: 'download', match: gate.archives[1]!.filename, kind: 'status', status: 500 });
    const client = createTimelapseClient({ baseUrl: gate.url, username: gate.username, password: gate.password });
    const vanished = gate.archives[3]!.filename;
    await client.deleteArchive((await client.listArchives()).archives.find((archive) => archive.filename === vanished)!);
    await client.close();
    const html = renderCoverageReport(fleet.config(), { title: 'Site <north> & co' });
    const out = join(fleet.dir.path, 'coverage.html');
    await writeFile(out, html);
    expect(html).toContain('Site &#60;north&#62; &#38; co');
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);

    const browser = await chromium.launch({
      executablePath: findSystemTool('chromium')!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(pathToFileURL(out).href);
      expect(requested).toEqual([pathToFileURL(out).href]);
      expect(await page.title()).toBe('Site <north> & co');
      const cameras = await page.locator('section.camera').evaluateAll((sections) => sections.map((section) => section.getAttribute('data-camera')));
      expect(cameras).toEqual(['gate', 'kitchen']);
      const states = await page.locator('section[data-camera="gate"] rect.segment').evaluateAll((rects) => rects.map((rect) => rect.getAttribute('data-state')));
      expect(states.filter((state) => state === 'archived')).toHaveLength(2);
      expect(states.filter((state) => state === 'pending')).toHaveLength(2);
      expect(states).toContain('not-recorded');
      expect(await page.locator('section[data-camera="kitchen"] rect.segment[data-state="archived"]').count()).toBe(3);
      // Distinct colours, as rendered.
      const fills = await page.locator('rect.segment').evaluateAll((rects) => [...new Set(rects.map((rect) => (globalThis as unknown as BrowserWindow).getComputedStyle(rect).fill))]);
      expect(fills).toEqual(expect.arrayContaining([rgb(COVERAGE_COLOURS.archived), rgb(COVERAGE_COLOURS.pending), rgb(COVERAGE_COLOURS['not-recorded'])]));
      // Day ticks with labels; hover details on every bar.
      const dayLabels = await page.locator('section[data-camera="gate"] text.tick-label').allTextContents();
      expect(dayLabels).toEqual(expect.arrayContaining(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']));
      const pendingTitle = await page.locator('section[data-camera="gate"] rect[data-state="pending"] title').first().textContent();
      expect(pendingTitle).toContain(gate.archives[1]!.filename);
      expect(pendingTitle).toMatch(/pending/);
      expect(pendingTitle).toMatch(/last error: .*500/);
      const box = await page.locator('section[data-camera="gate"] svg').boundingBox();
      expect(box?.width).toBeGreaterThan(800);
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.subarray(1, 4).toString()).toBe('PNG');
      expect(shot.length).toBeGreaterThan(10_000);
      await writeFile(join(fleet.dir.path, 'coverage.png'), shot);
    } finally {
      await browser.close();
    }

    // The next sync finds the vanished archive: lost, in red.
    await syncFleet(fleet.config(), { env: fleet.env });
    const after = join(fleet.dir.path, 'after.html');
    await writeFile(after, renderCoverageReport(fleet.config()));
    const again = await chromium.launch({ executablePath: findSystemTool('chromium')!, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await again.newPage();
      await page.goto(pathToFileURL(after).href);
      const lost = page.locator('section[data-camera="gate"] rect[data-state="lost"]');
      expect(await lost.count()).toBe(1);
      expect(await lost.evaluate((rect) => (globalThis as unknown as BrowserWindow).getComputedStyle(rect).fill)).toBe(rgb(COVERAGE_COLOURS.lost));
      expect(await page.locator('.verdict.warn').textContent()).toMatch(/1 lost, 1 pending/);
      await lost.hover();
    } finally {
      await again.close();
    }
    expect((await readFile(after, 'utf8')).length).toBeGreaterThan(1000);
  });
});
