import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetStatus, renderCoverageReport, sqliteAvailable, syncFleet } from '@camdl/sync';
import { collect, dailyArchives, fleetsClosedAfterEach, listFiles } from './fleet-helpers.js';
import { addTopLines, directoryTargets } from './offsite-helpers.js';

describe.skipIf(!sqliteAvailable())('the report page counts each copy once', () => {
  const startFleet = fleetsClosedAfterEach();

  it('a camera with three recordings, one copy failing: the fleet line says 2/3, the table 2 verified, 1 pending of which 1 failing', async () => {
    const fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3) } }, extra: ['time-zone: UTC'] }]);
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
    // One local file changed after it was archived: its copy is refused (a real failed attempt in the ledger).
    const [victim] = (await listFiles(fleet.archive)).filter((file) => file.endsWith('.mp4')).sort();
    await appendFile(join(fleet.archive, victim!), 'changed');
    const { lines } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, ['upload-bandwidth: 0', ...lines]);
    const run = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, targetTuning: { retryDelayMs: 1 } })).outcome).toBe('some-failed');
    expect(run.ofType('upload-failed').map((event) => event.path)).toEqual([victim]);
    expect(fleetStatus(fleet.config()).cameras[0]?.copies).toMatchObject([{ target: 'usb', verified: 2, pending: 1, failing: 1, conflict: 0 }]);

    const html = renderCoverageReport(fleet.config());
    const fleetRow = /<tr data-camera="gate" data-mark="\w+">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    const cells = [...fleetRow.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((match) => match[1]);
    expect(cells[6]).toBe('usb 2/3');
    expect(html).toContain('<tr data-target="usb"><td>usb</td><td class="n" data-col="verified">2</td><td class="n" data-col="pending">1</td><td class="n" data-col="failing">1</td><td class="n" data-col="conflict">0</td>');
  });
});
