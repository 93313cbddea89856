import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { archivedCoverage, fleetStatus, renderCoverageReport, sqliteAvailable, syncFleet, verifyArchive } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { dailyArchives, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const fingerprint = async (path: string): Promise<{ sha256: string; mtimeMs: number; size: number }> => {
  const info = await stat(path);
  return { sha256: createHash('sha256').update(await readFile(path)).digest('hex'), mtimeMs: info.mtimeMs, size: info.size };
};

const sidecars = (path: string): string[] => ['-wal', '-shm', '-journal'].filter((suffix) => existsSync(`${path}${suffix}`));

describe.skipIf(!sqliteAvailable())('opening the ledger', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  const start = async (): Promise<TestFleet> => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]);
    return fleet;
  };

  /** Another application's SQLite database at the ledger's path (rollback journal, its own table). */
  const foreignDatabase = async (path: string): Promise<void> => {
    await mkdir(join(path, '..'), { recursive: true });
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine')`);
    db.close();
  };

  it.each([
    ['status', (config: ReturnType<TestFleet['config']>) => fleetStatus(config)],
    ['report', (config: ReturnType<TestFleet['config']>) => renderCoverageReport(config)],
    ['verify', (config: ReturnType<TestFleet['config']>) => verifyArchive(config)],
    ['film coverage', (config: ReturnType<TestFleet['config']>) => archivedCoverage(config.ledger)],
    ['sync', (config: ReturnType<TestFleet['config']>) => syncFleet(config, { env: fleet!.env })],
  ] as const)('%s refuses another application\'s SQLite database, naming it, and leaves it as it was', async (_name, command) => {
    const config = (await start()).config();
    await foreignDatabase(config.ledger);
    const before = await fingerprint(config.ledger);
    await expect(Promise.resolve().then((): unknown => command(config))).rejects.toMatchObject({
      code: 'ERR_SYNC_LEDGER',
      message: `${config.ledger} is not a camdl ledger (a database without the tables recordings, runs, run_cameras): refused, the file is left as it is`,
    });
    expect(await fingerprint(config.ledger)).toEqual(before);
    expect(sidecars(config.ledger)).toEqual([]);
    const db = new DatabaseSync(config.ledger, { readOnly: true });
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'delete' });
    db.close();
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'an empty file'],
    ['garbage', Buffer.from('not a database at all, just text\n'.repeat(10)), 'not an SQLite database'],
  ])('status, report, verify and film refuse %s at the ledger path, naming it; nothing is written', async (_label, content, why) => {
    const config = (await start()).config();
    await mkdir(join(config.ledger, '..'), { recursive: true });
    await writeFile(config.ledger, content);
    const before = await fingerprint(config.ledger);
    for (const command of [() => fleetStatus(config), () => renderCoverageReport(config), () => archivedCoverage(config.ledger)]) {
      expect(command).toThrow(expect.objectContaining({ code: 'ERR_SYNC_LEDGER', message: expect.stringContaining(`${config.ledger} is not a camdl ledger (${why})`) }));
    }
    await expect(verifyArchive(config)).rejects.toMatchObject({ code: 'ERR_SYNC_LEDGER', message: expect.stringContaining(config.ledger) });
    expect(await fingerprint(config.ledger)).toEqual(before);
    expect(sidecars(config.ledger)).toEqual([]);
  });

  it('no command but sync creates a ledger', async () => {
    const config = (await start()).config();
    for (const command of [() => fleetStatus(config), () => renderCoverageReport(config), () => archivedCoverage(config.ledger)]) {
      expect(command).toThrow(expect.objectContaining({ code: 'ERR_SYNC_LEDGER', message: `no ledger at ${config.ledger} yet: run camdl sync first` }));
    }
    await expect(verifyArchive(config)).rejects.toMatchObject({ code: 'ERR_SYNC_LEDGER' });
    expect(existsSync(config.ledger)).toBe(false);
    expect(existsSync(join(config.ledger, '..'))).toBe(false);
  });

  it('status, report, film and a clean verify leave a synced ledger byte for byte, with no -wal or -shm', async () => {
    const config = (await start()).config();
    expect((await syncFleet(config, { env: fleet!.env })).outcome).toBe('ok');
    expect(sidecars(config.ledger)).toEqual([]);
    const before = await fingerprint(config.ledger);
    expect(fleetStatus(config).cameras[0]?.channels[0]?.files).toBe(2);
    expect(renderCoverageReport(config)).toContain('gate');
    expect(archivedCoverage(config.ledger).size).toBe(2);
    expect((await verifyArchive(config)).problems).toEqual([]);
    expect(await fingerprint(config.ledger)).toEqual(before);
    expect(sidecars(config.ledger)).toEqual([]);
  });

  it('a read-only open of a ledger a sync has open reads what the sync committed', async () => {
    const config = (await start()).config();
    expect((await syncFleet(config, { env: fleet!.env })).outcome).toBe('ok');
    const writer = Ledger.open(config.ledger);
    try {
      writer.startRun({ dryRun: false });
      expect(sidecars(config.ledger)).toContain('-wal');
      const reader = Ledger.open(config.ledger, { readOnly: true });
      try {
        expect(reader.runs()).toHaveLength(2);
        expect(() => reader.startRun({ dryRun: false })).toThrow(`the ledger ${config.ledger}: attempt to write a readonly database`);
      } finally {
        reader.close();
      }
    } finally {
      writer.close();
    }
  });

  it('a ledger without a camdl schema version is refused by the read-only commands', async () => {
    const config = (await start()).config();
    expect((await syncFleet(config, { env: fleet!.env })).outcome).toBe('ok');
    const db = new DatabaseSync(config.ledger);
    db.exec('PRAGMA user_version = 0');
    db.close();
    expect(() => fleetStatus(config)).toThrow(`${config.ledger} is not a camdl ledger (a database without a camdl schema version): refused, the file is left as it is`);
  });
});
