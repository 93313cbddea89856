import { afterEach, describe, expect, it } from 'vitest';
import { collectMetrics, fleetStatus, renderCoverageReport, renderExposition, runMonitoredSync, sqliteAvailable, syncFleet, type FleetConfig, type MonitorEvent, type SyncEvent } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { hourly, startFleet, type TestFleet } from './fleet-helpers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 16, 12);
const KIB = 1024;


describe.skipIf(!sqliteAvailable())('the overwrite horizon against wrapping cards', () => {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  async function monitored(config: FleetConfig, at: number): Promise<{ events: SyncEvent[]; alerts: MonitorEvent[] }> {
    const events: SyncEvent[] = [];
    const alerts: MonitorEvent[] = [];
    await runMonitoredSync(config, { env: fleet!.env, now: () => at, measureDisk: async () => undefined, onEvent: (event) => events.push(event), onMonitorEvent: (event) => alerts.push(event) });
    return { events, alerts };
  }
  const opened = (alerts: MonitorEvent[], kind: string): boolean => alerts.some((event) => event.type === 'alert' && event.notice.kind === kind && event.notice.event === 'opened');

  it('a camera offline while its card wraps: at risk before the first loss, then the losses named overwritten; status, report and metrics show the ETA', async () => {
    let clock = T0;
    fleet = await startFleet([
      {
        name: 'porch',
        sim: { profile: 'amcrest', timeZone: 'UTC', now: () => clock, content: { recordings: hourly(6, T0, 4 * KIB) }, card: { capacityRecordings: 6, recordEveryMs: HOUR, recordingBytes: 4 * KIB } },
        extra: ['time-zone: UTC', 'max-retries: 0', 'timeout: 2', 'connections: 1'],
      },
    ]);
    const sim = fleet.sims.get('porch')!;
    const config = fleet.config();
    // Run 1: listed, but no download gets through: six recordings pending on a full card.
    sim.setFaults([{ route: 'RPC_Loadfile', kind: 'status', status: 500 }]);
    const first = await monitored(config, clock);
    expect(first.events.filter((event) => event.type === 'lost')).toEqual([]);
    const horizon = first.events.find((event) => event.type === 'horizon');
    expect(horizon).toMatchObject({ camera: 'porch', channels: [{ channel: 1, wrapping: true, retentionMs: 6 * HOUR, retentionSource: 'observed', pendingCount: 6, etaMs: 0, atRisk: true, atRiskCount: 6 }] });
    expect(opened(first.alerts, 'recordings-at-risk')).toBe(true);

    const status = fleetStatus(config).cameras[0]!.channels[0]!;
    expect(status.horizon).toMatchObject({ oldestOnCameraMs: T0 - 6 * HOUR, newestOnCameraMs: T0, countOnCamera: 6, atRisk: true, oldestPendingMs: T0 - 6 * HOUR });
    expect(status.horizon?.etaMs).toBeLessThanOrEqual(0);
    const metrics = renderExposition(await collectMetrics(config, { now: T0 + 60_000, disk: undefined }));
    expect(metrics).toContain('camdl_overwrite_eta_seconds{camera="porch",channel="1"} -60');
    expect(metrics).toContain('camdl_at_risk{camera="porch",channel="1"} 1');
    expect(metrics).toContain('camdl_at_risk_recordings{camera="porch",channel="1"} 6');
    const page = renderCoverageReport(config, { now: T0 + 60_000 });
    expect(page).toMatch(/<b class="fail">6 at risk<\/b>/);
    expect(page).toMatch(/data-col="overwrite-eta" data-eta-ms="-\d+">[^<]*overwrite due now; AT RISK: 6 recording/);

    // Run 2: the camera is offline for two hours while its card records over the three oldest.
    sim.setFaults([{ route: '*', kind: 'status', status: 503 }]);
    clock = T0 + 2 * HOUR;
    const offline = await monitored(config, clock);
    expect(offline.events.filter((event) => event.type === 'lost')).toEqual([]);
    const open = Ledger.open(config.ledger, { readOnly: true });
    try {
      expect(open.monitoring().all().find((row) => row.kind === 'recordings-at-risk')).toMatchObject({ state: 'open', sinceMs: T0 });
    } finally {
      open.close();
    }

    // Run 3: back; the two oldest were overwritten (by the card's own logic, not by camdl).
    sim.setFaults([]);
    const back = await monitored(config, clock);
    const lost = back.events.filter((event) => event.type === 'lost');
    expect(lost.map((event) => [event.startMs, event.reason])).toEqual([
      [T0 - 6 * HOUR, 'overwritten'],
      [T0 - 5 * HOUR, 'overwritten'],
    ]);
    expect(back.events.filter((event) => event.type === 'file-done')).toHaveLength(6);
    expect(opened(back.alerts, 'recordings-lost')).toBe(true);
    expect(opened(back.alerts, 'recordings-deleted')).toBe(false);
    const after = fleetStatus(config).cameras[0]!;
    expect(after.lostReasons).toEqual({ overwritten: 2, deleted: 0, unknown: 0 });
    expect(after.channels[0]!.horizon).toMatchObject({ pendingCount: 0, atRisk: false });
  });

  it('a recording deleted from the middle is lost as deleted, with its own alert', async () => {
    fleet = await startFleet([{ name: 'shed', sim: { profile: 'amcrest', timeZone: 'UTC', content: { recordings: hourly(4, T0, 4 * KIB) } }, extra: ['time-zone: UTC', 'max-retries: 0', 'connections: 1'] }]);
    const sim = fleet.sims.get('shed')!;
    const config = fleet.config();
    sim.setFaults([{ route: 'RPC_Loadfile', kind: 'status', status: 500 }]);
    await monitored(config, T0);
    sim.setFaults([]);
    const middle = sim.recordings[2]!;
    expect(sim.removeRecording(middle.filePath)).toBe(true);
    const second = await monitored(config, T0 + HOUR);
    expect(second.events.filter((event) => event.type === 'lost').map((event) => [event.remoteName, event.reason])).toEqual([[middle.filePath, 'deleted']]);
    expect(opened(second.alerts, 'recordings-deleted')).toBe(true);
    expect(opened(second.alerts, 'recordings-lost')).toBe(false);
    const ledger = Ledger.open(config.ledger, { readOnly: true });
    try {
      expect(ledger.allRecordings().filter((row) => row.state === 'lost').map((row) => row.lostReason)).toEqual(['deleted']);
    } finally {
      ledger.close();
    }
  });

  it('takes a Timelapse camera\'s retention from its app: an archive not fetched is at risk a day before the app deletes it', async () => {
    const day = 24 * HOUR;
    // GET app says `retentionMonths: 1`: the oldest archive, 30 days old, is deleted within a day.
    const archives = [T0 - 30 * day, T0 - 10 * day].map((first, index) => ({ filename: `gate_${index}.avi`, content: 'synthetic' as const, size: 4 * KIB, first }));
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives } }, extra: ['time-zone: UTC', 'max-retries: 0'] }]);
    const config = fleet.config();
    fleet.sims.get('gate')!.setFaults([{ route: 'download', kind: 'status', status: 500 }]);
    const run = await monitored(config, T0);
    const horizon = run.events.find((event) => event.type === 'horizon');
    expect(horizon).toMatchObject({ camera: 'gate', channels: [{ retentionSource: 'reported', atRisk: true, atRiskCount: 1 }] });
    const month = horizon?.type === 'horizon' ? horizon.channels[0]!.retentionMs! : 0;
    expect(month / day).toBeCloseTo(30.44, 2);
  });

  it("says once per run when the camera's own rate-limit is what keeps its footage at risk", async () => {
    fleet = await startFleet([
      {
        name: 'attic',
        sim: { profile: 'amcrest', timeZone: 'UTC', content: { recordings: hourly(6, T0, 64 * KIB) }, card: { capacityRecordings: 6, recordingBytes: 64 * KIB } },
        extra: ['time-zone: UTC', 'max-retries: 0', 'connections: 1', 'rate-limit: 0.0001', 'risk-margin: 1s'],
      },
    ]);
    fleet.sims.get('attic')!.setFaults([{ route: 'RPC_Loadfile', kind: 'status', status: 500 }]);
    const config = fleet.config();
    expect(config.cameras[0]!.riskMarginMs).toBe(1000);
    const events: SyncEvent[] = [];
    await syncFleet(config, { env: fleet.env, now: () => T0, onEvent: (event) => events.push(event) });
    const warnings = events.filter((event) => event.type === 'warning' && event.message.includes('rate-limit'));
    expect(warnings).toEqual([{ type: 'warning', camera: 'attic', message: expect.stringMatching(/^rate-limit 0\.0001 Mbps keeps 6 recording\(s\) at risk/) }]);
    expect(events.find((event) => event.type === 'horizon')).toMatchObject({ channels: [{ atRisk: true, rateBound: true, atRiskCount: 6 }] });
  });

  /**
   * Three cameras under a 16 Mbps fleet bandwidth; `wrap` records over its oldest each time another
   * camera finishes a file (the card's clock counts the fleet's progress, not real time).
   */
  async function tightFleet(scheduling: 'risk-first' | 'even'): Promise<{ saved: number; failed: number; lost: SyncEvent[]; order: string[] }> {
    let ticks = 0;
    const size = 256 * KIB;
    const roomy = (name: string) => ({
      name,
      sim: { profile: 'amcrest' as const, timeZone: 'UTC', content: { recordings: hourly(4, T0, size) }, card: { capacityBytes: 100 * size, recordingBytes: size } },
      extra: ['time-zone: UTC', 'max-retries: 0', 'connections: 1'],
    });
    fleet = await startFleet(
      [
        roomy('yard'),
        { name: 'wrap', sim: { profile: 'amcrest', timeZone: 'UTC', content: { recordings: hourly(5, T0, size) }, card: { capacityRecordings: 5, recordEveryMs: HOUR, recordingBytes: size, now: () => T0 + ticks * HOUR } }, extra: ['time-zone: UTC', 'max-retries: 0', 'connections: 1'] },
        roomy('dock'),
      ],
      { top: ['bandwidth: 16'] },
    );
    const config = fleet.config();
    const order: string[] = [];
    const options = { env: fleet.env, now: () => T0, scheduling };
    await syncFleet(config, {
      ...options,
      onEvent: (event) => {
        if (event.type !== 'file-done') return;
        order.push(event.camera);
        if (event.camera !== 'wrap') ticks += 1;
      },
    });
    const lost: SyncEvent[] = [];
    // A day later the card holds only what it recorded since: the recordings it dropped are lost.
    await syncFleet(config, { ...options, now: () => T0 + 24 * HOUR, onEvent: (event) => event.type === 'lost' && lost.push(event) });
    const ledger = Ledger.open(config.ledger, { readOnly: true });
    try {
      const rows = ledger.allRecordings().filter((row) => row.camera === 'wrap' && row.startMs < T0);
      return { saved: rows.filter((row) => row.state === 'verified').length, failed: rows.filter((row) => row.attempts > 0).length, lost, order };
    } finally {
      ledger.close();
      await fleet.close();
      fleet = undefined;
    }
  }

  it('risk-first fetches the camera about to wrap first and loses nothing; the even share loses some', async () => {
    const riskFirst = await tightFleet('risk-first');
    expect(riskFirst.saved).toBe(5);
    expect(riskFirst.lost).toEqual([]);
    // The others got only what the wrapping camera left between its files.
    expect(riskFirst.order.slice(0, riskFirst.order.lastIndexOf('wrap')).filter((camera) => camera !== 'wrap').length).toBeLessThan(3);
    const even = await tightFleet('even');
    expect(even.saved).toBeLessThan(5);
    expect(even.order.slice(0, even.order.lastIndexOf('wrap')).filter((camera) => camera !== 'wrap').length).toBeGreaterThanOrEqual(3);
    expect(even.failed).toBeGreaterThan(0);
    expect(even.lost.length).toBe(5 - even.saved);
    expect(even.lost.every((event) => event.type === 'lost' && event.reason === 'overwritten')).toBe(true);
  });
});
