import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { findCoverageGaps, GAP_TOLERANCE_MS, sqliteAvailable, type RemoteRecording } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';

const HOUR = 3_600_000;
const BASE = Date.parse('2026-03-01T00:00:00Z');

function remote(channel: number, index: number, options: { size?: number | undefined; lengthMs?: number } = {}): RemoteRecording {
  const startMs = BASE + index * HOUR;
  const wall = new Date(startMs).toISOString().slice(0, 19).replace('T', ' ');
  return { channel, remoteKey: `/ch${channel}/${index}.mp4`, remoteName: `/ch${channel}/${index}.mp4`, fileName: `${index}.mp4`, startMs, endMs: startMs + (options.lengthMs ?? HOUR - 1000), cameraStart: wall, size: 'size' in options ? options.size : 1000 + index };
}

const everything = new Map([[1, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }], [2, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }]]);

describe.skipIf(!sqliteAvailable())('the ledger plans in SQL', () => {
  let dir: TempDir | undefined;
  let ledger: Ledger | undefined;
  afterEach(async () => {
    ledger?.close();
    ledger = undefined;
    await dir?.cleanup();
    dir = undefined;
  });
  const open = async (): Promise<Ledger> => {
    dir = await makeTempDir('camdl-ledger-');
    ledger = Ledger.open(join(dir.path, '.camdl', 'ledger.sqlite'), { now: () => BASE + 1000 * HOUR });
    return ledger;
  };
  const all = <T extends { cursor: unknown }>(read: (after: never) => T[]): T[] => {
    const out: T[] = [];
    let after: unknown;
    for (;;) {
      const page = read(after as never);
      out.push(...page);
      if (page.length < 7) return out;
      after = page[page.length - 1]!.cursor;
    }
  };

  it('pages the recordings to fetch oldest first across channels, skipping the archived ones, and counts them', async () => {
    const db = await open();
    // Listed newest first, two channels: the plan orders them by start, then channel.
    const listing = Array.from({ length: 20 }, (_, index) => [remote(1, 19 - index), remote(2, 19 - index)]).flat();
    expect(db.stageListing('nvr', listing, everything)).toBe(40);
    db.recordListing('nvr');
    const archived = all((after) => db.toDownload('nvr', after, 7)).slice(0, 3);
    for (const { id, remote: item } of archived) db.markVerified(id!, { localPath: `nvr/${item.channel}/${item.fileName}`, size: 1, sha256: 'a'.repeat(64) });
    const plan = db.planSummary('nvr');
    expect(plan).toMatchObject({ listed: 40, alreadyArchived: 3, toDownload: 37 });
    const pages = all((after) => db.toDownload('nvr', after, 7));
    expect(pages).toHaveLength(37);
    const order = pages.map(({ remote: item }) => [item.startMs, item.channel]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(pages[0]!.remote).toMatchObject({ channel: 2, startMs: BASE + 1 * HOUR });
    expect(plan.bytes).toBe(pages.reduce((sum, { remote: item }) => sum + item.size!, 0));
    expect(all((after) => db.verifiedListed('nvr', after, 7)).map(({ id }) => id)).toEqual(archived.map(({ id }) => id));
  });

  it('an unknown size makes the planned bytes unknown; a dry run plans from the staged listing without writing a row', async () => {
    const db = await open();
    db.stageListing('gate', [remote(1, 0), remote(1, 1, { size: undefined })], everything);
    expect(db.planSummary('gate')).toEqual({ listed: 2, alreadyArchived: 0, toDownload: 2, bytes: undefined });
    expect(db.toDownload('gate', undefined, 10).map(({ id, remote: item }) => [id, item.size])).toEqual([
      [undefined, 1000],
      [undefined, undefined],
    ]);
    expect(db.allRecordings()).toEqual([]);
  });

  it('only unfetched rows missing inside what the listing covers have vanished', async () => {
    const db = await open();
    db.stageListing('nvr', [remote(1, 0), remote(1, 5), remote(1, 10), remote(2, 0)], everything);
    db.recordListing('nvr');
    const [first] = db.toDownload('nvr', undefined, 1);
    db.markVerified(first!.id!, { localPath: 'nvr/0.mp4', size: 1, sha256: 'b'.repeat(64) });
    // The next listing covers channel 1 from hour 4 only, and lists neither hour 5 nor the archived hour 0.
    db.stageListing('nvr', [remote(1, 10)], new Map([[1, { startMs: BASE + 4 * HOUR, endMs: BASE + 11 * HOUR }]]));
    expect([...db.vanished('nvr')].map((row) => [row.channel, row.remoteKey])).toEqual([[1, '/ch1/5.mp4']]);
    expect(db.markVanishedLost('nvr', 'gone')).toBe(1);
    expect(db.allRecordings().map((row) => [row.remoteKey, row.state])).toEqual([
      ['/ch1/0.mp4', 'verified'],
      ['/ch1/5.mp4', 'lost'],
      ['/ch1/10.mp4', 'listed'],
      ['/ch2/0.mp4', 'listed'],
    ]);
  });

  it('status comes from SQL: counts per channel, days, and the same gaps as the pure function', async () => {
    const db = await open();
    const hours = [0, 1, 2, 6, 7, 30];
    const listing = hours.map((index) => remote(1, index));
    db.stageListing('gate', listing, everything);
    db.recordListing('gate');
    const rows = db.toDownload('gate', undefined, 100);
    db.markVerified(rows[0]!.id!, { localPath: 'gate/2026-03-01/0.mp4', size: 10, sha256: 'c'.repeat(64) });
    db.markVerified(rows[5]!.id!, { localPath: 'gate/2026-03-02/30.mp4', size: 32, sha256: 'd'.repeat(64) });
    db.markFailed(rows[1]!.id!, 'boom');
    expect(db.channelSummaries('gate')).toEqual([{ channel: 1, total: 6, files: 2, bytes: 42, pending: 4, lost: 0, failing: 1, firstMs: BASE, lastMs: listing[5]!.endMs }]);
    expect(db.archivedDays('gate', 1)).toEqual(['2026-03-01', '2026-03-02']);
    expect(db.coverageGaps('gate', 1, GAP_TOLERANCE_MS)).toEqual(findCoverageGaps(listing));
    expect(db.coverageGaps('gate', 1, GAP_TOLERANCE_MS)).toHaveLength(2);
    expect(db.span()).toEqual({ startMs: BASE, endMs: listing[5]!.endMs });
  });

  it('SHA256SUMS of a folder lists that folder only, not a sibling sharing its prefix nor a subfolder', async () => {
    const db = await open();
    db.stageListing('cam', [0, 1, 2, 3].map((index) => remote(1, index)), everything);
    db.recordListing('cam');
    const rows = db.toDownload('cam', undefined, 10);
    const paths = ['cam/2026-03-01/a.mp4', 'cam/2026-03-01/sub/b.mp4', 'cam/2026-03-01-x/c.mp4', 'cam/2026-03-01/d%_.mp4'];
    rows.forEach(({ id }, index) => db.markVerified(id!, { localPath: paths[index]!, size: 1, sha256: String(index).repeat(64) }));
    expect(db.verifiedIn('cam/2026-03-01').map((row) => row.localPath)).toEqual(['cam/2026-03-01/a.mp4', 'cam/2026-03-01/d%_.mp4']);
  });
});
